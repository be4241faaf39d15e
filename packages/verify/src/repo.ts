import { stat } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { resolveCommit, runGit } from "./git.js";

export interface RepoInfo {
  /** Absolute path of the working tree's top level. */
  root: string;
  /** Absolute path of the git directory shared by all worktrees (where csess keeps its lock). */
  commonDir: string;
  /** Checked-out branch name (e.g. "main"), or null when HEAD is detached. */
  branch: string | null;
  /** HEAD commit hash, or null before the first commit. */
  head: string | null;
  hasCommits: boolean;
}

export type RepoErrorCode = "not-a-repo" | "no-commits" | "detached-head";

/** A repository that cannot be used as asked; `message` is one line for the user. */
export class RepoError extends Error {
  override readonly name = "RepoError";
  constructor(readonly code: RepoErrorCode, message: string) {
    super(message);
  }
}

export interface OpenRepoOptions {
  /** Throw `no-commits` when the repository has no commit yet. */
  requireCommits?: boolean;
  /** Throw `detached-head` when no branch is checked out (merges need a branch to move). */
  requireBranch?: boolean;
}

/** Finds the repository containing `cwd` and describes its checkout. */
export async function openRepo(cwd: string, options: OpenRepoOptions = {}): Promise<RepoInfo> {
  const dir = await stat(cwd).catch(() => null);
  if (!dir?.isDirectory()) throw new RepoError("not-a-repo", `${cwd} does not exist or is not a directory (expected a folder inside a git repository)`);
  const top = await runGit(cwd, ["rev-parse", "--show-toplevel", "--git-common-dir"], { okExitCodes: [128] });
  if (top.exitCode !== 0) {
    throw new RepoError(
      "not-a-repo",
      `${cwd} is not inside a git repository (expected a directory under \`git init\`; git said: ${firstLine(top.stderr)})`,
    );
  }
  const [root = "", rawCommon = ""] = top.stdout.trim().split("\n");
  if (!root) throw new RepoError("not-a-repo", `${cwd} is inside a git directory but not in a working tree`);
  const commonDir = isAbsolute(rawCommon) ? rawCommon : join(cwd, rawCommon);
  const [head, symbolic] = await Promise.all([
    runGit(root, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], { okExitCodes: [1, 128] }),
    runGit(root, ["symbolic-ref", "--quiet", "--short", "HEAD"], { okExitCodes: [1] }),
  ]);
  const info: RepoInfo = {
    root,
    commonDir,
    branch: symbolic.exitCode === 0 ? symbolic.stdout.trim() : null,
    head: head.exitCode === 0 ? head.stdout.trim() : null,
    hasCommits: head.exitCode === 0,
  };
  if (options.requireCommits && !info.hasCommits) {
    throw new RepoError("no-commits", `${root} has no commits yet (expected at least one, e.g. \`git commit --allow-empty -m init\`)`);
  }
  if (options.requireBranch && info.branch === null) {
    throw new RepoError(
      "detached-head",
      `${root} has a detached HEAD at ${info.head?.slice(0, 12) ?? "?"} (expected a checked-out branch to merge into, e.g. \`git switch main\`)`,
    );
  }
  return info;
}

export interface UncommittedChanges {
  clean: boolean;
  /** Tracked files with staged or unstaged changes (paths relative to the root). */
  modified: string[];
  untracked: string[];
  /** `git diff HEAD --stat` as git prints it (empty when nothing tracked changed). */
  diffStat: string;
}

/** What the user has not committed in `root`'s checkout, as the seed's checklist asks to report. */
export async function uncommittedChanges(root: string): Promise<UncommittedChanges> {
  const status = await runGit(root, ["status", "--porcelain=v1", "-z", "--untracked-files=all"]);
  const modified: string[] = [];
  const untracked: string[] = [];
  const fields = status.stdout.split("\0");
  for (let i = 0; i < fields.length; i++) {
    const entry = fields[i] ?? "";
    if (entry.length < 4) continue;
    const code = entry.slice(0, 2);
    const path = entry.slice(3);
    if (code === "??") untracked.push(path);
    else modified.push(path);
    if (code[0] === "R" || code[0] === "C") i++; // the rename source follows as its own field
  }
  // Asked only when something is modified: a clean checkout (the usual case) costs one git process.
  const diffStat =
    modified.length > 0 && (await resolveCommit(root, "HEAD")) !== null
      ? (await runGit(root, ["diff", "HEAD", "--stat", "--no-color"])).stdout.trimEnd()
      : "";
  return { clean: modified.length === 0 && untracked.length === 0, modified, untracked, diffStat };
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}
