import { isAncestor, resolveCommit, runGit } from "./git.js";
import { CSESS_PATHS } from "./evidence.js";
import { withRepoLock } from "./lock.js";
import { commitTree, treeEntry, withTaskTrailer, withTempIndex } from "./plumbing.js";
import { openRepo } from "./repo.js";
import { listWorktrees } from "./worktree.js";

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
   * ticks the real one after verification). Conflicts only in these paths do not count.
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
  return withRepoLock(options.root, async () => {
    const into = options.into ?? (await openRepo(options.root, { requireBranch: true, requireCommits: true })).branch!;
    // The integration branch may move under us (the user commits): recompute and try again.
    for (let attempt = 1; ; attempt++) {
      const result = await mergeOnce(options, into);
      if (result !== "moved") return result;
      if (attempt === 3) {
        return { status: "refused", message: `${into} kept moving while merging ${options.branch}; try again` };
      }
    }
  }, { purpose: `merge ${options.branch}` });
}

async function mergeOnce(options: MergeTaskOptions, into: string): Promise<MergeResult | "moved"> {
  const { root, branch } = options;
  const head = await resolveCommit(root, `refs/heads/${into}`);
  if (head === null) throw new Error(`integration branch ${into} does not exist in ${root}`);
  const tip = await resolveCommit(root, `refs/heads/${branch}`);
  if (tip === null) throw new Error(`task branch ${branch} does not exist in ${root}`);
  if (await isAncestor(root, tip, head)) {
    return { status: "merged", commit: head, message: `${branch} is already merged into ${into}` };
  }

  const computed = await runGit(root, ["merge-tree", "--write-tree", "--name-only", "-z", "--no-messages", head, tip], {
    okExitCodes: [1],
  });
  const [mergedTree = "", ...listed] = computed.stdout.split("\0").filter(Boolean);
  const keep = new Set(options.keepPaths ?? []);
  const kept = (p: string) => keep.has(p) || CSESS_PATHS.some((dir) => p.startsWith(dir));
  const conflicts = [...new Set(listed)].filter((p) => !kept(p));
  if (conflicts.length > 0) {
    return {
      status: "conflict",
      paths: conflicts,
      message: `${branch} conflicts with ${into} in ${conflicts.join(", ")}; branch kept, ${into} unchanged`,
    };
  }
  // csess's own paths never come from a task: an agent cannot plant files in csess's state this way.
  const planted = (await runGit(root, ["diff-tree", "-r", "--name-only", head, mergedTree, "--", ...CSESS_PATHS])).stdout.trim() !== "";
  const tree = keep.size > 0 || planted ? await keepVersions(root, mergedTree, head, [...keep], planted ? CSESS_PATHS : []) : mergedTree;
  const subject = `Merge csess task ${options.taskId}${options.title ? `: ${options.title}` : ""}`;
  const commit = await commitTree(root, tree, [head, tip], withTaskTrailer(subject, `Branch: ${branch}`, options.taskId));
  const failed = await options.testMerge?.(commit, head);
  if (failed !== undefined) return { status: "check-failed", commit, message: `${failed}; branch ${branch} kept, ${into} unchanged` };

  const checkout = (await listWorktrees(root)).find((w) => w.branch === into);
  if (!checkout) {
    const moved = await runGit(root, ["update-ref", `refs/heads/${into}`, commit, head], { okExitCodes: [128] });
    return moved.exitCode === 0 ? merged(commit, branch, into) : "moved";
  }
  // Moves branch, index and files together; refuses if a changed path has local edits, or would
  // replace an untracked or ignored file (a secret such as .env) of the user's.
  const ff = await runGit(checkout.path, ["merge", "--ff-only", "--no-overwrite-ignore", "--no-autostash", "--no-stat", commit], {
    okExitCodes: [1, 128],
  });
  if (ff.exitCode === 0) return merged(commit, branch, into);
  if ((await resolveCommit(root, `refs/heads/${into}`)) !== head) return "moved";
  const paths = ff.stderr.split("\n").filter((l) => l.startsWith("\t")).map((l) => l.trim());
  const said = ff.stderr.split("\n").find((l) => /^(error|fatal):/.test(l))?.replace(/^(error|fatal): /, "") ?? ff.stderr.trim();
  return {
    status: "refused",
    ...(paths.length > 0 ? { paths } : {}),
    message:
      paths.length > 0
        ? `not merging ${branch}: your uncommitted changes in ${checkout.path} to ${paths.join(", ")} overlap its changes; commit or stash them, then run again (branch kept)`
        : `not merging ${branch} into ${into}: ${said} (branch kept)`,
  };
}

function merged(commit: string, branch: string, into: string): MergeResult {
  return { status: "merged", commit, message: `merged ${branch} into ${into} as ${commit.slice(0, 12)}` };
}

/**
 * `tree` with each of `paths` (files) and everything under `dirs` replaced by its version in `source`
 * (or removed where source lacks it).
 */
async function keepVersions(root: string, tree: string, source: string, paths: string[], dirs: readonly string[]): Promise<string> {
  return withTempIndex(root, async (git) => {
    await git(["read-tree", tree]);
    for (const dir of dirs) {
      const inMerge = (await git(["ls-files", "-z", "--", dir])).split("\0").filter(Boolean);
      const inSource = (await git(["ls-tree", "-r", "-z", source, "--", dir])).split("\0").filter(Boolean);
      if (inMerge.length === 0 && inSource.length === 0) continue;
      if (inMerge.length > 0) await git(["update-index", "--force-remove", "-z", "--stdin"], inMerge.join("\0") + "\0");
      for (const line of inSource) {
        const match = /^(\d+) blob ([0-9a-f]+)\t(.*)$/s.exec(line);
        if (match) await git(["update-index", "--add", "--cacheinfo", `${match[1]},${match[2]},${match[3]}`]);
      }
    }
    for (const path of paths) {
      const entry = await treeEntry(root, source, path);
      if (entry) await git(["update-index", "--add", "--cacheinfo", `${entry.mode},${entry.blob},${path}`]);
      else await git(["update-index", "--force-remove", "--", path]);
    }
    return git(["write-tree"]);
  });
}

