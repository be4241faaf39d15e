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
const TRAILER_LINE = new RegExp(`^${TASK_TRAILER}:[ \\t]*(\\S+)[ \\t]*$`, "gim");

/**
 * Reads commits with their messages and line counts in ONE `git log` pass. `revs` are passed to
 * git as they are (e.g. ["base..branch"] — two dots: commits on branch only, never the symmetric
 * `base...branch` that would pull in what the base branch gained after the fork).
 */
export async function readCommits(cwd: string, revs: string[], extra: string[] = []): Promise<CommitInfo[]> {
  const format = `${RECORD}%H${FIELD}%P${FIELD}%B${FIELD}`;
  const args = ["log", `--format=${format}`, "--numstat", "--no-renames", "--no-color", ...extra, ...revs, "--"];
  const out = (await runGit(cwd, args)).stdout;
  const commits: CommitInfo[] = [];
  for (const record of out.split(RECORD)) {
    if (!record) continue;
    const [hash = "", parents = "", message = "", stats = ""] = record.split(FIELD);
    const commit: CommitInfo = {
      hash,
      parents: parents ? parents.split(" ") : [],
      subject: message.split("\n", 1)[0]?.trim() ?? "",
      message: message.trimEnd(),
      taskIds: [...message.matchAll(TRAILER_LINE)].map((m) => m[1] ?? ""),
      files: [],
      insertions: 0,
      deletions: 0,
    };
    for (const line of stats.split("\n")) {
      const [added, deleted, file] = line.split("\t");
      if (file === undefined) continue;
      commit.files.push(file);
      commit.insertions += Number(added) || 0; // "-" for binary files
      commit.deletions += Number(deleted) || 0;
    }
    commits.push(commit);
  }
  return commits;
}
