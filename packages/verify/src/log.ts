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
      for (const commit of batch) {
        const found = byHash.get(commit.hash);
        if (found) Object.assign(commit, { files: found.files, insertions: found.insertions, deletions: found.deletions });
      }
    }),
  );
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
