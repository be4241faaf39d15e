/** Verdicts per task (contract, `verdict` in `report --json` and `verify --json`). */
export const VERDICTS = [
  "verified",
  "claimed-unverified",
  "done-unclaimed",
  "failed",
  "rate-limited",
  "conflict",
  "pending",
  "skipped",
] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * How a task's work was found: trailer and branch are strong, a matching message is weak, and
 * `children` is a parent that only groups sub-tasks, all of which have evidence.
 */
export type EvidenceKind = "branch" | "trailer" | "message" | "children";

/** What is known about one task besides its PRD checkbox. */
export interface TaskFindings {
  /** Hashes of the commits that show the work. */
  commits: string[];
  evidence: EvidenceKind | null;
  /** Message-match score, 0..1 (evidence "message"). */
  score?: number;
  insertions?: number;
  deletions?: number;
  /** The task's branch, when there is one. */
  branch?: string;
  /**
   * The agent says the task is done apart from the real PRD's box (e.g. it ticked the box in its
   * worktree's copy). Either this or the PRD's box makes a claim.
   */
  claimed?: boolean;
  /** The user's check command, when one was run on the work. */
  check?: { command: string; passed: boolean; exitCode: number | null; timedOut?: boolean };
  /** What the runner saw happen, when work did not just finish. */
  outcome?: "failed" | "rate-limited" | "conflict" | "skipped";
  iterations?: number;
  /** Extra words for the reason (e.g. "agent exited 1 in all 3 iterations"). */
  note?: string;
}

/** One task's line in a reconciliation report (the contract's fields plus the reason). */
export interface TaskVerdict {
  id: string;
  title: string;
  /** The box in the PRD as reported on. */
  checked: boolean;
  verdict: Verdict;
  /** Why, in words. */
  reason: string;
  commits: string[];
  evidence: EvidenceKind | null;
  /** strong: the trailer on the task's own work (or all sub-tasks evidenced); medium: its branch only; weak: a message match. */
  grade: EvidenceGrade | null;
  score: number | null;
  iterations: number | null;
  insertions: number;
  deletions: number;
  branch: string | null;
}

export type EvidenceGrade = "strong" | "medium" | "weak";

const GRADE: Record<EvidenceKind, EvidenceGrade> = { trailer: "strong", children: "strong", branch: "medium", message: "weak" };

export interface ReconcileTask {
  id: string;
  title: string;
  checked: boolean;
  /** The task this one is nested under: a parent without evidence of its own is the sum of its children. */
  parentId?: string | null;
}

/**
 * Gives every task a verdict: a claim (ticked box) is believed only with commit evidence, and with a
 * passing check when one was run. Tasks without findings are judged on their box alone.
 */
export function reconcile(
  tasks: readonly ReconcileTask[],
  findings: ReadonlyMap<string, TaskFindings> | Readonly<Record<string, TaskFindings>>,
): TaskVerdict[] {
  const lookup = (id: string): TaskFindings | undefined =>
    findings instanceof Map ? findings.get(id) : (findings as Record<string, TaskFindings>)[id];
  const found = tasks.map((task) => lookup(task.id) ?? { commits: [], evidence: null });
  const verdicts = tasks.map((task, i) => judgeTask(task, found[i]!));
  // Children come after their parent in a PRD: judging from the end settles sub-groups first.
  const children = new Map<string, TaskVerdict[]>();
  for (let i = tasks.length - 1; i >= 0; i -= 1) {
    const task = tasks[i]!;
    const own = children.get(task.id);
    // A run's own outcome for the parent (it ran an agent for it and that failed) stands.
    if (own && verdicts[i]!.evidence === null && found[i]!.outcome === undefined) verdicts[i] = groupVerdict(task, verdicts[i]!, own);
    if (task.parentId) children.set(task.parentId, [verdicts[i]!, ...(children.get(task.parentId) ?? [])]);
  }
  return verdicts;
}

/**
 * The one judge of a task (`csess run`, `report` and `verify` all use it): a claim (ticked box) is
 * believed only with commit evidence, and with a passing check when one was run.
 */
export function judgeTask(task: ReconcileTask, found: TaskFindings): TaskVerdict {
  const { verdict, reason } = judge(task, found);
  return {
    id: task.id,
    title: task.title,
    checked: task.checked,
    verdict,
    reason: found.note ? `${reason}; ${found.note}` : reason,
    commits: found.commits,
    evidence: found.commits.length > 0 ? found.evidence : null,
    grade: found.commits.length > 0 && found.evidence ? GRADE[found.evidence] : null,
    score: found.score ?? null,
    iterations: found.iterations ?? null,
    insertions: found.insertions ?? 0,
    deletions: found.deletions ?? 0,
    branch: found.branch ?? null,
  };
}

/** A parent with no work of its own: done exactly when every sub-task has evidence. */
function groupVerdict(task: ReconcileTask, alone: TaskVerdict, children: TaskVerdict[]): TaskVerdict {
  if (!children.every((c) => c.verdict === "verified" || c.verdict === "done-unclaimed")) return alone;
  const words = `all ${children.length} sub-task${children.length === 1 ? "" : "s"} have evidence`;
  return {
    ...alone,
    verdict: task.checked ? "verified" : "done-unclaimed",
    reason: task.checked ? `ticked; ${words}` : `not ticked, but ${words}`,
    evidence: "children",
    grade: "strong",
    commits: [...new Set(children.flatMap((c) => c.commits))],
    insertions: children.reduce((n, c) => n + c.insertions, 0),
    deletions: children.reduce((n, c) => n + c.deletions, 0),
  };
}

function judge(task: ReconcileTask, found: TaskFindings): { verdict: Verdict; reason: string } {
  if (found.outcome === "skipped") return { verdict: "skipped", reason: "skipped" };
  if (found.outcome === "conflict") {
    return { verdict: "conflict", reason: `work${branchWords(found)} conflicts with the integration branch; branch kept` };
  }
  const hasEvidence = found.commits.length > 0 && found.evidence !== null;
  const claimed = task.checked || found.claimed === true;
  const claim = task.checked ? "ticked" : "claimed in its worktree";
  if (hasEvidence && found.check && !found.check.passed) {
    const how = found.check.timedOut ? "timed out" : `exited ${found.check.exitCode ?? "by signal"}`;
    return { verdict: "failed", reason: `${evidenceWords(found)}, but check \`${found.check.command}\` ${how}` };
  }
  if (hasEvidence) {
    const checked = found.check ? `, check \`${found.check.command}\` passed` : "";
    return claimed
      ? { verdict: "verified", reason: `${claim}; ${evidenceWords(found)}${checked}` }
      : { verdict: "done-unclaimed", reason: `not ticked, but ${evidenceWords(found)}${checked}` };
  }
  if (claimed) return { verdict: "claimed-unverified", reason: `${claim}, but no commit shows this work` };
  if (found.outcome === "failed") return { verdict: "failed", reason: "no commit shows this work" };
  if (found.outcome === "rate-limited") return { verdict: "rate-limited", reason: "stopped by rate limits before finishing" };
  return { verdict: "pending", reason: "not ticked, no commits" };
}

function evidenceWords(found: TaskFindings): string {
  const n = found.commits.length;
  const commits = `${n} commit${n === 1 ? "" : "s"}`;
  switch (found.evidence) {
    case "children":
      return "its sub-tasks have evidence";
    case "trailer":
      return `${commits} with the Csess-Task trailer`;
    case "branch":
      return `${commits}${branchWords(found) || " on its branch"}`;
    default:
      return `${commits} whose message matches (score ${(found.score ?? 0).toFixed(2)}, weak)`;
  }
}

function branchWords(found: TaskFindings): string {
  return found.branch ? ` on branch ${found.branch}` : "";
}
