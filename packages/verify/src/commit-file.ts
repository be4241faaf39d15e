import { setTimeout as sleep } from "node:timers/promises";
import { gitOut, resolveCommit, runGit, runGitScript } from "./git.js";
import { withRepoLock } from "./lock.js";
import { batchAnswer, parseTree, type BatchObject } from "./objects.js";
import { commitFileVersions, treeEntry, type FileVersion, type TreeEntry } from "./plumbing.js";
import { openRepo } from "./repo.js";
import { checkoutsOf } from "./worktree.js";

export interface CommitFileChangeOptions {
  /** Any checkout of the repository. */
  root: string;
  /** Branch to commit on (default: the branch checked out at `root`). */
  branch?: string;
  /** Path relative to the repository root (forward slashes). */
  path: string;
  /** Returns the file's new content from its committed content (e.g. one checkbox ticked). */
  edit: (committed: string) => string;
  /** Full commit message (end it with the `Csess-Task: <id>` trailer). */
  message: string;
}

export interface CommitFileChangeResult {
  status: "committed" | "unchanged" | "untracked";
  commit?: string;
  message: string;
}

/**
 * Commits a new version of one file on a branch without touching any working tree: the edit is
 * applied to the committed content, written through a private index, and the branch moves by
 * compare-and-swap. The user's own uncommitted edits (even to this file) stay where they are; the
 * checkout's index entry is updated only when the user has not staged that file. Write the working
 * file yourself afterwards if it should show the change too (inside `withRepoLock` for both steps).
 */
export async function commitFileChange(options: CommitFileChangeOptions): Promise<CommitFileChangeResult> {
  const { edit, message, ...rest } = options;
  const [result] = await commitFileChanges({ ...rest, changes: [{ edit, message }] });
  return result!;
}

export interface CommitFileChangesOptions extends Omit<CommitFileChangeOptions, "edit" | "message"> {
  /** One commit each, in order, each edit applied to the content the one before left. */
  changes: Array<Pick<CommitFileChangeOptions, "edit" | "message">>;
}

/**
 * Several changes to one file as a chain of commits (one per change that changes something), made as
 * `commitFileChange` makes one, with the branch and the checkout's index moved once, to the last.
 * Results are in the order of `changes`.
 */
export async function commitFileChanges(options: CommitFileChangesOptions): Promise<CommitFileChangeResult[]> {
  return withRepoLock(options.root, async () => {
    const branch = options.branch ?? (await openRepo(options.root, { requireBranch: true, requireCommits: true })).branch!;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const read = await committedFile(options.root, `refs/heads/${branch}`, options.path);
      if (read === "moved") continue; // someone committed while it was read: read again
      const { head, file } = read;
      if (head === null) throw new Error(`branch ${branch} does not exist in ${options.root}`);
      if (file === null) {
        return options.changes.map(() => ({ status: "untracked" as const, message: `${options.path} is not committed on ${branch}; nothing to commit it onto` }));
      }
      const chain = await commitChain(options, branch, head, file);
      if (chain === "moved") continue; // someone committed meanwhile: redo on top of it
      if (chain.last === head) {
        await finishInterruptedSync(options.root, branch, options.path, head, file);
        return chain.results;
      }
      await syncIndexes(options.root, branch, options.path, file.blob, `${file.mode},${chain.blob},${options.path}`);
      return chain.results;
    }
    throw new Error(`${branch} kept moving while committing ${options.path}; try again`);
  }, { purpose: `commit ${options.path}` });
}

/** A file as committed: its mode, blob and content. */
export type CommittedFile = TreeEntry & { content: string };

/**
 * The commit `rev` names (a branch's tip: `refs/heads/<branch>`) and the file committed there (mode,
 * blob and content), read by one `git cat-file --batch`: the commit, each tree on the way to the file,
 * and the file. Each answer is checked against the one before (the commit's tree, each tree's entry for
 * the next name), so a branch that moved between two of them is "moved" rather than a mix of two
 * commits. `head` null when there is no such commit, `file` null when the file is not committed there
 * (or is not a file).
 */
export async function committedFile(root: string, rev: string, path: string): Promise<{ head: string | null; file: CommittedFile | null } | "moved"> {
  const names = path.split("/");
  const objects = [rev, `${rev}^{tree}`, ...names.map((_, i) => `${rev}:${names.slice(0, i + 1).join("/")}`)];
  const out = (await runGit(root, ["cat-file", "--batch", "-z"], { input: objects.map((o) => `${o}\0`).join(""), stdoutEncoding: "latin1" })).stdout;
  const answers = batchAnswers(out);
  const commit = answers[0];
  if (commit?.type !== "commit") return { head: null, file: null };
  // The commit names its tree; each tree names the next object, with its mode.
  let expected = { sha: /^tree ([0-9a-f]+)$/m.exec(commit.content.toString("latin1"))?.[1], mode: "40000" };
  for (let i = 1; i < answers.length; i++) {
    const answer = answers[i];
    if (answer === undefined) {
      // Named by the object before it, yet not there: a damaged repository, never "not committed".
      throw new Error(`git cat-file --batch: ${objects[i]} (${expected.sha}) is missing from the object store of ${root}; the repository is damaged (git fsck says more)`);
    }
    if (answer.oid !== expected.sha) return "moved";
    if (i === answers.length - 1) {
      if (answer.type !== "blob") return { head: commit.oid, file: null };
      return { head: commit.oid, file: { mode: expected.mode, blob: answer.oid, content: answer.content.toString("utf8") } };
    }
    if (answer.type !== "tree") return { head: commit.oid, file: null };
    const wanted = Buffer.from(names[i - 1]!, "utf8").toString("latin1");
    const entry = parseTree(answer.content, answer.oid.length / 2).find((e) => e.name === wanted);
    if (!entry) return { head: commit.oid, file: null };
    expected = { sha: entry.oid, mode: entry.mode };
  }
  return { head: commit.oid, file: null };
}

/** The answers of `git cat-file --batch` (its output as latin1 text), in order; undefined for a name it could not find. */
function batchAnswers(out: string): Array<BatchObject | undefined> {
  const answers: Array<BatchObject | undefined> = [];
  let rest = Buffer.from(out, "latin1");
  // undefined at the end of the output, or at an answer cut short (git's output ends with a whole answer).
  for (let read = batchAnswer(rest); read !== undefined; read = batchAnswer(rest)) {
    answers.push(read.value);
    rest = rest.subarray(read.length);
  }
  return answers;
}

/**
 * The commits of the changes on top of `head`, with the branch moved to the last by compare-and-swap;
 * `last` is `head` when nothing changed, "moved" when the branch moved meanwhile.
 */
async function commitChain(options: CommitFileChangesOptions, branch: string, head: string, file: CommittedFile) {
  const { root, path } = options;
  // Every edit first (each on the content the one before left), then they are committed together.
  const { versions, changed } = editedVersions(file.content, options.changes);
  const made = await commitFileVersions(root, head, { path, mode: file.mode }, versions, { ref: `refs/heads/${branch}`, message: "csess: commit file change" });
  if (made === "moved") return "moved";
  let next = 0;
  const results: CommitFileChangeResult[] = changed.map((c) => {
    if (!c) return { status: "unchanged", message: `${path} already has that content on ${branch}` };
    const { commit } = made[next++]!;
    return { status: "committed", commit, message: `committed ${path} on ${branch} as ${commit.slice(0, 12)}` };
  });
  return { results, last: made.at(-1)?.commit ?? head, blob: made.at(-1)?.blob ?? file.blob };
}

/** The versions the changes make, each edit applied to the content the one before left; `changed[i]`: change i made a version. */
export function editedVersions(content: string, changes: ReadonlyArray<Pick<CommitFileChangeOptions, "edit" | "message">>): { versions: FileVersion[]; changed: boolean[] } {
  const versions: FileVersion[] = [];
  const changed: boolean[] = [];
  for (const change of changes) {
    const after = change.edit(content);
    changed.push(after !== content);
    if (after !== content) versions.push({ content: after, message: change.message });
    content = after;
  }
  return { versions, changed };
}

/**
 * A call killed between moving the branch and syncing the indexes left the checkout's index one version
 * behind (git status: "MM", a staged revert of the change). When the index still holds the file as it was
 * before its last commit, point it at the committed version, as that call would have.
 */
async function finishInterruptedSync(root: string, branch: string, path: string, head: string, current: { mode: string; blob: string }): Promise<void> {
  const last = await gitOut(root, ["--literal-pathspecs", "log", "-1", "--format=%H", head, "--", path]);
  const parent = last === "" ? null : await resolveCommit(root, `${last}^`);
  const previous = parent === null ? null : await treeEntry(root, parent, path);
  if (previous && previous.blob !== current.blob) await syncIndexes(root, branch, path, previous.blob, `${current.mode},${current.blob},${path}`);
}

/**
 * Where the branch is checked out, points the index entry at the new blob, so `git status` shows only
 * the user's own edits. Skipped when the user staged a different version of the file.
 */
async function syncIndexes(root: string, branch: string, path: string, oldBlob: string, cacheinfo: string): Promise<void> {
  // In one script per checkout: the index entry moves only while it still holds the old blob at stage 0.
  const script = [
    'staged=$(git --literal-pathspecs ls-files --stage -- "$1")', // a name such as ":x.md" is not pathspec magic
    'case $staged in [0-7]*" $2 0\t"*) git update-index --cacheinfo "$3" ;; esac',
  ].join("\n");
  for (const checkout of await checkoutsOf(root, branch)) {
    for (let attempt = 0; ; attempt++) {
      const update = await runGitScript(checkout, `update the index entry of ${path}`, script, [path, oldBlob, cacheinfo], { okExitCodes: [128] });
      if (update.exitCode === 0) break;
      // The user's own git command holds index.lock right now: wait for it briefly.
      if (attempt === 20 || !update.stderr.includes("index.lock")) throw new Error(`could not update the index in ${checkout}: ${update.stderr.trim()}`);
      await sleep(100);
    }
  }
}
