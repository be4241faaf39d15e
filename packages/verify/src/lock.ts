import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { link, rename, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { checkoutDirs } from "./git.js";

/** The lock file's name inside the repository's common git directory (shared by all worktrees). */
export const LOCK_FILE = "csess.lock";

export interface RepoLockOptions {
  /** Give up waiting for another process after this long (default 120 s). */
  timeoutMs?: number;
  /** What the holder is doing, written into the lock file for whoever waits. */
  purpose?: string;
  /**
   * Goes ahead of this process's waiters that did not ask for it (in call order among those that
   * did): a landing, which people wait for, before the start of one more task.
   */
  first?: boolean;
}

/** Another live process held the repository lock for longer than `timeoutMs`. */
export class RepoLockTimeoutError extends Error {
  constructor(lockPath: string, holder: string) {
    super(`timed out waiting for ${lockPath}, held by ${holder}; if that process is gone, delete the file`);
    this.name = "RepoLockTimeoutError";
  }
}

interface LockRecord {
  pid: number;
  host: string;
  nonce: string;
  purpose: string;
  since: string;
}

/** The in-process queue per lock path, so callers in one process wait their turn without polling. */
const queues = new Map<string, { busy: boolean; waiting: Array<{ first: boolean; go: () => void }> }>();
/** The lock paths the current async call chain holds, so nested calls do not deadlock on themselves. */
const held = new AsyncLocalStorage<Set<string>>();

/**
 * Runs `fn` while holding the repository-wide lock: one in-process queue plus a lock file in the
 * git directory that other csess processes (e.g. `csess verify --fix` during a run) respect.
 * Re-entrant within one async call chain. A lock file whose process is gone is taken over.
 */
export async function withRepoLock<T>(root: string, fn: () => Promise<T>, options: RepoLockOptions = {}): Promise<T> {
  // (One shared lookup per root: concurrent callers resume, and queue, in call order.)
  const lockPath = join((await checkoutDirs(root)).commonDir, LOCK_FILE);
  const mine = held.getStore();
  if (mine?.has(lockPath)) return fn();

  await turn(lockPath, options.first === true);
  try {
    const record = await acquireFile(lockPath, options);
    try {
      return await held.run(new Set([...(mine ?? []), lockPath]), fn);
    } finally {
      releaseFile(lockPath, record);
    }
  } finally {
    nextTurn(lockPath);
  }
}

/** Resolves when it is this caller's turn in the process's queue for `lockPath`. */
function turn(lockPath: string, first: boolean): Promise<void> {
  let queue = queues.get(lockPath);
  if (!queue) queues.set(lockPath, (queue = { busy: false, waiting: [] }));
  if (!queue.busy) {
    queue.busy = true;
    return Promise.resolve();
  }
  const { waiting } = queue;
  return new Promise((go) => {
    const at = first ? waiting.findIndex((w) => !w.first) : -1;
    waiting.splice(at === -1 ? waiting.length : at, 0, { first, go });
  });
}

function nextTurn(lockPath: string): void {
  const queue = queues.get(lockPath)!;
  const next = queue.waiting.shift();
  if (next) next.go();
  else queues.delete(lockPath);
}

async function acquireFile(lockPath: string, options: RepoLockOptions): Promise<LockRecord> {
  const record: LockRecord = {
    pid: process.pid,
    host: hostname(),
    nonce: randomBytes(8).toString("hex"),
    purpose: options.purpose ?? "csess repository operation",
    since: new Date().toISOString(),
  };
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  let wait = 20;
  while (!createLockFile(lockPath, record)) {
    const holder = readHolder(lockPath);
    if (await isStale(lockPath, holder)) {
      await takeOverStale(lockPath, holder);
      continue;
    }
    if (Date.now() > deadline) throw new RepoLockTimeoutError(lockPath, describe(holder));
    // Another process holds it: nothing to wait on but the file, so back off gently.
    await sleep(wait);
    wait = Math.min(wait * 2, 250);
  }
  return record;
}

// The lock file's own reads and writes are synchronous: a few system calls on a small local file, where
// each await would wait for a turn of the runner's busy event loop while the lock is held and everybody
// else waits (about 20 ms per turn of the lock in a run of 40 instant tasks, ~1 s of lock time in all).

/** Creates the lock file holding `record`; false when it exists. */
function createLockFile(lockPath: string, record: LockRecord): boolean {
  let fd: number;
  try {
    fd = openSync(lockPath, "wx");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(record) + "\n");
  } finally {
    closeSync(fd);
  }
  return true;
}

function releaseFile(lockPath: string, record: LockRecord): void {
  if (readHolder(lockPath)?.nonce !== record.nonce) return;
  try {
    unlinkSync(lockPath);
  } catch {
    // Gone already (a person deleted it, as the timeout error suggests): nothing to release.
  }
}

/** The lock's record; null while its creator has not written it yet (or it is unreadable). */
function readHolder(lockPath: string): LockRecord | null {
  try {
    return JSON.parse(readFileSync(lockPath, "utf8")) as LockRecord;
  } catch {
    return null;
  }
}

async function isStale(lockPath: string, holder: LockRecord | null): Promise<boolean> {
  // An empty file whose creator died before writing it, or a lock from another machine (shared
  // file system, no pid to probe): only age tells.
  if (holder === null) return (await ageMs(lockPath)) > 10_000;
  if (holder.host !== hostname()) return (await ageMs(lockPath)) > 10 * 60_000;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/**
 * Removes a dead holder's lock without racing another process that is doing the same: move the file
 * aside, and only drop it if it is still the stale one (otherwise put the live lock back).
 */
export async function takeOverStale(lockPath: string, stale: LockRecord | null): Promise<void> {
  const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await rename(lockPath, aside);
  } catch {
    return; // someone else moved it first
  }
  const moved = readHolder(aside);
  if (moved?.nonce !== stale?.nonce) await link(aside, lockPath).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

async function ageMs(path: string): Promise<number> {
  const info = await stat(path).catch(() => null);
  return info ? Date.now() - info.mtimeMs : 0;
}

function describe(holder: LockRecord | null): string {
  return holder ? `pid ${holder.pid} on ${holder.host} (${holder.purpose}, since ${holder.since})` : "an unknown process";
}
