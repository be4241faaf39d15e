import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../errors.js";

/**
 * Where csess keeps its state: `csess/` in the checkout's git directory (`.git`, or
 * `.git/worktrees/<name>` for a linked worktree). Git never tracks it, so no commit, merge or
 * checkout can write there, and it is outside every task's worktree.
 */
export function stateDir(repoRoot: string): string {
  const dir = join(gitDir(repoRoot) ?? join(repoRoot, ".csess"), "csess");
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

function gitDir(repoRoot: string): string | undefined {
  const dotGit = join(repoRoot, ".git");
  try {
    if (statSync(dotGit).isDirectory()) return dotGit;
    const pointer = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, "utf8"))?.[1];
    return pointer === undefined ? undefined : resolve(repoRoot, pointer.trim());
  } catch {
    return undefined;
  }
}

/** Where runs were kept before csess 0.2 (still read, so old runs keep their reports). */
function legacyRunsDir(repoRoot: string): string {
  return join(repoRoot, ".csess", "runs");
}

export function runsDir(repoRoot: string): string {
  return join(stateDir(repoRoot), "runs");
}

export function runDir(repoRoot: string, runId: string): string {
  const dir = join(runsDir(repoRoot), runId);
  const legacy = join(legacyRunsDir(repoRoot), runId);
  return !existsSync(dir) && existsSync(legacy) ? legacy : dir;
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
  const journals = new Map<string, string>();
  for (const dir of [legacyRunsDir(repoRoot), runsDir(repoRoot)]) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const journal = join(dir, name, "events.jsonl");
      if (existsSync(journal)) journals.set(name, journal);
    }
  }
  const born = (id: string) => statSync(journals.get(id)!).birthtimeMs;
  return [...journals.keys()].sort((a, b) => born(a) - born(b) || a.localeCompare(b));
}

/** `RUN` argument or the newest run; clear error listing the known ones otherwise. */
export function resolveRunId(repoRoot: string, requested?: string): string {
  const runs = listRuns(repoRoot);
  if (runs.length === 0) {
    throw new UserError(`no csess runs in ${repoRoot} (expected ${runsDir(repoRoot)}/<id>/events.jsonl); start one with: csess run PRD.md`);
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
    return join(stateDir(repoRoot), `active-${key}.lock`);
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
