import { PrdError, setTaskChecked, UnknownTaskIdError, updatePrdFile } from "@csess/prd";
import type { IterationResult } from "@csess/scheduler";
import { commitFileChange, mergeTaskBranch, removeTaskWorktree, runCheck, runGit, withRepoLock, withTaskTrailer } from "@csess/verify";
import { record, type RunContext } from "./context.js";
import type { TaskState } from "./state.js";

/**
 * A verified task's work goes into the integration branch (serial merge queue, under the repo lock),
 * and then — only then — its box is ticked in the real PRD. Every step is journaled and idempotent,
 * so a resumed run finishes a landing that a crash interrupted.
 */
export async function land(ctx: RunContext, t: TaskState): Promise<IterationResult> {
  // Merge and tick in one turn of the repository lock: tasks finishing together land one after the
  // other, instead of all their merges and then all their ticks (a convoy through the lock's queue).
  const failure = await withRepoLock(ctx.repoRoot, async () => {
    const failed = await merge(ctx, t);
    if (failed === undefined) await tick(ctx, t, t.title);
    return failed;
  }, { purpose: `land csess task ${t.id}` });
  if (failure) return failure;
  const reason = t.attempts.at(-1)?.evidence?.reason ?? "verified";
  record(ctx, { type: "task-finished", taskId: t.id, verdict: "verified", reason });
  ctx.view.event("task-finished", { taskId: t.id, verdict: "verified", reason }, `${t.id}: verified — ${reason}`);
  if (t.worktree && t.branch) {
    // The work is in the integration branch now: the worktree and branch are no longer needed.
    // After the verdict, not before: cleaning up is no part of landing (a crash here leaves a merged
    // branch that the end of the run removes).
    await removeTaskWorktree({ root: ctx.repoRoot, path: t.worktree, branch: t.branch, mergedInto: ctx.branch }).catch(() => undefined);
  }
  return { kind: "verified" };
}

/** The merge step of a landing; undefined when the work is in the integration branch. */
async function merge(ctx: RunContext, t: TaskState): Promise<IterationResult | undefined> {
  if (t.merge?.status === "merged") return undefined;
  record(ctx, { type: "merge-started", taskId: t.id });
  const merge = await mergeTaskBranch({
    root: ctx.repoRoot, branch: t.branch!, taskId: t.id, title: t.title, into: ctx.branch, keepPaths: [ctx.prdPath],
    ...(ctx.config.check ? { testMerge: (commit: string, head: string) => checkMergeResult(ctx, t, commit, head) } : {}),
  });
  record(ctx, { type: "merge-ended", taskId: t.id, status: merge.status, commit: merge.commit, paths: merge.paths, message: merge.message });
  if (merge.status === "merged") {
    ctx.view.event("merged", { taskId: t.id, commit: merge.commit }, `${t.id}: merged into ${ctx.branch} (${merge.commit?.slice(0, 8)})`);
    return undefined;
  }
  const verdict = merge.status === "check-failed" ? "failed" : "conflict";
  const reason =
    merge.status === "check-failed" ? `the check \`${ctx.config.check}\` failed on the merge with ${ctx.branch}: ${merge.message}` :
    merge.status === "conflict" ? `merge conflict in ${merge.paths?.join(", ") ?? "?"}; branch ${t.branch} kept` :
    `not merged: ${merge.message}; branch ${t.branch} kept`;
  record(ctx, { type: "task-finished", taskId: t.id, verdict, reason });
  ctx.view.event("task-finished", { taskId: t.id, verdict, reason }, `${t.id}: ${verdict} — ${reason}`);
  return { kind: "failed", reason };
}

/**
 * When the integration branch moved past the task's base, the check already passed on the task's
 * branch is run again on the merge commit itself (checked out in the task's worktree, where its
 * installed dependencies are), so what lands is what was tested.
 */
async function checkMergeResult(ctx: RunContext, t: TaskState, commit: string, head: string): Promise<string | undefined> {
  if (head === t.base || !t.worktree) return undefined; // the branch's own check covered this tree
  const moved = await runGit(t.worktree, ["checkout", "-q", "--detach", commit], { okExitCodes: [1, 128] });
  if (moved.exitCode !== 0) return `cannot check out the merge result in ${t.worktree}: ${moved.stderr.trim().split("\n")[0]}`;
  try {
    const result = await runCheck({ cwd: t.worktree, command: ctx.config.check!, timeoutMs: ctx.config.timeoutMinutes * 60_000 });
    record(ctx, { type: "merge-checked", taskId: t.id, commit, exitCode: result.exitCode ?? -1, tail: result.tail });
    return result.exitCode === 0 ? undefined : `exit ${result.exitCode ?? "by signal"}${result.timedOut ? " (timed out)" : ""}`;
  } finally {
    await runGit(t.worktree, ["checkout", "-q", t.branch!], { okExitCodes: [1, 128] });
  }
}

/** Ticks the task's box in the real PRD (and commits exactly that change unless --no-commit). */
export async function tick(ctx: RunContext, t: TaskState, what: string): Promise<void> {
  if (t.ticked) return;
  let commit: string | undefined;
  await withRepoLock(ctx.repoRoot, async () => {
    if (ctx.config.commit) {
      try {
        const result = await commitFileChange({
          root: ctx.repoRoot,
          branch: ctx.branch,
          path: ctx.prdPath,
          edit: (committed) => setTaskChecked(committed, t.id, true),
          message: withTaskTrailer(`csess: tick "${what.slice(0, 60)}" in ${ctx.prdPath}`, undefined, t.id),
        });
        commit = result.commit;
      } catch (error) {
        // The task exists only in the user's uncommitted PRD: tick the file, commit nothing.
        if (!(error instanceof UnknownTaskIdError)) throw error;
      }
    }
    const { changed } = await updatePrdFile(ctx.prdAbs, t.id, true).catch((error: unknown) => {
      if (error instanceof UnknownTaskIdError || (error as NodeJS.ErrnoException).code === "ENOENT") {
        // A person removed or reworded the task (or deleted the file) meanwhile: their edit wins, nothing to tick.
        return { changed: false };
      }
      if (error instanceof PrdError) {
        // The file is no longer a PRD csess can edit byte-exact (e.g. not UTF-8): the work stays merged.
        ctx.view.event("tick-skipped", { taskId: t.id, reason: error.message }, `${t.id}: not ticked in ${ctx.prdPath}: ${error.message}`);
        return { changed: false };
      }
      throw error;
    });
    record(ctx, { type: "tick-ended", taskId: t.id, commit, changed });
  });
}
