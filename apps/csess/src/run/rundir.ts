import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../errors.js";

/** `.csess/` in the repo: git-ignored by its own `.gitignore`, so the user's files are never edited. */
export function csessDir(repoRoot: string): string {
  const dir = join(repoRoot, ".csess");
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, ".gitignore"), "*\n");
  }
  return dir;
}

export function runsDir(repoRoot: string): string {
  return join(csessDir(repoRoot), "runs");
}

export function runDir(repoRoot: string, runId: string): string {
  return join(runsDir(repoRoot), runId);
}

/** Short, typeable, sortable by start time: e.g. `1121-1432-k3`. */
export function newRunId(repoRoot: string, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, "0");
  for (;;) {
    const id = `${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}-${randomBytes(2).toString("hex").slice(0, 3)}`;
    if (!existsSync(runDir(repoRoot, id))) return id;
  }
}

/** Run ids, oldest first. */
export function listRuns(repoRoot: string): string[] {
  const dir = join(repoRoot, ".csess", "runs");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, "events.jsonl")))
    .sort((a, b) => statSync(join(dir, a, "events.jsonl")).birthtimeMs - statSync(join(dir, b, "events.jsonl")).birthtimeMs || a.localeCompare(b));
}

/** `RUN` argument or the newest run; clear error listing the known ones otherwise. */
export function resolveRunId(repoRoot: string, requested?: string): string {
  const runs = listRuns(repoRoot);
  if (runs.length === 0) {
    throw new UserError(`no csess runs in ${repoRoot} (expected .csess/runs/<id>/events.jsonl); start one with: csess run PRD.md`);
  }
  if (!requested) return runs.at(-1)!;
  if (runs.includes(requested)) return requested;
  const matches = runs.filter((r) => r.startsWith(requested) || r.endsWith(requested));
  if (matches.length === 1) return matches[0]!;
  throw new UserError(
    `unknown run "${requested}"; known runs: ${runs.slice(-8).join(", ")}${runs.length > 8 ? ", ..." : ""}`,
  );
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

interface LockInfo {
  pid: number;
  runId: string;
  prd: string;
}

/**
 * One active runner per PRD: a lock file named after the PRD path holding the runner's pid.
 * A lock whose pid is gone (crash, kill -9) is stale and taken over.
 */
export class RunLock {
  private constructor(private readonly file: string) {}

  static lockFile(repoRoot: string, prdPath: string): string {
    const key = createHash("sha1").update(prdPath).digest("hex").slice(0, 12);
    return join(csessDir(repoRoot), `active-${key}.lock`);
  }

  static holder(repoRoot: string, prdPath: string): LockInfo | undefined {
    const file = RunLock.lockFile(repoRoot, prdPath);
    try {
      const info = JSON.parse(readFileSync(file, "utf8")) as LockInfo;
      return isAlive(info.pid) && info.pid !== process.pid ? info : undefined;
    } catch {
      return undefined;
    }
  }

  static acquire(repoRoot: string, prdPath: string, runId: string): RunLock {
    const file = RunLock.lockFile(repoRoot, prdPath);
    const info = JSON.stringify({ pid: process.pid, runId, prd: prdPath } satisfies LockInfo);
    for (let tries = 0; tries < 3; tries += 1) {
      try {
        writeFileSync(file, info, { flag: "wx" }); // O_EXCL: exactly one runner creates it
        return new RunLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const holder = RunLock.holder(repoRoot, prdPath);
      if (holder) {
        throw new UserError(
          `a csess run is already active on ${prdPath} (run ${holder.runId}, pid ${holder.pid}); see: csess status, or stop it with: csess stop ${holder.runId}`,
        );
      }
      rmSync(file, { force: true }); // stale: its runner is gone
    }
    throw new UserError(`cannot take the run lock ${file}; another csess is starting on ${prdPath} right now`);
  }

  release(): void {
    try {
      const info = JSON.parse(readFileSync(this.file, "utf8")) as LockInfo;
      if (info.pid === process.pid) rmSync(this.file, { force: true });
    } catch {
      // Already gone.
    }
  }
}
