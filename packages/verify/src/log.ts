import { randomBytes } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runGit } from "./git.js";

/** The trailer that attributes a commit to a PRD task (contract): `Csess-Task: <id>`. */
export const TASK_TRAILER = "Csess-Task";

export interface CommitInfo {
  hash: string;
  parents: string[];
  subject: string;
  /** Full message (subject, body and trailers). */
  message: string;
  /** Task ids named by `Csess-Task:` lines in the message. */
  taskIds: string[];
  /** Files touched, with line counts (binary files count 0 lines). Empty for merge commits. */
  files: string[];
  insertions: number;
  deletions: number;
}

const RECORD = "\x1e";
const FIELD = "\x1f";
/** `git log --format` of what `parseLog` reads (with `--numstat` after each record, or without). */
export const LOG_FORMAT = `${RECORD}%H${FIELD}%P${FIELD}%B${FIELD}`;
const TRAILER_LINE = new RegExp(`^${TASK_TRAILER}:[ \\t]*(\\S+)[ \\t]*$`, "gim");

export interface ReadCommitsOptions {
  /** More `git log` options (e.g. "--first-parent"). */
  extra?: string[];
  /**
   * Read files and line counts (default true). Diffs are most of a log's cost: with false, `files`
   * stay empty until `addStats` fills them for the commits that matter.
   */
  stats?: boolean;
}

/**
 * Reads commits with their messages (and line counts) in ONE `git log` pass. `revs` are passed to
 * git as they are (e.g. ["base..branch"] — two dots: commits on branch only, never the symmetric
 * `base...branch` that would pull in what the base branch gained after the fork).
 */
export async function readCommits(cwd: string, revs: string[], options: ReadCommitsOptions = {}): Promise<CommitInfo[]> {
  const stats = options.stats === false ? [] : ["--numstat", "--no-renames"];
  const args = ["log", `--format=${LOG_FORMAT}`, ...stats, "--no-color", ...(options.extra ?? []), ...revs, "--"];
  return parseLog((await runGit(cwd, args)).stdout);
}

/**
 * Fills `files`, `insertions` and `deletions` of the given commits (read without stats), in one
 * `git log --no-walk --stdin` pass per CPU-sized batch.
 */
export async function addStats(cwd: string, commits: CommitInfo[]): Promise<void> {
  const batches = commits.length > 200 ? 2 : 1;
  const size = Math.ceil(commits.length / batches);
  await Promise.all(
    Array.from({ length: batches }, async (_, b) => {
      const batch = commits.slice(b * size, (b + 1) * size);
      if (batch.length === 0) return;
      const args = ["log", "--no-walk=unsorted", "--stdin", `--format=${RECORD}%H${FIELD}${FIELD}${FIELD}`, "--numstat", "--no-renames", "--no-color"];
      const read = parseLog((await runGit(cwd, args, { input: batch.map((c) => c.hash).join("\n") + "\n" })).stdout);
      const byHash = new Map(read.map((c) => [c.hash, c]));
      for (const commit of batch) copyStats(commit, byHash.get(commit.hash));
    }),
  );
}

/** A `git log --numstat` over a whole range, started before anyone knows which commits need stats. */
export interface StatsPass {
  /** How many commits it has written so far. */
  read(): number;
  /**
   * Fills `files`, `insertions` and `deletions` of `commits` (all in the pass's range) once it ends,
   * reading what git has written so far while it waits, so little is left to read at the end.
   */
  fill(commits: CommitInfo[]): Promise<void>;
  /** Stops git; does nothing once the pass has ended or been stopped. */
  cancel(): void;
}

/** How often `fill` reads what a running pass has written (the main thread has nothing else to do then). */
const FILL_POLL_MS = 20;

/**
 * Starts reading the stats of every commit in `revs` in one `git log --numstat` pass, beside the
 * pass without stats and the matching. A range-wide pass costs about half as much per commit as
 * `addStats`' lookups by hash, so when many commits turn out to need stats, finishing it is the
 * quicker way (see `verifyHistory`); otherwise the caller cancels it. Git writes into an unlinked
 * temporary file: a pipe would stall it while the main thread is busy matching.
 */
export function startStatsPass(cwd: string, revs: string[]): StatsPass {
  const fd = openUnlinkedTempFile();
  if (fd === undefined) return NO_PASS; // no usable temp folder: the commits are looked up instead
  const abort = new AbortController();
  const args = ["log", `--format=${RECORD}%H${FIELD}${FIELD}${FIELD}`, "--numstat", "--no-renames", "--no-color", ...revs, "--"];
  let offset = 0; // bytes of the file already taken by fill, all whole records
  let taken = 0; // records in them
  const unread = () => {
    const buffer = Buffer.alloc(fstatSync(fd).size - offset);
    readSync(fd, buffer, 0, buffer.length, offset);
    return buffer;
  };
  let rest: Buffer | undefined; // what fill had not taken when git exited
  let closed = false;
  const ended = runGit(cwd, args, { signal: abort.signal, stdoutFd: fd })
    .then(() => void (rest = unread()))
    .finally(() => {
      closed = true;
      closeSync(fd);
    });
  ended.catch(() => undefined); // a cancelled pass rejects, and nobody waits for it
  /** Copies the stats of the wanted commits among `buffer`'s first `end` bytes (whole records). */
  const take = (buffer: Buffer, end: number, wanted: Map<string, CommitInfo>) => {
    for (const record of buffer.toString("utf8", 0, end).split(RECORD)) {
      if (!record) continue;
      taken++;
      const commit = wanted.get(record.slice(0, record.indexOf(FIELD)));
      if (commit) addNumstat(commit, record); // its first line, the hash and fields, has no tab: addNumstat passes over it
    }
    offset += end;
  };
  return {
    read() {
      const buffer = rest ?? (closed ? Buffer.alloc(0) : unread());
      let count = taken;
      for (let at = buffer.indexOf(0x1e); at !== -1; at = buffer.indexOf(0x1e, at + 1)) count++;
      return count;
    },
    async fill(commits) {
      const wanted = new Map(commits.map((c) => [c.hash, c]));
      // Nothing more is read once the pass is cancelled (git may have written a little before it stopped).
      while (!closed && !abort.signal.aborted) {
        const buffer = unread();
        // The last record may still be half written; every one before the last separator is whole.
        const end = buffer.lastIndexOf(0x1e);
        if (end > 0) take(buffer, end, wanted);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, FILL_POLL_MS);
          ended.finally(() => (clearTimeout(timer), resolve())).catch(() => undefined);
        });
      }
      await ended; // rejects when git failed or was stopped
      take(rest!, rest!.length, wanted);
      rest = Buffer.alloc(0); // all taken
    },
    cancel: () => abort.abort(),
  };
}

/** The pass there is when no temp file can be made: it has read nothing and has nothing to give. */
const NO_PASS: StatsPass = {
  read: () => 0,
  fill: () => Promise.reject(new Error("no range-wide stats pass (no usable temp folder)")),
  cancel: () => undefined,
};

/** A new temp file, open for reading and writing and already unlinked (nothing is left behind whatever happens). */
function openUnlinkedTempFile(): number | undefined {
  const file = join(tmpdir(), `csess-stats-${process.pid}-${randomBytes(6).toString("hex")}`);
  let fd: number | undefined;
  try {
    fd = openSync(file, "w+", 0o600);
    unlinkSync(file);
    return fd;
  } catch {
    if (fd !== undefined) closeSync(fd);
    return undefined;
  }
}

function copyStats(commit: CommitInfo, from: CommitInfo | undefined): void {
  if (from) Object.assign(commit, { files: from.files, insertions: from.insertions, deletions: from.deletions });
}

/** The commits of a `git log --format=${LOG_FORMAT}` output. */
export function parseLog(out: string): CommitInfo[] {
  const commits: CommitInfo[] = [];
  for (const record of out.split(RECORD)) {
    if (!record) continue;
    const [hash = "", parents = "", message = "", stats = ""] = record.split(FIELD);
    const commit: CommitInfo = {
      hash,
      parents: parents ? parents.split(" ") : [],
      subject: (message.split("\n", 1)[0] ?? "").trim(),
      message: message.trimEnd(),
      taskIds: [...message.matchAll(TRAILER_LINE)].map((m) => m[1] ?? ""),
      files: [],
      insertions: 0,
      deletions: 0,
    };
    if (stats) addNumstat(commit, stats);
    commits.push(commit);
  }
  return commits;
}

/** Adds `git --numstat` lines ("added<TAB>deleted<TAB>file") to a running total of files and lines. */
export function addNumstat(total: { files: string[]; insertions: number; deletions: number }, numstat: string): void {
  for (const line of numstat.split("\n")) {
    const [added, deleted, file] = line.split("\t");
    if (file === undefined) continue;
    total.files.push(file);
    total.insertions += Number(added) || 0; // "-" for binary files
    total.deletions += Number(deleted) || 0;
  }
}
