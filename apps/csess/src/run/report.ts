import { existsSync, readFileSync } from "node:fs";
import { parsePrd } from "@csess/prd";
import { VERDICTS, type TaskVerdict, type Verdict } from "@csess/verify";
import { iterationsUsed, type RunState, type TaskState } from "./state.js";
import { meaningfulLine } from "@csess/agents";
import { renderTable } from "../table.js";
import { logTail } from "./attempt.js";
import { buildTimeline, type RunTimeline } from "./timeline.js";
import { formatCost, formatTokens, usageOf, type ReportedUsage } from "./usage.js";

/** A task in a run's report: the contract's fields as `csess verify` reports them, plus the run's own. */
export interface TaskReport extends Pick<TaskVerdict, "id" | "title" | "checked" | "verdict" | "reason" | "commits" | "insertions" | "deletions"> {
  iterations: number;
  /** How git shows the work: its own branch (with the trailer or not), or a group's verified sub-tasks. */
  evidence: "branch" | "trailer" | "children" | null;
  /** strong: trailer + own branch + real change; medium: own branch + real change; null: no evidence. */
  grade: "strong" | "medium" | null;
  /** Files the task's net change touches (outside the PRD and csess's paths). */
  filesChanged: number;
  attempts: number;
  exitCodes: Array<number | null>;
  durationMs: number;
  merge: { status: string; commit?: string; message?: string } | null;
  rateLimits: number;
  /** Total tokens the agent reported (null: it did not say). */
  tokens: number | null;
  /** Tokens and cost as the agent reported them ("unknown" = null, never estimated). */
  usage: ReportedUsage;
  /** The check command's result on the last judged attempt, when one was given. */
  check: { exitCode: number; tail: string } | null;
  branch: string | null;
  worktree: string | null;
}

export interface RunReport {
  runId: string;
  prd: string;
  repo: string;
  base: string;
  branch: string;
  agent: string;
  startedAt: string;
  endedAt: string | null;
  status: "finished" | "stopped" | "running" | "interrupted";
  totals: Record<Verdict, number> & { tasks: number };
  tasks: TaskReport[];
  /** Tokens and cost of every agent start of the run, as the agents reported them. */
  usage: ReportedUsage;
  /** When each iteration, pause, merge and limit happened (the HTML report's Gantt chart). */
  timeline: RunTimeline;
  /** What a person has to look at: conflicts, unmerged work, failures with their last log lines. */
  attention: Array<{ taskId: string; what: string; where?: string; lastLines?: string[] }>;
  /** Commits on the integration branch during the run that csess did not make (credited to no task). */
  outsideCommits: Array<{ hash: string; author: string; subject: string }>;
}


export interface ReportInputs {
  state: RunState;
  /** Checkbox state of each task in the real PRD now. */
  checkedNow: Map<string, boolean>;
  running: boolean;
  /** Last lines of an attempt's output log. */
  logTail: (stateDir: string, lines: number) => string[];
}

/** The report of a run now: its journaled state against the checkboxes of the real PRD on disk. */
export function makeReport(run: { state: RunState; prdAbs: string }, running: boolean): RunReport {
  const checkedNow = new Map<string, boolean>();
  try {
    for (const t of parsePrd(readFileSync(run.prdAbs, "utf8")).tasks) checkedNow.set(t.id, t.checked);
  } catch {
    // The PRD is gone or unreadable: report the checkboxes as the run last knew them.
  }
  return buildReport({ state: run.state, checkedNow, running, logTail });
}

export function buildReport({ state, checkedNow, running, logTail }: ReportInputs): RunReport {
  const start = state.start;
  const tasks = [...state.tasks.values()].map((t) => taskReport(t, checkedNow.get(t.id) ?? t.checkedAtStart, state));
  const totals = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as RunReport["totals"];
  totals.tasks = tasks.length;
  for (const t of tasks) totals[t.verdict] += 1;
  const status: RunReport["status"] = state.finished
    ? state.stopped ? "stopped" : "finished"
    : running ? "running" : "interrupted";
  return {
    runId: start.runId,
    prd: start.prdPath,
    repo: start.repoRoot,
    base: start.base,
    branch: start.branch,
    agent: start.config.agent,
    startedAt: start.at,
    endedAt: state.finished?.at ?? null,
    status,
    totals,
    tasks,
    usage: usageOf([...state.tasks.values()].flatMap((t) => t.attempts.flatMap((a) => (a.ended ? [a.ended.outcome] : [])))),
    timeline: buildTimeline(state),
    attention: attentionList(state, tasks, logTail),
    outsideCommits: state.outsideCommits,
  };
}

function pendingReason(task: TaskState, state: RunState): string {
  if (task.checkedAtStart) return "already checked when the run started";
  if (!state.finished) return task.attempts.length ? "in progress" : "not started yet";
  return task.attempts.length ? "not finished: the run stopped" : `not started: the run stopped${state.stopped ? ` (${state.stopped})` : ""}`;
}

function taskReport(task: TaskState, checked: boolean, state: RunState): TaskReport {
  const evidence = task.attempts.map((a) => a.evidence).filter((e) => e !== undefined).at(-1);
  const commits = evidence?.commits ?? [];
  const ended = task.attempts.map((a) => a.ended).filter((e) => e !== undefined);
  const usage = usageOf(ended.map((e) => e.outcome));
  return {
    id: task.id,
    title: task.title,
    checked,
    verdict: task.final?.verdict ?? (task.checkedAtStart ? "skipped" : "pending"),
    reason: task.final?.reason ?? pendingReason(task, state),
    commits: commits.map((c) => c.hash),
    iterations: iterationsUsed(task),
    evidence: evidenceKind(task, evidence),
    grade: evidenceGrade(evidence),
    filesChanged: evidence?.change?.files ?? 0,
    attempts: task.attempts.length,
    exitCodes: ended.map((e) => e.exitCode),
    durationMs: ended.reduce((sum, e) => sum + e.durationMs, 0),
    insertions: evidence?.change?.insertions ?? commits.reduce((s, c) => s + c.insertions, 0),
    deletions: evidence?.change?.deletions ?? commits.reduce((s, c) => s + c.deletions, 0),
    merge: task.merge ? { status: task.merge.status, commit: task.merge.commit, message: task.merge.message } : null,
    rateLimits: task.rateLimits,
    tokens: usage.tokens.value,
    usage,
    check: evidence?.check ?? null,
    // Worktrees of landed or empty tasks are cleaned up: report only what is still there.
    branch: task.branch && task.worktree && existsSync(task.worktree) ? task.branch : null,
    worktree: task.worktree && existsSync(task.worktree) ? task.worktree : null,
  };
}

function attentionList(state: RunState, tasks: TaskReport[], logTail: ReportInputs["logTail"]): RunReport["attention"] {
  const items: RunReport["attention"] = [];
  for (const reported of tasks) {
    const task = state.tasks.get(reported.id)!;
    const unmerged = reported.commits.length > 0 && reported.merge?.status !== "merged";
    if (reported.verdict === "conflict") {
      items.push({ taskId: reported.id, what: `merge conflict: ${reported.merge?.message ?? ""}`.trim(), where: reported.branch ?? undefined });
    } else if (unmerged) {
      items.push({ taskId: reported.id, what: "commits not merged", where: reported.worktree ?? reported.branch ?? undefined });
    }
    if (reported.verdict === "failed" || reported.verdict === "claimed-unverified") {
      const last = task.attempts.at(-1);
      // A CLI warning, or the classifier's "exited 0" when the agent said nothing, is not what the agent said.
      const summary = last?.ended?.outcome.summary ?? "";
      const said = /^exit(?:ed)? \S+$/.test(summary) ? undefined : meaningfulLine(summary);
      items.push({
        taskId: reported.id,
        what: `${reported.verdict}: ${reported.reason}`,
        where: last?.stateDir,
        lastLines: last ? [...(said ? [`agent said: ${said}`] : []), ...readableTail(last.stateDir, logTail)].slice(-4) : undefined,
      });
    }
  }
  return items;
}

/** The log's last lines a person can read: agents' JSON events and CLI warnings are left to the log file itself. */
function readableTail(stateDir: string, logTail: ReportInputs["logTail"]): string[] {
  return logTail(stateDir, 40).filter((l) => !l.trimStart().startsWith("{") && meaningfulLine(l) !== undefined).slice(-3);
}

function duration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

function summaryLine(report: RunReport): string {
  const parts = VERDICTS.filter((v) => report.totals[v] > 0).map((v) => `${report.totals[v]} ${v}`);
  return `${report.totals.tasks} tasks: ${parts.join(", ") || "none"}`;
}

/** Wraps text to lines of at most `width` characters (words longer than that are split). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.replace(/\s+/g, " ").trim().split(" ")) {
    for (let rest = word; rest !== ""; ) {
      const room = line === "" ? width : width - line.length - 1;
      if (rest.length <= room) {
        line = line === "" ? rest : `${line} ${rest}`;
        rest = "";
      } else if (line !== "") {
        lines.push(line);
        line = "";
      } else {
        lines.push(rest.slice(0, width));
        rest = rest.slice(width);
      }
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

/**
 * The terminal table people read at the end of a run: one row per task that fits `width` columns
 * (only the title is shortened, never the verdict), with its reason wrapped on the lines below.
 */
export function formatReportTable(report: RunReport, width = 100): string {
  const header = ["VERDICT", "ID", "ITER", "429", "COMMITS", "TOKENS", "COST", "TASK"];
  const cells = report.tasks.map((t) => [
    t.verdict,
    t.id,
    String(t.iterations),
    t.rateLimits ? String(t.rateLimits) : "",
    t.commits.length ? `${t.commits.length} +${t.insertions ?? 0}/-${t.deletions ?? 0}` : "",
    formatTokens(t.usage.tokens),
    formatCost(t.usage.costUsd),
  ]);
  const fixed = header.slice(0, -1).map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const titleWidth = Math.max(12, width - fixed.reduce((a, w) => a + w + 2, 0));
  const rows = report.tasks.map((t, i) => [...cells[i]!, t.title.length > titleWidth ? `${t.title.slice(0, titleWidth - 1)}…` : t.title]);
  const table = renderTable(header, rows, width).split("\n");
  const lines = [...wrap(`Run ${report.runId} (${report.status}) on ${report.branch} — ${report.prd}`, width), "", table[0]!];
  report.tasks.forEach((t, i) => {
    lines.push(table[i + 1]!);
    for (const l of wrap(t.reason, width - 4)) lines.push(`    ${l}`);
  });
  lines.push("", ...wrap(summaryLine(report), width), `tokens ${formatTokens(report.usage.tokens)}, cost ${formatCost(report.usage.costUsd)} (as the agents reported them)`);
  if (report.attention.length) {
    lines.push("", "Needs a person:");
    for (const a of report.attention) {
      wrap(`- ${a.taskId}: ${a.what}${a.where ? ` (${a.where})` : ""}`, width - 2).forEach((l, j) => lines.push(j === 0 ? `  ${l}` : `    ${l}`));
      for (const l of a.lastLines ?? []) lines.push(`      | ${l.length > width - 8 ? `${l.slice(0, width - 9)}…` : l}`);
    }
  }
  if (report.outsideCommits.length) {
    lines.push("", `Commits on ${report.branch} that csess did not make (credited to no task):`);
    for (const c of report.outsideCommits) lines.push(...wrap(`  ${c.hash.slice(0, 8)} ${c.author}: ${c.subject}`, width));
  }
  return lines.join("\n") + "\n";
}

function md(text: string): string {
  return text.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/** Markdown for pasting into a PR. */
export function formatReportMarkdown(report: RunReport): string {
  const lines = [
    `# csess run ${report.runId}`,
    "",
    `PRD \`${report.prd}\` on \`${report.branch}\` (base \`${report.base.slice(0, 10)}\`), agent ${report.agent}, ${report.status}.`,
    "",
    `**${summaryLine(report)}**; tokens ${formatTokens(report.usage.tokens)}, cost ${formatCost(report.usage.costUsd)} (as the agents reported them).`,
    "",
    "| Verdict | Task | Iterations | Rate limits | Commits | +/- | Merge | Duration | Tokens | Cost | Reason |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...report.tasks.map(
      (t) =>
        `| ${t.verdict} | \`${t.id}\` ${md(t.title)} | ${t.iterations} | ${t.rateLimits} | ${t.commits.map((c) => c.slice(0, 8)).join(" ")} | ${t.commits.length ? `+${t.insertions}/-${t.deletions}` : ""} | ${t.merge?.status ?? ""} | ${duration(t.durationMs)} | ${formatTokens(t.usage.tokens)} | ${formatCost(t.usage.costUsd)} | ${md(t.reason)} |`,
    ),
  ];
  if (report.attention.length) {
    lines.push("", "## Needs a person", "");
    for (const a of report.attention) {
      lines.push(`- \`${a.taskId}\`: ${md(a.what)}${a.where ? ` — \`${a.where}\`` : ""}`);
      if (a.lastLines?.length) lines.push("", "  ```", ...a.lastLines.map((l) => `  ${l}`), "  ```");
    }
  }
  if (report.outsideCommits.length) {
    lines.push("", `## Commits on \`${report.branch}\` that csess did not make`, "", "Credited to no task.", "");
    for (const c of report.outsideCommits) lines.push(`- \`${c.hash.slice(0, 8)}\` ${md(c.author)}: ${md(c.subject)}`);
  }
  return lines.join("\n") + "\n";
}

type EvidenceRecord = NonNullable<TaskState["attempts"][number]["evidence"]>;

function evidenceGrade(evidence: EvidenceRecord | undefined): TaskReport["grade"] {
  if (!evidence || evidence.commits.length === 0) return null;
  // Journals written before grades existed: any commit counted then.
  return evidence.grade !== undefined ? evidence.grade : evidence.commits.some((c) => c.trailer) ? "strong" : "medium";
}

function evidenceKind(task: TaskState, evidence: EvidenceRecord | undefined): TaskReport["evidence"] {
  if (task.group) return task.final?.verdict === "verified" ? "children" : null;
  const grade = evidenceGrade(evidence);
  return grade === null ? null : grade === "strong" ? "trailer" : "branch";
}
