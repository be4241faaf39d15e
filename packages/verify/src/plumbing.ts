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
 * Commits the versions of one file as a chain on top of `parent`, in one script: each version's blob,
 * tree and commit; then, with `move`, `move.ref` from `parent` to the last (compare-and-swap: "moved"
 * when the ref no longer pointed at `parent`). Returns each version's blob and commit.
 */
export async function commitFileVersions(
  root: string, parent: string, file: { path: string; mode: string }, versions: FileVersion[], move?: { ref: string; message: string },
): Promise<Array<{ blob: string; commit: string }> | "moved"> {
  if (versions.length === 0) return [];
  return withScratchDir(root, async (dir) => {
    await Promise.all(versions.flatMap((v, i) => [writeFile(join(dir, `v${i}`), v.content), writeFile(join(dir, `m${i}`), v.message)]));
    await writeFile(join(dir, "versions"), versions.map((_, i) => `v${i}\n`).join(""));
    const script = [
      "set -e",
      'export GIT_INDEX_FILE="$1/index"',
      // A file in the root tree: each version's tree is the parent's root entries with the file's swapped, by
      // `mktree` (one process per version instead of two); a file below the root goes through a private index.
      'if [ -n "$8" ]; then',
      '  git ls-tree "$2" > "$1/root"',
      `  others=$(while IFS= read -r entry; do [ "\${entry#*\t}" = "$4" ] || printf '%s\\n' "$entry"; done < "$1/root")`,
      'else git read-tree "$2"; fi',
      // Every version's blob in one process, one line each, in order (names relative to the folder: any path is fine).
      '(cd "$1" && git hash-object -w --no-filters --stdin-paths < versions > blobs)',
      'prev=$2 i=0',
      'while [ "$i" -lt "$5" ] && read -r blob <&3; do',
      '  if [ -n "$8" ]; then',
      `    tree=$( { [ -z "$others" ] || printf '%s\\n' "$others"; printf '%s blob %s\\t%s\\n' "$3" "$blob" "$4"; } | git mktree)`,
      '  else',
      '    git update-index --cacheinfo "$3,$blob,$4"',
      '    tree=$(git write-tree)',
      '  fi',
      '  prev=$(git commit-tree "$tree" -p "$prev" -F "$1/m$i")',
      '  echo "$blob $prev"',
      "  i=$((i+1))",
      'done 3< "$1/blobs"',
      // Exit 3: the ref moved since `parent` was read; the commits made stay unreferenced.
      '[ -z "$6" ] || git update-ref -m "$7" "$6" "$prev" "$2" 2>/dev/null || exit 3',
    ].join("\n");
    const args = [dir, parent, file.mode, file.path, String(versions.length), move?.ref ?? "", move?.message ?? "", rootLevelNames([file.path]) ? "1" : ""];
    const run = await runGitScript(root, `commit ${file.path}`, script, args, { okExitCodes: [3] });
    if (run.exitCode === 3) return "moved";
    return run.stdout.trim().split("\n").map((line) => {
      const [blob = "", commit = ""] = line.split(" ");
      return { blob, commit };
    });
  });
}

/** One merge of a chain: the task branch's tip and the merge commit's message. */
export interface ChainMerge {
  tip: string;
  message: string;
}

/** What `commitMergeChain` made: the merges, in order, and the file's versions when it committed them. */
export interface ChainMade {
  merges: Array<{ tree: string; commit: string }>;
  file?: Array<{ blob: string; commit: string }>;
}

/**
 * Merges `merges` one after the other on top of `head` (no ref moves), in one script: for each, the
 * merged tree (`git merge-tree`), every path under `keep` (files, or folders ending in "/") put back
 * exactly as it is in `head` (anything else under them removed: every merge of a chain puts them
 * back, so they stay as they were at its start), and the merge commit. It stops before a merge that
 * needs a closer look: a conflict outside the kept paths, or a merge that changes nothing (perhaps
 * merged already); `checked` says the caller looked already and it is to be made anyway. `file`, one
 * of the kept names in the root tree: when every merge was made, its versions are committed on top, in
 * order (as `commitFileVersions` would). `dir` is a `withScratchDir` folder.
 */
export async function commitMergeChain(
  root: string, dir: string,
  chain: { head: { commit: string; tree: string }; merges: ChainMerge[]; keep: string[]; checked?: boolean; file?: ChainFile },
): Promise<ChainMade> {
  const rootNames = rootLevelNames(chain.keep);
  const file = chain.file && chainCommitsFile(chain.keep, chain.file.path) ? chain.file : undefined;
  await Promise.all([
    ...chain.merges.flatMap((m, i) => [writeFile(join(dir, `tip${i}`), `${m.tip}\n`), writeFile(join(dir, `msg${i}`), m.message)]),
    ...(file?.versions ?? []).flatMap((v, i) => [writeFile(join(dir, `v${i}`), v.content), writeFile(join(dir, `m${i}`), v.message)]),
    writeFile(join(dir, "versions"), (file?.versions ?? []).map((_, i) => `v${i}\n`).join("")),
  ]);
  const zero = "0".repeat(chain.head.commit.length);
  const args = [dir, chain.head.commit, chain.head.tree, zero, String(chain.merges.length), chain.checked ? "1" : "", rootNames?.join(" ") ?? "",
    file?.path ?? "", file?.mode ?? "", ...chain.keep];
  const made: ChainMade = { merges: [] };
  for (const line of (await runGitScript(root, "merge commits", MERGE_CHAIN_SCRIPT, args)).stdout.split("\n")) {
    const [kind, a = "", b = ""] = line.split(" ");
    if (kind === "M") made.merges.push({ tree: a, commit: b });
    if (kind === "F") (made.file ??= []).push({ blob: a, commit: b });
  }
  if (file && chain.merges.length > 0 && made.merges.length === chain.merges.length) made.file ??= [];
  return made;
}

/** A kept file's versions for `commitMergeChain` to commit on top of its merges. */
export interface ChainFile {
  path: string;
  mode: string;
  versions: FileVersion[];
}

// The arguments: the scratch folder, head's commit and tree, a zero object id, the number of merges,
// "1" when checked, the kept names in the root tree (space-separated; empty when some kept path is
// below the root), the file and its mode (empty for none), then the kept paths. Prints "M <tree>
// <commit>" per merge and "F <blob> <commit>" per version of the file.
const MERGE_CHAIN_SCRIPT = [
  "set -e",
  'dir=$1 head=$2 headtree=$3 zero=$4 n=$5 checked=$6 rootlevel=$7 file=$8 filemode=$9',
  "shift 9",
  'export GIT_INDEX_FILE="$dir/index"',
  // Trees of root entries go to one `git mktree --batch` (a blank line ends a tree; it answers with its
  // id): one process for all of them. Closing fd 4 (or the script's end) ends it.
  'if [ -n "$rootlevel" ]; then',
  '  mkfifo "$dir/mktree$$.in" "$dir/mktree$$.out"', // (a folder may serve several scripts)
  '  git mktree --batch < "$dir/mktree$$.in" > "$dir/mktree$$.out" &',
  '  exec 4> "$dir/mktree$$.in" 5< "$dir/mktree$$.out"',
  "fi",
  // The kept paths as they are in `head`: root entries ("mode type sha<TAB>name") when all are names in
  // the root tree, else `--index-info` lines ("mode sha<TAB>path") of every file under them.
  'if [ -n "$rootlevel" ]; then git ls-tree "$head" -- $rootlevel > "$dir/keptroot"',
  'else git ls-tree -r -z --format="%(objectmode) %(objectname)%x09%(path)" "$head" -- "$@" > "$dir/kept"; fi',
  "i=0",
  'while [ "$i" -lt "$n" ]; do',
  '  read -r tip < "$dir/tip$i"',
  "  status=0",
  '  git merge-tree --write-tree --name-only --no-messages "$head" "$tip" > "$dir/merge" || status=$?',
  '  [ "$status" -le 1 ] || exit "$status"',
  "  merged='' other=''",
  "  while IFS= read -r path; do",
  '    if [ -z "$merged" ]; then merged=$path; continue; fi',
  "    kept=''",
  '    for k in "$@"; do',
  '      case $k in */) case $path in "$k"*) kept=1 ;; esac ;; *) [ "$path" != "$k" ] || kept=1 ;; esac',
  "    done",
  '    [ -n "$kept" ] || other=1',
  '  done < "$dir/merge"',
  // A conflict outside the kept paths, or no change at all: the caller looks closer (git's -z names).
  '  if [ -z "$checked" ] && { [ -n "$other" ] || [ "$merged" = "$headtree" ]; }; then exit 0; fi',
  '  if [ -n "$rootlevel" ]; then',
  // The merged root without the kept names, and head's entries for them.
  // (Listed to a file first: a failed listing must stop the script, not build a tree without it.)
  '    git ls-tree "$merged" > "$dir/root"',
  "    { while IFS= read -r entry; do",
  '        for k in $rootlevel; do [ "${entry#*\t}" != "$k" ] || continue 2; done',
  `        printf '%s\\n' "$entry"`,
  `      done < "$dir/root"; while IFS= read -r entry; do printf '%s\\n' "$entry"; done < "$dir/keptroot"; echo; } >&4`,
  "    read -r headtree <&5",
  "  else",
  '    git read-tree "$merged"',
  '    { git ls-tree -r -z --format="0 $zero%x09%(path)" "$merged" -- "$@"; cat "$dir/kept"; } | git update-index -z --index-info',
  "    headtree=$(git write-tree)",
  "  fi",
  '  head=$(git commit-tree "$headtree" -p "$head" -p "$tip" -F "$dir/msg$i")',
  '  echo "M $headtree $head"',
  "  i=$((i+1))",
  "done",
  // Every merge made: the file's versions on top, each tree the last merge's with the file's entry swapped.
  '[ -n "$file" ] && [ "$n" -gt 0 ] && [ -s "$dir/versions" ] || exit 0',
  '(cd "$dir" && git hash-object -w --no-filters --stdin-paths < versions > blobs)',
  "{ while IFS= read -r entry; do",
  '    for k in $rootlevel; do [ "${entry#*\t}" != "$k" ] || continue 2; done',
  `    printf '%s\\n' "$entry"`,
  `  done < "$dir/root"; while IFS= read -r entry; do [ "\${entry#*\t}" = "$file" ] || printf '%s\\n' "$entry"; done < "$dir/keptroot"; } > "$dir/others"`,
  "i=0",
  'while read -r blob <&3; do',
  `  { while IFS= read -r entry; do printf '%s\\n' "$entry"; done < "$dir/others"; printf '%s blob %s\\t%s\\n\\n' "$filemode" "$blob" "$file"; } >&4`,
  "  read -r tree <&5",
  '  head=$(git commit-tree "$tree" -p "$head" -F "$dir/m$i")',
  '  echo "F $blob $head"',
  "  i=$((i+1))",
  'done 3< "$dir/blobs"',
].join("\n");

/**
 * The names in the root tree that the kept paths are ("PRD.md", ".csess/" -> ".csess"), when every one
 * is such a name that `git ls-tree` prints as it is (no quoting) and the shell can list in one word;
 * else undefined (a path below the root, e.g. "docs/PRD.md", is put back through an index instead).
 */
function rootLevelNames(keep: string[]): string[] | undefined {
  const names = keep.map((k) => (k.endsWith("/") ? k.slice(0, -1) : k));
  // Printable ASCII without a space, and none that git quotes (a double quote or backslash), a path ("/"), a glob or pathspec magic (leading ":").
  return names.every((name) => /^[\x21-\x7e]+$/.test(name) && !/["\\/*?[]|^:/.test(name)) ? names : undefined;
}

/** Appends the contract trailer to a message: subject, optional body, blank line, `Csess-Task: <id>`. */
export function withTaskTrailer(subject: string, body: string | undefined, taskId: string): string {
  const parts = [subject.trim()];
  if (body?.trim()) parts.push(body.trim());
  parts.push(`Csess-Task: ${taskId}`);
  return parts.join("\n\n") + "\n";
}

/** Whether `commitMergeChain` commits the versions of `path` on top of merges that keep `keep`. */
export function chainCommitsFile(keep: string[], path: string): boolean {
  return rootLevelNames(keep)?.includes(path) ?? false;
}
