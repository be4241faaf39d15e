import { gitOut, isAncestor, resolveCommit, runGit } from "./git.js";
import { CSESS_PATHS } from "./evidence.js";
import { withRepoLock } from "./lock.js";
import { commitTree, withTaskTrailer, withTempIndex } from "./plumbing.js";
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
  const refs = await branchTips(root, [into, branch]);
  const head = refs.get(into);
  if (head === undefined) throw new Error(`integration branch ${into} does not exist in ${root}`);
  const tip = refs.get(branch);
  if (tip === undefined) throw new Error(`task branch ${branch} does not exist in ${root}`);

  const computed = await runGit(root, ["merge-tree", "--write-tree", "--name-only", "-z", "--no-messages", head.commit, tip.commit], {
    okExitCodes: [1],
  });
  const [mergedTree = "", ...listed] = computed.stdout.split("\0").filter(Boolean);
  // Only a merge that changes nothing can be of a branch merged already (a resumed landing): ask git then.
  if (mergedTree === head.tree && (await isAncestor(root, tip.commit, head.commit))) {
    return { status: "merged", commit: head.commit, message: `${branch} is already merged into ${into}` };
  }
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
  // The kept paths, and csess's own (never from a task: an agent cannot plant files in csess's state
  // this way), keep the integration branch's version.
  const tree = await keepVersions(root, mergedTree, head.commit, [...keep, ...CSESS_PATHS]);
  const subject = `Merge csess task ${options.taskId}${options.title ? `: ${options.title}` : ""}`;
  const commit = await commitTree(root, tree, [head.commit, tip.commit], withTaskTrailer(subject, `Branch: ${branch}`, options.taskId));
  const failed = await options.testMerge?.(commit, head.commit);
  if (failed !== undefined) return { status: "check-failed", commit, message: `${failed}; branch ${branch} kept, ${into} unchanged` };

  const checkout = (await listWorktrees(root)).find((w) => w.branch === into);
  if (!checkout) {
    const moved = await runGit(root, ["update-ref", `refs/heads/${into}`, commit, head.commit], { okExitCodes: [128] });
    return moved.exitCode === 0 ? merged(commit, branch, into) : "moved";
  }
  // Moves branch, index and files together; refuses if a changed path has local edits, or would
  // replace an untracked or ignored file (a secret such as .env) of the user's.
  const ff = await runGit(checkout.path, ["merge", "--ff-only", "--no-overwrite-ignore", "--no-autostash", "--no-stat", commit], {
    okExitCodes: [1, 128],
  });
  if (ff.exitCode === 0) return merged(commit, branch, into);
  if ((await resolveCommit(root, `refs/heads/${into}`)) !== head.commit) return "moved";
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

/** The commit and tree at the tip of each branch that exists, in one git call. */
async function branchTips(root: string, branches: string[]): Promise<Map<string, { commit: string; tree: string }>> {
  const refs = branches.map((b) => `refs/heads/${b}`);
  const out = await gitOut(root, ["for-each-ref", "--format=%(objectname) %(tree) %(refname)", ...refs]);
  const tips = new Map<string, { commit: string; tree: string }>();
  for (const line of out.split("\n")) {
    const [commit = "", tree = "", ref = ""] = line.split(" ");
    const at = refs.indexOf(ref); // for-each-ref also lists refs below a name (refs/heads/main/x)
    if (at !== -1 && tree) tips.set(branches[at]!, { commit, tree });
  }
  return tips;
}

/**
 * `tree` with each of `paths` (a file, or a folder when it ends in "/") as it is in `source`: changed
 * back, added back or removed. Four git calls when the merge touched one of them, one when it did not.
 */
async function keepVersions(root: string, tree: string, source: string, paths: string[]): Promise<string> {
  const changed = (await gitOut(root, ["diff-tree", "-r", "--name-only", "-z", source, tree, "--", ...paths])).split("\0").filter(Boolean);
  if (changed.length === 0) return tree;
  const inSource = new Map<string, string>();
  for (const line of (await gitOut(root, ["ls-tree", "-r", "-z", source, "--", ...paths])).split("\0").filter(Boolean)) {
    const match = /^(\d+) blob ([0-9a-f]+)\t(.*)$/s.exec(line);
    if (match) inSource.set(match[3]!, `${match[1]} ${match[2]}\t${match[3]}`);
  }
  // --index-info: "mode sha\tpath" sets an entry; mode 0 removes it.
  const entries = changed.map((path) => inSource.get(path) ?? `0 ${"0".repeat(source.length)}\t${path}`);
  return withTempIndex(root, async (git) => {
    await git(["read-tree", tree]);
    await git(["update-index", "-z", "--index-info"], entries.join("\0") + "\0");
    return git(["write-tree"]);
  });
}
