import { randomBytes } from "node:crypto";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { gitOut, runGit } from "./git.js";

/**
 * Runs `fn` with a private index file, so trees can be built without touching the user's index
 * (or taking its lock). `git` runs a git command against that index.
 */
export async function withTempIndex<T>(
  root: string,
  fn: (git: (args: string[], input?: string) => Promise<string>) => Promise<T>,
): Promise<T> {
  const gitDir = await gitDirOf(root);
  const indexFile = join(gitDir, `csess-index-${process.pid}-${randomBytes(4).toString("hex")}`);
  const env = { GIT_INDEX_FILE: indexFile };
  try {
    return await fn((args, input) => gitOut(root, args, { env, ...(input === undefined ? {} : { input }) }));
  } finally {
    await rm(indexFile, { force: true });
    await rm(`${indexFile}.lock`, { force: true });
  }
}

/** A checkout's git directory never changes: asked once per root (a process spared per tree built). */
const gitDirs = new Map<string, Promise<string>>();
function gitDirOf(root: string): Promise<string> {
  let dir = gitDirs.get(root);
  if (!dir) {
    dir = gitOut(root, ["rev-parse", "--path-format=absolute", "--git-dir"]);
    dir.catch(() => gitDirs.delete(root));
    gitDirs.set(root, dir);
  }
  return dir;
}

export interface TreeEntry {
  mode: string;
  blob: string;
}

/** The blob and mode of `path` in `commit`, or null when the commit has no such file. */
export async function treeEntry(root: string, commit: string, path: string): Promise<TreeEntry | null> {
  const line = await gitOut(root, ["ls-tree", "-z", commit, "--", path]);
  const match = /^(\d+) blob ([0-9a-f]+)\t/.exec(line);
  return match ? { mode: match[1] ?? "", blob: match[2] ?? "" } : null;
}

/** Creates a commit object (no ref moves) from a tree, parents and a message. */
export async function commitTree(root: string, tree: string, parents: string[], message: string): Promise<string> {
  const args = ["commit-tree", tree, ...parents.flatMap((p) => ["-p", p]), "-F", "-"];
  return gitOut(root, args, { input: message });
}

/** Appends the contract trailer to a message: subject, optional body, blank line, `Csess-Task: <id>`. */
export function withTaskTrailer(subject: string, body: string | undefined, taskId: string): string {
  const parts = [subject.trim()];
  if (body?.trim()) parts.push(body.trim());
  parts.push(`Csess-Task: ${taskId}`);
  return parts.join("\n\n") + "\n";
}
