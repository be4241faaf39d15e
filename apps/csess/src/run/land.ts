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
export async function land(ctx: RunContext, task: TaskState): Promise<IterationResult> {
  // Merge and tick in one turn of the repository lock: tasks finishing together land one after the
  // other, instead of all their merges and then all their ticks (a convoy through the lock's queue).
  const failure = await withRepoLock(ctx.repoRoot, async () => {
    const failed = await merge(ctx, task);
    if (failed === undefined) await tick(ctx, task, task.title);
    return failed;
  }, { purpose: `land csess task ${task.id}` });
  if (failure) return failure;
  const reason = task.attempts.at(-1)?.evidence?.reason ?? "verified";
  record(ctx, { type: "task-finished", taskId: task.id, verdict: "verified", reason });
  ctx.view.event("task-finished", { taskId: task.id, verdict: "verified", reason }, `${task.id}: verified — ${reason}`);
  if (task.worktree && task.branch) {
    // The work is in the integration branch now: the worktree and branch are no longer needed.
    // After the verdict, not before: cleaning up is no part of landing (a crash here leaves a merged
    // branch that the end of the run removes).
    await removeTaskWorktree({ root: ctx.repoRoot, path: task.worktree, branch: task.branch, mergedInto: ctx.branch }).catch(() => undefined);
  }
  return { kind: "verified" };
}

/** The merge step of a landing; undefined when the work is in the integration branch. */
async function merge(ctx: RunContext, task: TaskState): Promise<IterationResult | undefined> {
  if (task.merge?.status === "merged") return undefined;
  record(ctx, { type: "merge-started", taskId: task.id });
  const result = await mergeTaskBranch({
    root: ctx.repoRoot, branch: task.branch!, taskId: task.id, title: task.title, into: ctx.branch, keepPaths: [ctx.prdPath],
    ...(ctx.config.check ? { testMerge: (commit: string, head: string) => checkMergeResult(ctx, task, commit, head) } : {}),
  });
  record(ctx, { type: "merge-ended", taskId: task.id, status: result.status, commit: result.commit, paths: result.paths, message: result.message });
  if (result.status === "merged") {
    ctx.view.event("merged", { taskId: task.id, commit: result.commit }, `${task.id}: merged into ${ctx.branch} (${result.commit?.slice(0, 8)})`);
    return undefined;
  }
  const verdict = result.status === "check-failed" ? "failed" : "conflict";
  const reason =
    result.status === "check-failed" ? `the check \`${ctx.config.check}\` failed on the merge with ${ctx.branch}: ${result.message}` :
    result.status === "conflict" ? `merge conflict in ${result.paths?.join(", ") ?? "?"}; branch ${task.branch} kept` :
    `not merged: ${result.message}; branch ${task.branch} kept`;
  record(ctx, { type: "task-finished", taskId: task.id, verdict, reason });
  ctx.view.event("task-finished", { taskId: task.id, verdict, reason }, `${task.id}: ${verdict} — ${reason}`);
  return { kind: "failed", reason };
}

/**
 * When the integration branch moved past the task's base, the check already passed on the task's
 * branch is run again on the merge commit itself (checked out in the task's worktree, where its
 * installed dependencies are), so what lands is what was tested.
 */
async function checkMergeResult(ctx: RunContext, task: TaskState, commit: string, head: string): Promise<string | undefined> {
  if (head === task.base || !task.worktree) return undefined; // the branch's own check covered this tree
  const moved = await runGit(task.worktree, ["checkout", "-q", "--detach", commit], { okExitCodes: [1, 128] });
  if (moved.exitCode !== 0) return `cannot check out the merge result in ${task.worktree}: ${moved.stderr.trim().split("\n")[0]}`;
  try {
    const result = await runCheck({ cwd: task.worktree, command: ctx.config.check!, timeoutMs: ctx.config.timeoutMinutes * 60_000 });
    record(ctx, { type: "merge-checked", taskId: task.id, commit, exitCode: result.exitCode ?? -1, tail: result.tail });
    return result.exitCode === 0 ? undefined : `exit ${result.exitCode ?? "by signal"}${result.timedOut ? " (timed out)" : ""}`;
  } finally {
    await runGit(task.worktree, ["checkout", "-q", task.branch!], { okExitCodes: [1, 128] });
  }
}

/** Ticks the task's box in the real PRD (and commits exactly that change unless --no-commit). */
export async function tick(ctx: RunContext, task: TaskState, what: string): Promise<void> {
  if (task.ticked) return;
  let commit: string | undefined;
  await withRepoLock(ctx.repoRoot, async () => {
    if (ctx.config.commit) {
      try {
        const result = await commitFileChange({
          root: ctx.repoRoot,
          branch: ctx.branch,
          path: ctx.prdPath,
          edit: (committed) => setTaskChecked(committed, task.id, true),
          message: withTaskTrailer(`csess: tick "${what.slice(0, 60)}" in ${ctx.prdPath}`, undefined, task.id),
        });
        commit = result.commit;
      } catch (error) {
        // The task exists only in the user's uncommitted PRD: tick the file, commit nothing.
        if (!(error instanceof UnknownTaskIdError)) throw error;
      }
    }
    const { changed } = await updatePrdFile(ctx.prdAbs, task.id, true).catch((error: unknown) => {
      if (error instanceof UnknownTaskIdError || (error as NodeJS.ErrnoException).code === "ENOENT") {
        // A person removed or reworded the task (or deleted the file) meanwhile: their edit wins, nothing to tick.
        return { changed: false };
      }
      if (error instanceof PrdError) {
        // The file is no longer a PRD csess can edit byte-exact (e.g. not UTF-8): the work stays merged.
        ctx.view.event("tick-skipped", { taskId: task.id, reason: error.message }, `${task.id}: not ticked in ${ctx.prdPath}: ${error.message}`);
        return { changed: false };
      }
      throw error;
    });
    record(ctx, { type: "tick-ended", taskId: task.id, commit, changed });
  });
}
