import { constants, existsSync } from "node:fs";
import { access, mkdir, mkdtemp, readFile, realpath, rename, rm, writeFile } from "node:fs/promises";
import { availableParallelism, homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";
import { checkoutDirs, gitOut, resolveCommit, runGit, runGitScript } from "./git.js";
import { withRepoLock } from "./lock.js";

/** Branch prefix of every task branch: `csess/<run-id>/<task-slug>`. */
export const TASK_BRANCH_PREFIX = "csess/";

export interface TaskWorktree {
  path: string;
  branch: string;
  /** Commit checked out in the worktree. */
  head: string;
  /** False when it already existed (a resumed run): nothing was changed. */
  created: boolean;
}

export interface AddTaskWorktreeOptions {
  root: string;
  runId: string;
  slug: string;
  /** Commit-ish the branch starts from (the run's base commit). */
  base: string;
  /** Folder holding the run's worktrees; default `<root>/.csess/worktrees/<run-id>` (kept out of git). */
  dir?: string;
}

/** Turns a task title into a branch- and path-safe slug ("Add the login API!" -> "add-the-login-api"). */
export function slugify(title: string, maxLength = 48): string {
  const slug = title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug.slice(0, maxLength).replace(/-+$/, "") || "task";
}

/** The branch name of a task: `csess/<run-id>/<slug>`. */
export function taskBranchName(runId: string, slug: string): string {
  return `${TASK_BRANCH_PREFIX}${runId}/${slug}`;
}

/**
 * Creates (or, when it exists, returns) the worktree of one task on branch `csess/<run-id>/<slug>`,
 * starting at `base`. Only committed content is in it: the user's uncommitted changes stay put.
 */
export async function addTaskWorktree(options: AddTaskWorktreeOptions): Promise<TaskWorktree> {
  checkName("run id", options.runId, "20261121-0930");
  checkName("slug", options.slug, "add-login-endpoint");
  const root = await realpath(options.root);
  const branch = taskBranchName(options.runId, options.slug);
  const path = resolve(options.dir ?? join(root, ".csess", "worktrees", options.runId), options.slug);
  const worktree = await withRepoLock(root, async (): Promise<TaskWorktree> => {
    if (options.dir === undefined) await ensureCsessIgnored(root);
    if (!existsSync(path)) {
      // A new task, the common case: one git process, its new branch's commit read back from the ref
      // file git just wrote. Anything unusual (its branch exists already, the path is still registered, a
      // bad base) makes it fail and takes the careful path below. `^{commit}`: a branch as base is a start
      // point, never upstream. Its files are checked out after the lock is released (below). The add itself
      // stays under the lock: for a moment git leaves the new worktree half-made (HEAD the null id, an empty
      // commondir), and the git commands that read every worktree (`fetch`, `worktree list`) then fail;
      // they did, in csess's own landings and fetches, when starts ran outside the lock.
      const added = await runGit(root, ["worktree", "add", "-q", "--no-checkout", "-b", branch, path, `${options.base}^{commit}`], { okExitCodes: [128, 255] });
      if (added.exitCode === 0) return { path, branch, head: await branchTip(root, branch), created: true };
    }
    return addCarefully(root, path, branch, options.base);
  }, { purpose: `add worktree ${branch}` });
  if (!(await checkedOut(path))) await checkOut(root, worktree);
  return worktree;
}

/**
 * The files of a worktree added without a checkout, its index, and the user's post-checkout hook, as
 * `git worktree add` would make them. Outside the repository lock: only this worktree is touched (its
 * registration is complete), and in a repository of many files the checkout is most of a task's start,
 * which held every landing up while it ran under the lock.
 */
async function checkOut(root: string, worktree: TaskWorktree): Promise<void> {
  await runGit(worktree.path, ["reset", "-q", "--hard", "--no-recurse-submodules"]);
  const hook = await postCheckoutHook(root, worktree.path);
  if (hook) await runGit(worktree.path, ["hook", "run", "post-checkout", "--", NO_COMMIT, worktree.head, "1"]);
}
const NO_COMMIT = "0".repeat(40);

/**
 * Whether the worktree at `path` was checked out: git writes its index then. One added without a checkout
 * has none (a kill came between the add and the checkout: the next start checks it out).
 */
async function checkedOut(path: string): Promise<boolean> {
  const gitFile = await readFile(join(path, ".git"), "utf8").catch(() => "");
  const gitDir = /^gitdir: (.+)$/m.exec(gitFile)?.[1]?.trim();
  return gitDir === undefined || exists(join(resolve(path, gitDir), "index")); // no linked worktree as git makes them: not ours to fill
}

/** Whether the user has a post-checkout hook where git looks for one in the worktree at `worktreePath`. */
async function postCheckoutHook(root: string, worktreePath: string): Promise<boolean> {
  const hooks = await hooksDir(root);
  return access(join(resolve(worktreePath, hooks.dir), "post-checkout"), constants.X_OK).then(() => true, () => false);
}

/**
 * Where git looks for the user's hooks in `root`'s repository: `core.hooksPath` (a relative one is
 * relative to the top of each worktree, as husky's `.husky/_`; `~` is the home folder), else the
 * `hooks` folder of the common git directory. Asked once per repository and process.
 */
export function hooksDir(root: string): Promise<{ dir: string; relative: boolean }> {
  let asked = hooksDirs.get(root);
  if (!asked) {
    asked = runGit(root, ["config", "--get", "core.hooksPath"], { okExitCodes: [1] }).then(async ({ stdout }) => {
      const configured = stdout.trim();
      if (configured === "") return { dir: join((await checkoutDirs(root)).commonDir, "hooks"), relative: false };
      if (configured === "~" || configured.startsWith("~/")) return { dir: join(homedir(), configured.slice(1)), relative: false };
      return { dir: configured, relative: !isAbsolute(configured) };
    });
    asked.catch(() => hooksDirs.delete(root));
    hooksDirs.set(root, asked);
  }
  return asked;
}
const hooksDirs = new Map<string, Promise<{ dir: string; relative: boolean }>>();

/** `addTaskWorktree` when the quick way failed: the path or branch exists (a resumed run), or the base is odd. */
async function addCarefully(root: string, path: string, branch: string, baseRev: string): Promise<TaskWorktree> {
  const existing = (await listWorktrees(root)).find((w) => w.path === path);
  if (existing) {
    if (existing.branch !== branch && (await resolveCommit(root, `refs/heads/${branch}`)) === null && existing.path.startsWith(join(root, ".csess"))) {
      // The agent detached its worktree and deleted its branch: start the branch again from the base
      // in csess's own worktree (forced: what is left there is the agent's, never the user's).
      const base = await resolveCommit(root, baseRev);
      if (base === null) throw new Error(`base ${baseRev} is not a commit in ${root} (expected a branch, tag or hash)`);
      await runGit(path, ["checkout", "-q", "-f", "-B", branch, base]);
      return { path, branch, head: base, created: false };
    }
    if (existing.branch !== branch) {
      throw new Error(`${path} is already a worktree of ${existing.branch ?? "a detached HEAD"}, expected branch ${branch}`);
    }
    // The agent deleted its branch: the next iteration starts fresh from the base, in the same worktree.
    if ((await resolveCommit(root, `refs/heads/${branch}`)) === null) {
      const base = await resolveCommit(root, baseRev);
      if (base === null) throw new Error(`base ${baseRev} is not a commit in ${root} (expected a branch, tag or hash)`);
      await runGit(root, ["update-ref", `refs/heads/${branch}`, base, ""]);
      return { path, branch, head: base, created: false };
    }
    return { path, branch, head: existing.head, created: false };
  }
  const base = await resolveCommit(root, baseRev);
  if (base === null) throw new Error(`base ${baseRev} is not a commit in ${root} (expected a branch, tag or hash)`);
  const branchExists = (await resolveCommit(root, `refs/heads/${branch}`)) !== null;
  const args = branchExists ? ["worktree", "add", path, branch] : ["worktree", "add", "-b", branch, path, base];
  await runGit(root, args);
  const head = branchExists ? await gitOut(path, ["rev-parse", "HEAD"]) : base;
  return { path, branch, head, created: true };
}

/**
 * A branch's commit, read from its loose ref file when git wrote one (as it does for a branch it has just
 * made; gitrepository-layout), else asked of git (packed refs, other ref stores).
 */
export async function branchTip(root: string, branch: string): Promise<string> {
  const file = await readFile(join((await checkoutDirs(root)).commonDir, "refs", "heads", branch), "utf8").catch(() => "");
  return /^[0-9a-f]{40}(?:[0-9a-f]{24})?\n$/.test(file) ? file.trim() : gitOut(root, ["rev-parse", "--verify", `refs/heads/${branch}`]);
}

export interface RemoveTaskWorktreeOptions {
  root: string;
  path: string;
  branch: string;
  /** The branch the work must be merged into before anything is removed (default: root's HEAD). */
  mergedInto?: string;
}

export interface RemoveTaskWorktreeResult {
  worktreeRemoved: boolean;
  branchDeleted: boolean;
  /** Why something was kept, with where it is, for the report. */
  kept?: string;
}

/**
 * Removes a task's worktree and branch once the branch is merged. Unmerged work, or a worktree with
 * uncommitted files, is kept and the reason says where it is. Never forces.
 */
export async function removeTaskWorktree(options: RemoveTaskWorktreeOptions): Promise<RemoveTaskWorktreeResult> {
  const { path, branch, ...rest } = options;
  const [result] = await removeTaskWorktrees({ ...rest, worktrees: [{ path, branch }] });
  return result!;
}

export interface RemoveTaskWorktreesOptions extends Omit<RemoveTaskWorktreeOptions, "path" | "branch"> {
  worktrees: Array<Pick<RemoveTaskWorktreeOptions, "path" | "branch">>;
}

/**
 * Several at once (tasks that landed together), as `removeTaskWorktree` removes one, in one turn of
 * the repository lock: one git call asks which branches are merged, one script runs each worktree's
 * `git worktree remove` (which refuses one with uncommitted files), one call deletes the branches
 * (each by compare-and-swap). Results in the order given.
 */
export async function removeTaskWorktrees(options: RemoveTaskWorktreesOptions): Promise<RemoveTaskWorktreeResult[]> {
  const root = await realpath(options.root);
  const into = options.mergedInto ?? "HEAD";
  return withRepoLock(root, async () => {
    const tips = await mergedBranchTips(root, into, options.worktrees.map((w) => w.branch));
    const unmerged = (branch: string) => tips.get(branch)?.merged === false; // no tip: the branch is gone already
    const removals = await removeWorktrees(root, options.worktrees.filter((w) => !unmerged(w.branch) && existsSync(w.path)).map((w) => w.path));
    // Removed without listing the worktrees first: only a refusal is looked into.
    const refused = [...removals.values()].some((r) => r.exitCode !== 0);
    const listed = new Set(refused ? (await listWorktrees(root)).map((w) => w.path) : []);
    const results: RemoveTaskWorktreeResult[] = [];
    const deletions: Array<{ branch: string; tip: string; at: number }> = [];
    for (const { path, branch } of options.worktrees) {
      const found = tips.get(branch);
      if (unmerged(branch)) {
        results.push({ worktreeRemoved: false, branchDeleted: false, kept: `branch ${branch} has commits not merged into ${into}; kept it and its worktree ${path}` });
        continue;
      }
      const removal = removals.get(path);
      if (removal && removal.exitCode !== 0 && listed.has(resolve(path))) {
        results.push({ worktreeRemoved: false, branchDeleted: false, kept: `worktree ${path} kept: ${removal.said.replace(/^fatal: /, "")}` });
        continue;
      }
      if (found) deletions.push({ branch, tip: found.tip, at: results.length });
      results.push({ worktreeRemoved: removal?.exitCode === 0, branchDeleted: found !== undefined });
    }
    for (const moved of await deleteBranches(root, deletions)) {
      results[moved.at] = { ...results[moved.at]!, branchDeleted: false, kept: `branch ${moved.branch} moved while it was being removed; kept it` };
    }
    return results;
  }, { purpose: `remove worktree ${options.worktrees.map((w) => w.branch).join(", ")}` });
}

/**
 * `git worktree remove` of each path, in a script per lane, the lanes side by side (one per core, at most
 * four: each removal is mostly git's own status check, and those of different worktrees do not touch each
 * other): each path's exit code, and what git said when it refused.
 */
async function removeWorktrees(root: string, paths: string[]): Promise<Map<string, { exitCode: number; said: string }>> {
  const removals = new Map<string, { exitCode: number; said: string }>();
  const lanes = Math.min(paths.length, availableParallelism(), 4);
  // Each answer as "<code> <what git said>" and a NUL (git's message may span lines).
  const script = [
    'for p; do',
    '  said=$(git worktree remove "$p" 2>&1 >/dev/null) && code=0 || code=$?',
    `  printf '%s %s\\0' "$code" "$said"`,
    "done",
  ].join("\n");
  await Promise.all(Array.from({ length: lanes }, async (_, lane) => {
    const mine = paths.filter((_, i) => i % lanes === lane);
    const answers = (await runGitScript(root, "remove worktrees", script, mine)).stdout.split("\0");
    mine.forEach((path, i) => {
      const [code = "", ...said] = (answers[i] ?? "").split(" ");
      removals.set(path, { exitCode: Number(code), said: said.join(" ").replace(/\s+/g, " ") }); // $(...) took the trailing newlines
    });
  }));
  return removals;
}

/** Each existing branch's tip, and whether it is merged into `into`: one git call when all are merged. */
async function mergedBranchTips(root: string, into: string, branches: string[]): Promise<Map<string, { tip: string; merged: boolean }>> {
  const refs = branches.map((b) => `refs/heads/${b}`);
  const list = async (extra: string[]) => {
    const found = new Map<string, string>();
    for (const line of (await gitOut(root, ["for-each-ref", "--format=%(objectname) %(refname)", ...extra, ...refs])).split("\n")) {
      const [tip = "", ref = ""] = line.split(" ");
      const at = refs.indexOf(ref); // for-each-ref also lists refs below a name (refs/heads/a/b)
      if (at !== -1) found.set(branches[at]!, tip);
    }
    return found;
  };
  const merged = await list([`--merged=${into}`]);
  const tips = new Map([...merged].map(([branch, tip]) => [branch, { tip, merged: true }]));
  if (tips.size < new Set(branches).size) {
    for (const [branch, tip] of await list([])) if (!tips.has(branch)) tips.set(branch, { tip, merged: false });
  }
  return tips;
}

/**
 * Deletes the branches, each only if it still points at the tip found merged (one transaction; if a
 * branch moved meanwhile, one by one). Returns the ones that moved and were kept.
 */
async function deleteBranches(root: string, deletions: Array<{ branch: string; tip: string; at: number }>) {
  if (deletions.length === 0) return [];
  const line = (d: { branch: string; tip: string }) => `delete refs/heads/${d.branch} ${d.tip}\n`;
  const all = await runGit(root, ["update-ref", "--stdin"], { input: deletions.map(line).join(""), okExitCodes: [128] });
  if (all.exitCode === 0) return [];
  const moved = [];
  for (const d of deletions) {
    // git says 1 when the branch no longer points at `d.tip` (128 for other refusals).
    const one = await runGit(root, ["update-ref", "-d", `refs/heads/${d.branch}`, d.tip], { okExitCodes: [1, 128] });
    if (one.exitCode !== 0) moved.push(d);
  }
  return moved;
}

/** Forgets worktrees whose directories are gone (e.g. deleted by hand); returns git's notes on each. */
export async function pruneWorktrees(root: string): Promise<string[]> {
  return withRepoLock(root, async () => {
    const result = await runGit(root, ["worktree", "prune", "--verbose"]);
    return (result.stdout + result.stderr).split("\n").map((l) => l.trim()).filter(Boolean);
  }, { purpose: "prune worktrees" });
}

export interface WorktreeEntry {
  path: string;
  head: string;
  /** Short branch name, or null when detached. */
  branch: string | null;
  /** True when git knows its directory is gone (`git worktree prune` would drop it). */
  prunable: boolean;
}

/** Every worktree of the repository, the main checkout first (`git worktree list --porcelain`). */
export async function listWorktrees(root: string): Promise<WorktreeEntry[]> {
  const out = (await runGit(root, ["worktree", "list", "--porcelain", "-z"])).stdout;
  const entries: WorktreeEntry[] = [];
  let current: WorktreeEntry | undefined;
  for (const field of out.split("\0")) {
    if (field.startsWith("worktree ")) {
      current = { path: field.slice("worktree ".length), head: "", branch: null, prunable: false };
      entries.push(current);
    } else if (current && field.startsWith("HEAD ")) current.head = field.slice(5);
    else if (current && field.startsWith("branch ")) current.branch = field.slice(7).replace(/^refs\/heads\//, "");
    else if (current && field.startsWith("prunable")) current.prunable = true;
  }
  return entries;
}

/**
 * The checkouts (their top folders) that have `branch` checked out: git allows one, unless forced. The
 * common case, `root`'s own checkout on it, is read from its HEAD file; anything else is asked of git.
 */
export async function checkoutsOf(root: string, branch: string): Promise<string[]> {
  const { gitDir, top } = await checkoutDirs(root);
  const head = await readFile(join(gitDir, "HEAD"), "utf8").catch(() => "");
  if (top !== null && head === `ref: refs/heads/${branch}\n`) return [top];
  return (await listWorktrees(root)).filter((w) => w.branch === branch).map((w) => w.path);
}

/** The csess task worktrees (branches under `csess/`), optionally of one run. */
export async function listTaskWorktrees(root: string, runId?: string): Promise<WorktreeEntry[]> {
  const prefix = runId === undefined ? TASK_BRANCH_PREFIX : `${TASK_BRANCH_PREFIX}${runId}/`;
  return (await listWorktrees(root)).filter((w) => w.branch?.startsWith(prefix));
}

/**
 * Makes `.csess/` invisible to git without editing any tracked file: a `.csess/.gitignore` holding
 * `*` ignores the folder's whole content, itself included. The folder is made in the git directory
 * (which git never shows) and renamed into place, so a kill in between leaves no unignored `.csess/`.
 */
async function ensureCsessIgnored(root: string): Promise<void> {
  const dir = join(root, ".csess");
  if (await exists(join(dir, ".gitignore"))) return;
  const aside = await mkdtemp(join(root, ".git", "csess-ignore-")).catch(() => undefined); // no .git folder: made in place
  if (aside) {
    await writeFile(join(aside, ".gitignore"), "*\n");
    const moved = await rename(aside, dir).then(() => true, () => false); // .csess/ exists already (left by a kill)
    if (moved) return;
    await rm(aside, { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, ".gitignore"), "*\n", { flag: "wx" }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });
}

function exists(file: string): Promise<boolean> {
  return access(file).then(() => true, () => false);
}

function checkName(what: string, value: string, example: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(value) || value.includes("..") || value.endsWith(".lock")) {
    throw new Error(`invalid ${what} ${JSON.stringify(value)}: expected letters, digits, ".", "_" or "-" (e.g. "${example}")`);
  }
}
