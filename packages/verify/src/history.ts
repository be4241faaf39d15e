import { gitOut, resolveCommit, runGit } from "./git.js";
import { CSESS_PATHS, gatherEvidence } from "./evidence.js";
import { addStats, readCommits, startStatsPass, type CommitInfo, type StatsPass } from "./log.js";
import { TaskMatcher } from "./match.js";
import { reconcile, type EvidenceKind, type ReconcileTask, type TaskFindings, type TaskVerdict } from "./reconcile.js";
import { slugify } from "./worktree.js";

export interface VerifyHistoryOptions {
  /** The repository's top level (see `openRepo`). */
  root: string;
  tasks: readonly ReconcileTask[];
  /** Only commits after this ref count (`REF..HEAD`); default: all of HEAD's history. */
  since?: string;
  /** The PRD's path relative to `root`: commits that only change it (ticking boxes) are no evidence. */
  prdPath?: string;
  /** Minimum message-match score for weak evidence (default 0.6). */
  threshold?: number;
  /**
   * What a csess run saw happen that git cannot show (a failed check, a merge conflict, a box ticked
   * only in the task's worktree, a task that failed or was skipped), so `verify` and the run judge
   * the same facts with the same function.
   */
  runOutcomes?: ReadonlyMap<string, RunOutcome>;
  /** Commits that are evidence for no task (e.g. made outside csess on the integration branch during a run). */
  notEvidence?: ReadonlySet<string>;
}

export type RunOutcome = Pick<TaskFindings, "outcome" | "claimed" | "iterations" | "check" | "note">;

export interface HistoryReport {
  head: string;
  since: string | null;
  /** How many commits the one `git log` pass read. */
  commitsScanned: number;
  tasks: TaskVerdict[];
  /** `Csess-Task:` trailers naming ids the PRD does not have (renamed or removed tasks). */
  unknownTrailers: Array<{ taskId: string; commit: string }>;
}

/**
 * What looking up one commit's stats by hash costs, in commits of the range-wide pass: about two (both
 * measured alone). The lookups run as two processes at once, which only helps when cores are idle; on
 * a busy 2-core machine (verify's own matching, a run's agents) their CPU is their wall time, and
 * finishing the pass there cut `csess verify`'s CPU on 1,000 tasks × 10,000 commits from 2.5 s to 1.8 s.
 */
const LOOKUP_COST = 2;

const MERGE_SUBJECT = [
  /^Merge branch '([^']+)'/,
  /^Merge remote-tracking branch '(?:[^/']+\/)?([^']+)'/,
  /^Merge pull request #\d+ from [^/\s]+\/(\S+)/,
];

/** The one `git log` pass, indexed: every commit by hash, HEAD's first-parent chain, merges' owners. */
interface History {
  head: string;
  commits: CommitInfo[];
  byHash: Map<string, CommitInfo>;
  mainline: Set<string>;
  /**
   * A commit brought in by a merge that names its task (csess's own merges do) belongs to that task:
   * a trailer in it naming another task is a mismatch, nobody's evidence.
   */
  owner: Map<string, string[]>;
}

/** Strong evidence per task: trailers and branches, each with its commits. */
type StrongEvidence = Map<string, { kind: EvidenceKind; commits: Set<string>; branch?: string }>;

/**
 * Reconciles a PRD's tasks with a repository's history (e.g. after a ralphy or hand-run session) in
 * one `git log` pass: a `Csess-Task` trailer or a branch named after the task is strong evidence, a
 * commit subject that matches the task's words is weak evidence with a score.
 */
export async function verifyHistory(options: VerifyHistoryOptions): Promise<HistoryReport> {
  const { root, tasks } = options;
  // Three independent questions: one round of git processes, not three.
  const [head, since, branches] = await Promise.all([
    resolveCommit(root, "HEAD"),
    options.since === undefined ? null : resolveCommit(root, options.since),
    localBranches(root),
  ]);
  if (head === null) throw new Error(`${root} has no commits yet`);
  if (options.since !== undefined && since === null) {
    throw new Error(`--since ${options.since} is not a commit in ${root} (expected a branch, tag or hash, e.g. --since v1.2.0)`);
  }
  const branchOf = taskBranches(tasks, branches);
  const revs = ["HEAD", ...[...branchOf.keys()].map((b) => `refs/heads/${b}`), ...(since ? [`^${since}`] : [])];
  // Diffs are most of git's cost: the range is read without them, and a pass with them runs beside
  // it and the matching, for when most commits turn out to need theirs.
  const statsPass = startStatsPass(root, revs);
  try {
    return await judgeHistory(options, { head, since, branchOf, revs }, statsPass);
  } finally {
    statsPass.cancel();
  }
}

/** What `verifyHistory` resolved before reading the range: HEAD, --since, task branches, git's revs. */
interface Range {
  head: string;
  since: string | null;
  branchOf: ReadonlyMap<string, string>;
  revs: string[];
}

async function judgeHistory(options: VerifyHistoryOptions, range: Range, statsPass: StatsPass): Promise<HistoryReport> {
  const { root, tasks } = options;
  const { head, since, branchOf, revs } = range;
  const history = indexHistory(head, await readCommits(root, revs, { stats: false }));
  const strong: StrongEvidence = new Map();
  const unknownTrailers = strongFromCommits(tasks, history, strong);
  // Commits only on a task branch that fails that rule are evidence for nothing, by no route.
  const rejected = new Set<string>(options.notEvidence);
  for (const hash of await judgeTaskBranches(root, history, branchOf, strong, options.prdPath ?? "PRD.md")) rejected.add(hash);
  const weak = weakFromSubjects(tasks, history.commits, options.threshold);

  // Diffs only for the commits that may be evidence: a commit counts if it changes more than the PRD.
  const { byHash, owner } = history;
  const candidates = new Set<string>();
  for (const { commits: hashes } of strong.values()) for (const h of hashes) candidates.add(h);
  for (const scores of weak.values()) for (const h of scores.keys()) candidates.add(h);
  const needStats = [...candidates].map((h) => byHash.get(h)!).filter((c) => c.parents.length < 2);
  // Finish the range-wide pass when what it has left costs git less than looking the commits up would;
  // if it failed (a full temp folder, say), look them up all the same.
  const worthFinishing = history.commits.length - statsPass.read() < LOOKUP_COST * needStats.length;
  if (!(worthFinishing && (await statsPass.fill(needStats).then(() => true, () => false)))) {
    statsPass.cancel();
    await addStats(root, needStats);
  }
  const counts = (hash: string) => {
    const c = byHash.get(hash)!;
    const mismatched = c.taskIds.length > 0 && owner.has(hash) && c.taskIds.some((id) => !owner.get(hash)!.includes(id));
    return c.parents.length < 2 && !mismatched && !rejected.has(hash) && c.files.some((f) => f !== options.prdPath && !CSESS_PATHS.some((p) => f.startsWith(p)));
  };

  const branchOfTask = new Map([...branchOf].map(([branch, taskId]) => [taskId, branch]));
  const findings = new Map<string, TaskFindings>();
  for (const task of tasks) {
    const strongHashes = [...(strong.get(task.id)?.commits ?? [])].filter(counts);
    const found = strongHashes.length > 0 ? strong.get(task.id) : undefined;
    const weakHashes = found ? [] : [...(weak.get(task.id)?.keys() ?? [])].filter(counts);
    const hashes = found ? strongHashes : weakHashes;
    const stats = hashes.map((h) => byHash.get(h)!);
    findings.set(task.id, {
      commits: hashes,
      evidence: found ? found.kind : hashes.length > 0 ? "message" : null,
      ...(!found && hashes.length > 0 ? { score: Math.max(...hashes.map((h) => weak.get(task.id)!.get(h)!)) } : {}),
      ...(found?.branch ? { branch: found.branch } : {}),
      insertions: stats.reduce((n, c) => n + c.insertions, 0),
      deletions: stats.reduce((n, c) => n + c.deletions, 0),
      ...(await stillStands(root, head, branchOfTask.get(task.id), options.runOutcomes?.get(task.id))),
    });
  }
  return { head, since, commitsScanned: history.commits.length, tasks: reconcile(tasks, findings), unknownTrailers };
}

function indexHistory(head: string, commits: CommitInfo[]): History {
  const byHash = new Map(commits.map((c) => [c.hash, c]));
  const mainline = firstParentChain(head, byHash);
  const owner = new Map<string, string[]>();
  for (const commit of commits) {
    if (commit.parents.length > 1 && commit.taskIds.length > 0) {
      for (const side of sideCommits(commit, byHash, mainline)) owner.set(side, commit.taskIds);
    }
  }
  return { head, commits, byHash, mainline, owner };
}

function addStrong(strong: StrongEvidence, taskId: string, kind: EvidenceKind, hashes: Iterable<string>, branch?: string): void {
  const current = strong.get(taskId);
  if (current && current.kind === "trailer" && kind === "branch") return; // trailer beats branch
  const entry = current?.kind === kind ? current : { kind, commits: new Set<string>(), ...(branch ? { branch } : {}) };
  for (const hash of hashes) entry.commits.add(hash);
  strong.set(taskId, entry);
}

/** Trailers and merged branches named after tasks; returns the trailers naming no task of the PRD. */
function strongFromCommits(tasks: readonly ReconcileTask[], history: History, strong: StrongEvidence): HistoryReport["unknownTrailers"] {
  const { commits, byHash, mainline, owner } = history;
  const known = new Set(tasks.map((t) => t.id));
  const unknownTrailers: HistoryReport["unknownTrailers"] = [];
  const mismatch = (commit: CommitInfo, taskId: string) => {
    const owners = owner.get(commit.hash);
    return owners !== undefined && !owners.includes(taskId);
  };
  for (const commit of commits) {
    for (const taskId of commit.taskIds) {
      if (!known.has(taskId)) unknownTrailers.push({ taskId, commit: commit.hash });
      else if (mismatch(commit, taskId)) continue;
      else addStrong(strong, taskId, "trailer", commit.parents.length > 1 ? sideCommits(commit, byHash, mainline) : [commit.hash]);
    }
    if (commit.parents.length > 1) {
      const name = mergedBranchName(commit);
      const taskId = name === null ? undefined : matchBranch(tasks, name);
      if (taskId !== undefined) addStrong(strong, taskId, "branch", sideCommits(commit, byHash, mainline), name!);
    }
  }
  return unknownTrailers;
}

/**
 * Unmerged task branches, judged by the same rule as a run's (a real net change since it forked, no
 * commit naming another task): evidence when they pass; returns the commits of those that fail. A
 * branch already merged into HEAD is left to the history (its merge commit, its trailers).
 */
async function judgeTaskBranches(
  root: string, history: History, branchOf: ReadonlyMap<string, string>, strong: StrongEvidence, prdPath: string,
): Promise<string[]> {
  const rejected: string[] = [];
  for (const [branch, taskId] of branchOf) {
    const tip = await resolveCommit(root, `refs/heads/${branch}`);
    if (!tip || !history.byHash.has(tip)) continue;
    const base = await gitOut(root, ["merge-base", history.head, tip]);
    if (base === tip) continue; // merged into HEAD already (and kept): its merge and trailers speak for it
    const evidence = await gatherEvidence({ root, base, branch, taskId, prdPath });
    const own = walkUntil([tip], history.byHash, history.mainline);
    if (evidence.problem === null) addStrong(strong, taskId, "branch", own, branch);
    else rejected.push(...own);
  }
  return rejected;
}

/** Weak evidence: commit subjects matching a task's words, task id -> commit -> score. */
function weakFromSubjects(tasks: readonly ReconcileTask[], commits: readonly CommitInfo[], threshold: number | undefined): Map<string, Map<string, number>> {
  const matcher = new TaskMatcher(tasks, threshold);
  const weak = new Map<string, Map<string, number>>();
  for (const commit of commits) {
    if (commit.parents.length > 1) continue;
    for (const { taskId, score } of matcher.match(commit.subject)) {
      const entry = weak.get(taskId) ?? new Map<string, number>();
      entry.set(commit.hash, score);
      weak.set(taskId, entry);
    }
  }
  return weak;
}

/** A run's conflict stands while its branch is unmerged; once someone merged it, git decides. */
async function stillStands(root: string, head: string, branch: string | undefined, outcome: RunOutcome | undefined): Promise<RunOutcome> {
  if (outcome?.outcome !== "conflict" || branch === undefined) return outcome ?? {};
  const merged = (await runGit(root, ["merge-base", "--is-ancestor", `refs/heads/${branch}`, head], { okExitCodes: [1] })).exitCode === 0;
  if (!merged) return outcome;
  const { outcome: _conflict, ...rest } = outcome;
  return rest;
}

/** Local branches but the checked-out one (`%(HEAD)` marks it "*"). */
async function localBranches(root: string): Promise<string[]> {
  const lines = (await runGit(root, ["for-each-ref", "--format=%(HEAD)%(refname:short)", "refs/heads"])).stdout.split("\n"); // untrimmed: " " leads
  return lines.filter((line) => line.startsWith(" ")).map((line) => line.slice(1));
}

/** Local branches named after a task -> that task's id. */
function taskBranches(tasks: readonly ReconcileTask[], branches: string[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const branch of branches) {
    const taskId = matchBranch(tasks, branch);
    if (taskId !== undefined) found.set(branch, taskId);
  }
  return found;
}

/**
 * The task a branch is named after: its last path segment is the task's slug (or a prefix of at least
 * 16 characters of it, as tools truncate), its id, or a slug ending in "-<id>".
 */
export function matchBranch(tasks: readonly ReconcileTask[], branch: string): string | undefined {
  const leaf = branch.slice(branch.lastIndexOf("/") + 1).toLowerCase();
  for (const task of tasks) {
    const id = task.id.toLowerCase();
    if (leaf === id || leaf.endsWith(`-${id}`)) return task.id;
  }
  for (const task of tasks) {
    const slug = slugify(task.title, 200);
    if (leaf === slug || (leaf.length >= 16 && slug.startsWith(leaf))) return task.id;
  }
  return undefined;
}

function mergedBranchName(merge: CommitInfo): string | null {
  for (const pattern of MERGE_SUBJECT) {
    const name = pattern.exec(merge.subject)?.[1];
    if (name) return name;
  }
  return /^Branch: (\S+)$/m.exec(merge.message)?.[1] ?? null; // csess's own merge commits
}

function firstParentChain(head: string, byHash: ReadonlyMap<string, CommitInfo>): Set<string> {
  const chain = new Set<string>();
  for (let at: CommitInfo | undefined = byHash.get(head); at && !chain.has(at.hash); at = byHash.get(at.parents[0] ?? "")) {
    chain.add(at.hash);
  }
  return chain;
}

/** Commits a merge brought in: reachable from its other parents, not from the mainline. */
function sideCommits(merge: CommitInfo, byHash: ReadonlyMap<string, CommitInfo>, mainline: ReadonlySet<string>): string[] {
  return walkUntil(merge.parents.slice(1), byHash, mainline);
}

function walkUntil(starts: string[], byHash: ReadonlyMap<string, CommitInfo>, stop: ReadonlySet<string>): string[] {
  const seen = new Set<string>();
  const queue = [...starts];
  while (queue.length > 0) {
    const hash = queue.pop()!;
    if (seen.has(hash) || stop.has(hash)) continue;
    const commit = byHash.get(hash);
    if (!commit) continue; // before --since
    seen.add(hash);
    queue.push(...commit.parents);
  }
  return [...seen];
}
