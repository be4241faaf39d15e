import { gitOut, runGit } from "./git.js";
import { ObjectStore } from "./objects.js";

export interface TreeEntry {
  mode: string;
  blob: string;
}

/** The blob and mode of `path` in `commit`, or null when the commit has no such file. */
export async function treeEntry(root: string, commit: string, path: string): Promise<TreeEntry | null> {
  const line = await gitOut(root, ["--literal-pathspecs", "ls-tree", "-z", commit, "--", path]);
  const match = /^(\d+) blob ([0-9a-f]+)\t/.exec(line);
  return match ? { mode: match[1] ?? "", blob: match[2] ?? "" } : null;
}

/** One new version of a file and the message of its commit. */
export interface FileVersion {
  content: string;
  message: string;
}

/**
 * Commits the versions of one file as a chain on top of `parent`: each version's blob, tree and commit;
 * then, with `move`, `move.ref` from `parent` to the last (compare-and-swap: "moved" when the ref no
 * longer pointed at `parent`). Returns each version's blob and commit.
 */
export async function commitFileVersions(
  root: string, parent: string, file: { path: string; mode: string }, versions: FileVersion[], move?: { ref: string; message: string },
): Promise<Array<{ blob: string; commit: string }> | "moved"> {
  if (versions.length === 0) return [];
  const made = await ObjectStore.with(root, async (store) => fileVersionsOnTop(store, { commit: parent, tree: await store.treeOf(parent) }, { ...file, versions }));
  if (move && !(await moveRef(root, move.ref, made.at(-1)!.commit, parent, move.message))) return "moved";
  return made;
}

/** Moves `ref` from `from` to `to` (compare-and-swap); false when it no longer pointed at `from`. */
async function moveRef(root: string, ref: string, to: string, from: string, message: string): Promise<boolean> {
  return (await runGit(root, ["update-ref", "-m", message, ref, to, from], { okExitCodes: [128] })).exitCode === 0;
}

/** The file's versions committed one after the other on `head`, each tree `head`'s with the file's entry swapped. */
async function fileVersionsOnTop(store: ObjectStore, head: { commit: string; tree: string }, file: ChainFile): Promise<Array<{ blob: string; commit: string }>> {
  const made: Array<{ blob: string; commit: string }> = [];
  let { commit, tree } = head;
  const blobs = await store.writeBlobs(file.versions.map((v) => v.content));
  for (const [i, blob] of blobs.entries()) {
    tree = (await store.editTree(tree, new Map([[file.path, { mode: file.mode, oid: blob }]])))!;
    commit = await store.writeCommit({ tree, parents: [commit], message: file.versions[i]!.message });
    made.push({ blob, commit });
  }
  return made;
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

/** A kept file's versions for `commitMergeChain` to commit on top of its merges. */
export interface ChainFile {
  path: string;
  mode: string;
  versions: FileVersion[];
}

/**
 * Merges `merges` one after the other on top of `head` (no ref moves): for each, the merged tree (`git
 * merge-tree`, the one git process per merge), every path under `keep` (files, or folders ending in
 * "/") put back exactly as it is in `head` (anything else under them removed: every merge of a chain
 * puts them back, so they stay as they were at its start), and the merge commit. It stops before a
 * merge that needs a closer look: a conflict outside the kept paths, or a merge that changes nothing
 * (perhaps merged already); `checked` says the caller looked already and it is to be made anyway.
 * `file`, one of the kept files: when every merge was made, its versions are committed on top, in
 * order (as `commitFileVersions` would).
 */
export async function commitMergeChain(
  store: ObjectStore,
  chain: { head: { commit: string; tree: string }; merges: ChainMerge[]; keep: string[]; checked?: boolean; file?: ChainFile },
): Promise<ChainMade> {
  // The kept paths as they are at the start: every merge puts these back.
  const paths = chain.keep.map((k) => k.replace(/\/$/, ""));
  const kept = new Map(await Promise.all(paths.map(async (path) => [path, await store.entryAt(chain.head.tree, path)] as const)));
  const made: ChainMade = { merges: [] };
  let head = chain.head;
  for (const merge of chain.merges) {
    const computed = await runGit(store.root, ["merge-tree", "--write-tree", "--name-only", "-z", "--no-messages", head.commit, merge.tip], { okExitCodes: [1] });
    const [merged = "", ...conflicted] = computed.stdout.split("\0").filter(Boolean);
    if (!chain.checked && (conflicted.some((path) => !isKept(chain.keep, path)) || merged === head.tree)) return made;
    const tree = (await store.editTree(merged, kept))!;
    head = { tree, commit: await store.writeCommit({ tree, parents: [head.commit, merge.tip], message: merge.message }) };
    made.merges.push(head);
  }
  if (chain.file && chainCommitsFile(chain.keep, chain.file.path) && chain.merges.length > 0) made.file = await fileVersionsOnTop(store, head, chain.file);
  return made;
}

/** Whether `path` is one of the kept paths, or below a kept folder (one ending in "/"). */
export function isKept(keep: string[], path: string): boolean {
  return keep.some((k) => (k.endsWith("/") ? path.startsWith(k) : path === k));
}

/** Whether `commitMergeChain` commits the versions of `path` on top of merges that keep `keep`: one of the kept files. */
export function chainCommitsFile(keep: string[], path: string): boolean {
  return keep.includes(path);
}

/** Appends the contract trailer to a message: subject, optional body, blank line, `Csess-Task: <id>`. */
export function withTaskTrailer(subject: string, body: string | undefined, taskId: string): string {
  const parts = [subject.trim()];
  if (body?.trim()) parts.push(body.trim());
  parts.push(`Csess-Task: ${taskId}`);
  return parts.join("\n\n") + "\n";
}
