import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gitOut, runGitScript } from "./git.js";

/**
 * Runs `fn` with a private folder in the git directory (never seen by git or the user) for the files a
 * plumbing script reads: contents, messages and a private index, so trees are built without touching
 * the user's index (or taking its lock). Removed afterwards.
 */
export async function withScratchDir<T>(root: string, fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(await gitDirOf(root), "csess-scratch-"));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
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

/** One new version of a file and the message of its commit. */
export interface FileVersion {
  content: string;
  message: string;
}

/**
 * Commits the versions of one file as a chain on top of `parent` (no ref moves), in one script: each
 * version's blob, tree (through a private index) and commit. Returns each version's blob and commit.
 */
export async function commitFileVersions(root: string, parent: string, file: { path: string; mode: string }, versions: FileVersion[]): Promise<Array<{ blob: string; commit: string }>> {
  if (versions.length === 0) return [];
  return withScratchDir(root, async (dir) => {
    await Promise.all(versions.flatMap((v, i) => [writeFile(join(dir, `v${i}`), v.content), writeFile(join(dir, `m${i}`), v.message)]));
    const script = [
      "set -e",
      'export GIT_INDEX_FILE="$1/index"',
      'git read-tree "$2"',
      'prev=$2 i=0',
      'while [ "$i" -lt "$5" ]; do',
      '  blob=$(git hash-object -w --no-filters "$1/v$i")',
      '  git update-index --cacheinfo "$3,$blob,$4"',
      '  tree=$(git write-tree)',
      '  prev=$(git commit-tree "$tree" -p "$prev" -F "$1/m$i")',
      '  echo "$blob $prev"',
      "  i=$((i+1))",
      "done",
    ].join("\n");
    const out = (await runGitScript(root, `commit ${file.path}`, script, [dir, parent, file.mode, file.path, String(versions.length)])).stdout;
    return out.trim().split("\n").map((line) => {
      const [blob = "", commit = ""] = line.split(" ");
      return { blob, commit };
    });
  });
}

/**
 * The merge commit of `head` and `tip` (no ref moves) whose tree is `merged` with every path under
 * `keep` (files, or folders ending in "/") exactly as `kept` lists it: their versions in `head`, as
 * `--index-info` lines ("mode sha\tpath"); anything else under them removed. One script in `dir`
 * (a `withScratchDir` folder). Returns the tree and the commit.
 */
export async function commitMerge(
  root: string, dir: string, merge: { merged: string; head: string; tip: string; keep: string[]; kept: string[]; message: string },
): Promise<{ tree: string; commit: string }> {
  await writeFile(join(dir, "kept"), merge.kept.map((line) => `${line}\0`).join(""));
  await writeFile(join(dir, "message"), merge.message);
  const script = [
    "set -e",
    'dir=$1 merged=$2 head=$3 tip=$4 zero=$5',
    "shift 5",
    'export GIT_INDEX_FILE="$dir/index"',
    'git read-tree "$merged"',
    '{ git ls-tree -r -z --format="0 $zero%x09%(path)" "$merged" -- "$@"; cat "$dir/kept"; } | git update-index -z --index-info',
    'tree=$(git write-tree)',
    'commit=$(git commit-tree "$tree" -p "$head" -p "$tip" -F "$dir/message")',
    'echo "$tree $commit"',
  ].join("\n");
  const zero = "0".repeat(merge.head.length);
  const out = (await runGitScript(root, "merge commit", script, [dir, merge.merged, merge.head, merge.tip, zero, ...merge.keep])).stdout;
  const [tree = "", commit = ""] = out.trim().split(" ");
  return { tree, commit };
}

/** Appends the contract trailer to a message: subject, optional body, blank line, `Csess-Task: <id>`. */
export function withTaskTrailer(subject: string, body: string | undefined, taskId: string): string {
  const parts = [subject.trim()];
  if (body?.trim()) parts.push(body.trim());
  parts.push(`Csess-Task: ${taskId}`);
  return parts.join("\n\n") + "\n";
}
