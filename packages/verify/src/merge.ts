import { lstatSync } from "node:fs";
import { join } from "node:path";
import { isAncestor, resolveCommit, runGit } from "./git.js";
import { CSESS_PATHS } from "./evidence.js";
import { withRepoLock } from "./lock.js";
import { committedFile, editedVersions, type CommitFileChangeOptions, type CommittedFile } from "./commit-file.js";
import { ObjectStore } from "./objects.js";
import { chainCommitsFile, commitFileVersions, commitMergeChain, isKept, withTaskTrailer, type ChainMade, type FileVersion } from "./plumbing.js";
import { openRepo } from "./repo.js";
import { checkoutsOf } from "./worktree.js";

export interface MergeTaskOptions {
  /** Any checkout of the repository (normally the user's main checkout). */
  root: string;
  /** The task branch to merge. */
  branch: string;
  taskId: string;
  /** Task title, for the merge commit's subject. */
  title?: string;
  /** Branch to merge into (default: the branch checked out at `root`). */
  into?: string;
  /**
   * Paths that keep the integration branch's version (e.g. the PRD: agents tick their copy, csess
   * ticks the real one after verification); one ending in "/" is a whole folder. Conflicts only in
   * these paths do not count.
   */
  keepPaths?: string[];
  /**
   * Tests the merge commit before the integration branch moves to it ("not rocket science": what
   * lands is what was tested). Resolves to undefined when it passes, or to the reason it failed.
   * Runs under the repository lock; if the branch moved meanwhile, the new merge is tested again.
   */
  testMerge?: (commit: string, head: string) => Promise<string | undefined>;
}

export type MergeStatus = "merged" | "conflict" | "refused" | "check-failed";

export interface MergeResult {
  status: MergeStatus;
  /** The merge commit (status merged). */
  commit?: string;
  /**
   * With `fileChanges`, for a merged task: the commit of its file change, made on top of the merges and
   * moved with them; null when its edit changed nothing. Absent when the change was not made here.
   */
  fileCommit?: string | null;
  /** Conflicted paths (conflict) or the user's local changes in the way (refused). */
  paths?: string[];
  /** One line for people. */
  message: string;
}

/**
 * Merges a task branch into the integration branch as a `--no-ff` merge commit ending with the
 * `Csess-Task: <id>` trailer, serially under the repository lock. The merge is computed without any
 * working tree (`git merge-tree`); the checkout is then fast-forwarded with `git merge --ff-only`,
 * which refuses rather than touch the user's overlapping local changes. Never forces; on conflict or
 * refusal nothing is changed and the branch is kept.
 */
export async function mergeTaskBranch(options: MergeTaskOptions): Promise<MergeResult> {
  const { branch, taskId, title, ...rest } = options;
  const [result] = await mergeTaskBranches({ ...rest, tasks: [{ branch, taskId, ...(title === undefined ? {} : { title }) }] });
  return result!;
}

/** One task branch of a batch. */
export interface TaskBranch {
  branch: string;
  taskId: string;
  title?: string;
}

export interface MergeTaskBranchesOptions extends Omit<MergeTaskOptions, "branch" | "taskId" | "title"> {
  /** Merged in this order, each onto the merges before it. */
  tasks: TaskBranch[];
  /**
   * One change of one file per task (by task id; e.g. its box ticked in the PRD), committed for each task
   * that merges, in order, on top of the merges, as `commitFileChanges` commits them: the branch and its
   * checkout then move once for both (`fileCommit` in the results). When the checkout refuses that (the
   * user has edits of the file) or the file is not committed, the branch moves to the merges alone and
   * `fileCommit` is absent: make those changes with `commitFileChanges`, which works around such edits.
   */
  fileChanges?: { path: string; byTask: ReadonlyMap<string, FileChange> };
}

/** A new version of a file from its committed content, and the message of its commit. */
export type FileChange = Pick<CommitFileChangeOptions, "edit" | "message">;

/**
 * Merges several task branches at once: each merge commit is made on top of the one before (a task
 * that conflicts is left out, the others go on), then the integration branch and its checkout move
 * once, to the last. Results are in the order of `tasks`, as `mergeTaskBranch` gives them. If the
 * checkout refuses the batch (local edits of the user's overlap some task's changes), the tasks are
 * merged one by one, so only the one in the way is refused.
 */
export async function mergeTaskBranches(options: MergeTaskBranchesOptions): Promise<MergeResult[]> {
  const names = options.tasks.map((t) => t.branch).join(", ");
  return withRepoLock(options.root, async () => {
    const into = options.into ?? (await openRepo(options.root, { requireBranch: true, requireCommits: true })).branch!;
    // The integration branch may move under us (the user commits): recompute and try again.
    for (let attempt = 1; ; attempt++) {
      const results = await mergeChain(options, into);
      if (results === "refused" && options.tasks.length > 1) {
        const one: MergeResult[] = [];
        for (const task of options.tasks) one.push(...(await mergeTaskBranches({ ...options, into, tasks: [task] })));
        return one;
      }
      if (results !== "moved" && results !== "refused") return results;
      if (attempt === 3) return options.tasks.map(() => ({ status: "refused" as const, message: `${into} kept moving while merging ${names}; try again` }));
    }
  }, { purpose: `merge ${names}` });
}

interface Tip {
  commit: string;
  tree: string;
}

/** What a chain of merges made before any ref moves. */
interface Chained {
  start: Tip;
  /** The last merge made (start when none was). */
  head: Tip;
  /** Each task's result, in order; those at `pending` hold once the branch has moved. */
  results: MergeResult[];
  pending: number[];
  /** The file changes planned for the chain, and their commits when it made them. */
  planned?: PlannedFileChanges;
  file?: ChainMade["file"];
}

/** Merges the chain and moves the branch once; "moved" when the branch moved meanwhile, "refused" when a batch's checkout refused. */
async function mergeChain(options: MergeTaskBranchesOptions, into: string): Promise<MergeResult[] | "moved" | "refused"> {
  const { root } = options;
  const { start, head, results, pending, planned, file } = await ObjectStore.with(root, (store) => chainMerges(store, options, into));
  if (head === start) return results;
  const what = options.tasks.map((t) => t.branch).join(", ");
  // The merge chain committed the file's changes when it made every merge; else they go on top now.
  let along = planned && file
    ? { tip: file.at(-1)?.commit ?? head.commit, commits: commitsByTask(planned, file) }
    : await fileChangesOnTop(options, head.commit, pending.map((i) => options.tasks[i]!));
  let moved = await moveBranch(root, into, start.commit, along?.tip ?? head.commit, what, along && options.fileChanges!.path);
  if (along && typeof moved === "object") {
    // Refused with the file's new version (the user's edits of it, most likely): the merges alone.
    along = undefined;
    moved = await moveBranch(root, into, start.commit, head.commit, what);
  }
  if (moved === "moved") return "moved";
  if (moved !== "merged") {
    if (options.tasks.length > 1) return "refused";
    return results.map((r, i) => (pending.includes(i) ? moved : r));
  }
  if (!along) return results;
  const { commits } = along;
  return results.map((r, i) => {
    const { taskId } = options.tasks[i]!;
    return pending.includes(i) && options.fileChanges!.byTask.has(taskId) ? { ...r, fileCommit: commits.get(taskId) ?? null } : r;
  });
}

/**
 * Each task's merge commit on top of the one before, every object read and written through `store`:
 * the branch tips, the kept file as it is at the start, the merges (with the file's changes on top
 * when all of them are made in one chain).
 */
async function chainMerges(store: ObjectStore, options: MergeTaskBranchesOptions, into: string): Promise<Chained> {
  const { root } = options;
  const refs = await branchTips(store, [into, ...options.tasks.map((t) => t.branch)]);
  const start = refs.get(into);
  if (start === undefined) throw new Error(`integration branch ${into} does not exist in ${root}`);
  let head = start;
  const results: MergeResult[] = [];
  const pending: number[] = [];
  // A kept file reads the same after the merges (each puts its version back), so its changes are made
  // from its version at the start, and the merge chain commits them on top of its merges.
  const present = options.tasks.filter((task) => refs.has(task.branch));
  const planned = options.testMerge ? undefined : await plannedFileChanges(options, present, (path) => fileInTree(store, start.tree, path), true);
  // The common case in one chain: merges that need no closer look (nor a check of each result).
  // It makes the merges of the first tasks (of those whose branch exists) and stops where one needs more.
  const made = options.testMerge ? { merges: [] } : await commitMergeChain(store, {
    head: start, keep: keptPaths(options),
    merges: present.map((task) => ({ tip: refs.get(task.branch)!.commit, message: mergeMessage(task) })),
    ...(planned ? { file: { ...planned.file, versions: planned.versions } } : {}),
  });
  const madeAt = new Map(present.map((task, i) => [task, i])); // a task's place in the merge chain
  for (const task of options.tasks) {
    const tip = refs.get(task.branch);
    if (tip === undefined) {
      results.push({ status: "refused", message: `task branch ${task.branch} does not exist in ${root}; nothing merged` });
      continue;
    }
    const step = made.merges[madeAt.get(task)!] ?? (await mergeStep(options, task, head, tip, into, store));
    if ("status" in step) {
      results.push(step);
      continue;
    }
    head = step;
    pending.push(results.length);
    results.push(merged(step.commit, task.branch, into));
  }
  return { start, head, results, pending, ...(planned ? { planned } : {}), ...(made.file ? { file: made.file } : {}) };
}

/** The `fileChanges` of some tasks planned on the file as committed somewhere: its new versions, and whose each is. */
interface PlannedFileChanges {
  file: { path: string; mode: string };
  versions: FileVersion[];
  /** The task of each change, in order, and whether it made a version. */
  byChange: Array<{ taskId: string; changed: boolean }>;
}

/**
 * Plans the `fileChanges` of `tasks` (in order) on the file as `committed` reads it; undefined when there
 * are none, the file is not committed there, or an edit throws (the merges then land alone, and the
 * caller's own commit of the change says why). `chained`: only for a file the merge chain commits.
 */
async function plannedFileChanges(
  options: MergeTaskBranchesOptions, tasks: TaskBranch[], committed: (path: string) => Promise<CommittedFile | null>, chained = false,
): Promise<PlannedFileChanges | undefined> {
  const { fileChanges } = options;
  if (!fileChanges || (chained && !chainCommitsFile(keptPaths(options), fileChanges.path))) return undefined;
  const changes = tasks.flatMap(({ taskId }) => {
    const change = fileChanges.byTask.get(taskId);
    return change ? [{ taskId, ...change }] : [];
  });
  if (changes.length === 0) return undefined;
  const file = await committed(fileChanges.path);
  if (file === null) return undefined; // not committed here: the caller decides
  try {
    const { versions, changed } = editedVersions(file.content, changes);
    return { file: { path: fileChanges.path, mode: file.mode }, versions, byChange: changes.map(({ taskId }, i) => ({ taskId, changed: changed[i]! })) };
  } catch {
    return undefined;
  }
}

/** Each task's commit of its version (none for a change that changed nothing), from the versions' commits in order. */
function commitsByTask(planned: PlannedFileChanges, made: Array<{ commit: string }>): Map<string, string> {
  const commits = new Map<string, string>();
  let next = 0;
  for (const { taskId, changed } of planned.byChange) if (changed) commits.set(taskId, made[next++]!.commit);
  return commits;
}

/**
 * The `fileChanges` of the merged tasks committed on top of `head` (no ref moves): the new tip and each
 * task's commit (none when its edit changed nothing); undefined when there is nothing to commit this way.
 */
async function fileChangesOnTop(
  options: MergeTaskBranchesOptions, head: string, tasks: TaskBranch[],
): Promise<{ tip: string; commits: Map<string, string> } | undefined> {
  const planned = await plannedFileChanges(options, tasks, async (path) => {
    const read = await committedFile(options.root, head, path);
    return read === "moved" ? null : read.file; // (head is a commit: it cannot move)
  });
  if (!planned) return undefined;
  const made = await commitFileVersions(options.root, head, planned.file, planned.versions);
  if (made === "moved") return undefined; // only a ref move can find it moved, and none is asked for
  return { tip: made.at(-1)?.commit ?? head, commits: commitsByTask(planned, made) };
}

/** One merge commit on top of `head`: the new tip, or a result (already merged, conflict, check failed). */
async function mergeStep(
  options: MergeTaskBranchesOptions, task: TaskBranch, head: Tip, tip: Tip, into: string, store: ObjectStore,
): Promise<Tip | MergeResult> {
  const { root } = options;
  const { branch } = task;
  const computed = await runGit(root, ["merge-tree", "--write-tree", "--name-only", "-z", "--no-messages", head.commit, tip.commit], {
    okExitCodes: [1],
  });
  const [mergedTree = "", ...listed] = computed.stdout.split("\0").filter(Boolean);
  // Only a merge that changes nothing can be of a branch merged already (a resumed landing): ask git then.
  if (mergedTree === head.tree && (await isAncestor(root, tip.commit, head.commit))) {
    return { status: "merged", commit: head.commit, message: `${branch} is already merged into ${into}` };
  }
  const conflicts = [...new Set(listed)].filter((p) => !isKept(keptPaths(options), p));
  if (conflicts.length > 0) {
    return {
      status: "conflict",
      paths: conflicts,
      message: `${branch} conflicts with ${into} in ${conflicts.join(", ")}; branch kept, ${into} unchanged`,
    };
  }
  // The kept paths, and csess's own (never from a task: an agent cannot plant files in csess's state
  // this way), keep the integration branch's version.
  const { merges: [made] } = await commitMergeChain(store, {
    head, merges: [{ tip: tip.commit, message: mergeMessage(task) }], keep: keptPaths(options), checked: true,
  });
  const { tree, commit } = made!;
  const failed = await options.testMerge?.(commit, head.commit);
  if (failed !== undefined) return { status: "check-failed", commit, message: `${failed}; branch ${branch} kept, ${into} unchanged` };
  return { commit, tree };
}

/**
 * Moves `into` from `from` to `to`: its checkout (if any) with `merge --ff-only`, which moves branch,
 * index and files together and refuses if a changed path has local edits or would replace an untracked
 * or ignored file (a secret such as .env) of the user's; else the ref alone. `present` is a path the
 * move changes that must still be in the checkout: git counts a file deleted there (not staged) as
 * unchanged and would write it back, so that is refused here.
 */
async function moveBranch(root: string, into: string, from: string, to: string, what: string, present?: string): Promise<"merged" | "moved" | MergeResult> {
  const [checkout] = await checkoutsOf(root, into);
  if (checkout === undefined) {
    const moved = await runGit(root, ["update-ref", `refs/heads/${into}`, to, from], { okExitCodes: [128] });
    return moved.exitCode === 0 ? "merged" : "moved";
  }
  if (present && !lstatSync(join(checkout, present), { throwIfNoEntry: false })) {
    return { status: "refused", paths: [present], message: `not moving ${into}: you deleted ${present} in ${checkout} (branch kept)` };
  }
  // git's upkeep after a merge (`git maintenance run --auto`, one more process) at every UPKEEP_EVERY-th move of this
  // process; not at the first, which people wait for most (a run of fewer landings leaves it to the user's next commit).
  const upkeep = ++movesOfCheckouts % UPKEEP_EVERY === 0;
  const ff = await runGit(checkout, [...(upkeep ? [] : ["-c", "maintenance.auto=false"]), "merge", "--ff-only", "--no-overwrite-ignore", "--no-autostash", "--no-stat", to], {
    okExitCodes: [1, 128],
  });
  if (ff.exitCode === 0) return "merged";
  if ((await resolveCommit(root, `refs/heads/${into}`)) !== from) return "moved";
  const paths = ff.stderr.split("\n").filter((l) => l.startsWith("\t")).map((l) => l.trim());
  const said = ff.stderr.split("\n").find((l) => /^(error|fatal):/.test(l))?.replace(/^(error|fatal): /, "") ?? ff.stderr.trim();
  return {
    status: "refused",
    ...(paths.length > 0 ? { paths } : {}),
    message:
      paths.length > 0
        ? `not merging ${what}: your uncommitted changes in ${checkout} to ${paths.join(", ")} overlap its changes; commit or stash them, then run again (branch kept)`
        : `not merging ${what} into ${into}: ${said} (branch kept)`,
  };
}

/**
 * A landing writes a dozen objects: git's own check whether the repository needs packing, which `git merge`
 * runs after every merge, is run after one checkout move in this many (and the user's git runs it too).
 */
const UPKEEP_EVERY = 16;
let movesOfCheckouts = 0;

function merged(commit: string, branch: string, into: string): MergeResult {
  return { status: "merged", commit, message: `merged ${branch} into ${into} as ${commit.slice(0, 12)}` };
}

/** The commit and tree at the tip of each branch that exists, asked of the store's running git. */
async function branchTips(store: ObjectStore, branches: string[]): Promise<Map<string, Tip>> {
  const names = [...new Set(branches)];
  const tips = await Promise.all(names.map((branch) => store.commitAt(`refs/heads/${branch}`)));
  return new Map(names.flatMap((branch, i) => (tips[i] ? [[branch, tips[i]!] as const] : [])));
}

/** The file at `path` in `tree` with its content; null when there is none (or a folder or submodule is there). */
async function fileInTree(store: ObjectStore, tree: string, path: string): Promise<CommittedFile | null> {
  const entry = await store.entryAt(tree, path);
  if (entry === null || entry.mode === "40000" || entry.mode === "160000") return null;
  return { mode: entry.mode, blob: entry.oid, content: await store.readText(entry.oid) };
}

/** The merge commit's message: subject, the branch, and the task's trailer. */
function mergeMessage(task: TaskBranch): string {
  return withTaskTrailer(`Merge csess task ${task.taskId}${task.title ? `: ${task.title}` : ""}`, `Branch: ${task.branch}`, task.taskId);
}

/** The paths whose integration-branch version every merge keeps: the given ones and csess's own. */
function keptPaths(options: MergeTaskBranchesOptions): string[] {
  return [...(options.keepPaths ?? []), ...CSESS_PATHS];
}
