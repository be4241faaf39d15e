import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { isAbsolute, join, relative } from "node:path";
import { parsePrd } from "@csess/prd";
import { runGit } from "./git.js";
import { readCommits, type CommitInfo } from "./log.js";

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
}

/** What git shows a task's branch did since the run's base. */
export async function gatherEvidence(options: GatherEvidenceOptions): Promise<TaskEvidence> {
  // Two dots and first parents: only what the task itself committed, even when the integration
  // branch moved on after the fork or was merged into the task branch.
  const commits = await readCommits(options.root, [`${options.base}..${options.branch}`], { extra: ["--first-parent"] });
  const prdRel = isAbsolute(options.prdPath) ? relative(options.root, options.prdPath) : options.prdPath;
  const prdText = options.worktreePath
    ? await readFile(join(options.worktreePath, prdRel), "utf8").catch(() => null)
    : await readBlob(options.root, `${options.branch}:${prdRel}`);
  return {
    taskId: options.taskId,
    branch: options.branch,
    base: options.base,
    commits,
    trailerCommits: commits.filter((c) => c.taskIds.includes(options.taskId)).map((c) => c.hash),
    insertions: commits.reduce((n, c) => n + c.insertions, 0),
    deletions: commits.reduce((n, c) => n + c.deletions, 0),
    prdTicked: prdText === null ? null : taskTicked(prdText, options.taskId),
  };
}

/** The content of `rev:path` as text, or null when it does not exist. */
export async function readBlob(root: string, spec: string): Promise<string | null> {
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
