import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { isAbsolute, join, relative } from "node:path";
import { parsePrd } from "@csess/prd";
import { runGit, runGitScript } from "./git.js";
import { addNumstat, LOG_FORMAT, parseLog, type CommitInfo } from "./log.js";

export interface GatherEvidenceOptions {
  root: string;
  /** The commit the task branch was created from (the run's base). */
  base: string;
  branch: string;
  taskId: string;
  /** The PRD's path (absolute, or relative to `root`). */
  prdPath: string;
  /** The task's worktree: its PRD copy is read from disk there (agents may tick without committing). */
  worktreePath?: string;
}

export interface TaskEvidence {
  taskId: string;
  branch: string;
  base: string;
  /** The branch's own commits, `base..branch` along first parents, newest first. */
  commits: CommitInfo[];
  /** Hashes of those commits that carry `Csess-Task: <taskId>`. */
  trailerCommits: string[];
  insertions: number;
  deletions: number;
  /** The task's box in the branch's PRD copy: null when the PRD or the task is missing there. */
  prdTicked: boolean | null;
  /**
   * The branch's net change `base..branch` outside the PRD and csess's own paths, whitespace-only
   * edits left out: what the task would really land. Empty when there is none.
   */
  netChange: { files: string[]; insertions: number; deletions: number };
  /** Commits whose `Csess-Task:` trailer names another task: nobody's evidence (a mismatch). */
  mismatched: Array<{ commit: string; taskIds: string[] }>;
  /** Why the branch is no evidence, in words; null when it is. */
  problem: string | null;
  /** strong: the trailer on its own branch with a real change; medium: its own branch without the trailer. */
  grade: "strong" | "medium" | null;
}

/** Paths whose changes are never a task's work: csess's own state (the PRD is passed separately). */
export const CSESS_PATHS = [".csess/"];

/** What git shows a task's branch did since the run's base. */
export async function gatherEvidence(options: GatherEvidenceOptions): Promise<TaskEvidence> {
  const prdRel = isAbsolute(options.prdPath) ? relative(options.root, options.prdPath) : options.prdPath;
  const [{ gone, commits, forked, netChange }, prdText] = await Promise.all([
    readBranch(options.root, options.branch, options.base, prdRel),
    options.worktreePath
      ? readFile(join(options.worktreePath, prdRel), "utf8").catch(() => null)
      : readBlob(options.root, `${options.branch}:${prdRel}`),
  ]);
  const trailerCommits = commits.filter((c) => c.taskIds.includes(options.taskId)).map((c) => c.hash);
  const mismatched = commits
    .filter((c) => c.taskIds.length > 0 && !c.taskIds.includes(options.taskId))
    .map((c) => ({ commit: c.hash, taskIds: c.taskIds }));
  const problem = evidenceProblem({ gone, baseKept: forked, commits, netChange, mismatched, prdRel });
  return {
    taskId: options.taskId,
    branch: options.branch,
    base: options.base,
    commits,
    trailerCommits,
    insertions: netChange.insertions,
    deletions: netChange.deletions,
    prdTicked: prdText === null ? null : taskTicked(prdText, options.taskId),
    netChange,
    mismatched,
    problem,
    grade: problem !== null ? null : trailerCommits.length > 0 ? "strong" : "medium",
  };
}

/**
 * The branch as git shows it, in one script (one process from the runner's busy main thread): whether
 * it is gone, and everything else asked of its tip as the script first read it, even if it moves meanwhile;
 * - its commits `base..tip`, two dots and first parents: only what the task itself committed, even when
 *   the integration branch moved on after the fork or was merged into the task branch;
 * - whether the branch still shares history with its base (a fork point): an agent that rewrote history
 *   below its base gets judged (and merged, three-way) on what it adds since the fork, never on what it
 *   dropped;
 * - the net change fork..tip (`base...tip`: git finds the fork itself): with `-w --ignore-blank-lines`
 *   git leaves out files whose only differences are whitespace, and the PRD (agents tick their copy)
 *   and csess's paths never count. Only when that diff fails is `git merge-base` asked why.
 */
async function readBranch(root: string, branch: string, base: string, prdRel: string) {
  const script = [
    'tip=$(git rev-parse --verify --quiet "refs/heads/$1^{commit}") || exit 0',
    'base=$2 format=$3',
    "shift 3",
    'echo "$tip"',
    'git log "--format=$format" --numstat --no-renames --no-color --first-parent "$base..$tip" -- || exit',
    // NUL: numstat lines never hold one, so the last NUL is where the log ends whatever a message says.
    "printf '\\0'",
    'git diff --numstat -w --ignore-blank-lines --no-renames --no-color "$base...$tip" -- "$@" && exit 0 || status=$?',
    // git's answer to "no merge base" is a fatal error like any other: merge-base tells them apart (exit 1).
    'git merge-base "$base" "$tip" >/dev/null; [ "$?" -eq 1 ] || exit "$status"',
    `echo "${NO_FORK}"`,
  ].join("\n");
  const excludes = [prdRel, ...CSESS_PATHS].map((p) => `:(exclude)${p}`);
  const out = (await runGitScript(root, `evidence of ${branch}`, script, [branch, base, LOG_FORMAT, ".", ...excludes])).stdout;
  const netChange: TaskEvidence["netChange"] = { files: [], insertions: 0, deletions: 0 };
  const tipEnd = out.indexOf("\n");
  if (tipEnd === -1) return { gone: true, commits: [], forked: false, netChange };
  const logEnd = out.lastIndexOf("\0");
  const diff = out.slice(logEnd + 1);
  const forked = diff !== `${NO_FORK}\n`;
  if (forked) addNumstat(netChange, diff);
  return { gone: false, commits: parseLog(out.slice(tipEnd + 1, logEnd)), forked, netChange };
}

/** What the evidence script says after the log when the branch and its base share no history (no numstat line reads so: no tab). */
const NO_FORK = "no merge base";

function evidenceProblem(found: {
  gone: boolean; baseKept: boolean; commits: CommitInfo[]; netChange: TaskEvidence["netChange"];
  mismatched: TaskEvidence["mismatched"]; prdRel: string;
}): string | null {
  if (found.gone) return "its branch is gone (the agent deleted it)";
  if (!found.baseKept) return "its branch shares no history with the commit it started from";
  if (found.commits.length === 0) return "no commit on the task branch";
  const first = found.mismatched[0];
  if (first) {
    return `commit ${first.commit.slice(0, 10)} on its branch names task ${first.taskIds.join(", ")} in its Csess-Task trailer (a mismatch: nobody's evidence)`;
  }
  if (found.netChange.files.length > 0) return null;
  const touched = new Set(found.commits.flatMap((c) => c.files));
  const n = found.commits.length;
  const commits = `${n} commit${n === 1 ? "" : "s"}`;
  if (touched.size === 0) return `${commits} on its branch, all empty`;
  if ([...touched].every((f) => f === found.prdRel)) return `${commits} on its branch only change ${found.prdRel} (ticking a box is not work)`;
  if ([...touched].every((f) => f === found.prdRel || CSESS_PATHS.some((p) => f.startsWith(p)))) {
    return `${commits} on its branch only change csess's own paths (${CSESS_PATHS.join(", ")})`;
  }
  return `${commits} on its branch, but no net change (whitespace only, or undone again)`;
}

/** The content of `rev:path` as text, or null when it does not exist. */
async function readBlob(root: string, spec: string): Promise<string | null> {
  const result = await runGit(root, ["cat-file", "blob", spec], { okExitCodes: [128] });
  return result.exitCode === 0 ? result.stdout : null;
}

function taskTicked(prdText: string, taskId: string): boolean | null {
  try {
    return parsePrd(prdText).tasks.find((t) => t.id === taskId)?.checked ?? null;
  } catch {
    return null; // an unparsable copy is no claim either way
  }
}

export interface CheckResult {
  command: string;
  passed: boolean;
  /** Exit code, or null when killed by a signal or the timeout. */
  exitCode: number | null;
  timedOut: boolean;
  /** The last lines of combined stdout and stderr. */
  tail: string;
  durationMs: number;
}

export interface RunCheckOptions {
  cwd: string;
  /** The user's configured check (e.g. "pnpm test"); run by `sh -c`, as the user wrote it. */
  command: string;
  timeoutMs?: number;
  tailLines?: number;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs the user's check command in a worktree. The command is the user's own configuration, never
 * task text, so a shell is what they expect. On timeout the whole process group is killed.
 */
export function runCheck(options: RunCheckOptions): Promise<CheckResult> {
  const started = Date.now();
  const maxLines = options.tailLines ?? 40;
  return new Promise((resolvePromise, reject) => {
    const child = spawn("sh", ["-c", options.command], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // own process group, so a timeout kills the command's children too
    });
    let output = "";
    const keep = (chunk: Buffer) => {
      output += chunk.toString("utf8");
      if (output.length > 64_000) output = output.slice(-32_000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            try {
              process.kill(-child.pid!, "SIGKILL");
            } catch {
              child.kill("SIGKILL");
            }
          }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const lines = output.trimEnd().split("\n");
      resolvePromise({
        command: options.command,
        passed: code === 0 && !timedOut,
        exitCode: timedOut ? null : code,
        timedOut,
        tail: lines.slice(-maxLines).join("\n"),
        durationMs: Date.now() - started,
      });
    });
  });
}
