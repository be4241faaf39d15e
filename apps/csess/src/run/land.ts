import { PrdError, setTaskChecked, UnknownTaskIdError, updatePrdFile } from "@csess/prd";
import type { IterationResult } from "@csess/scheduler";
import { commitFileChanges, mergeTaskBranches, removeTaskWorktrees, runCheck, runGit, withRepoLock, withTaskTrailer, type MergeResult } from "@csess/verify";
import { record, type RunContext } from "./context.js";
import type { TaskState } from "./state.js";

/** Tasks waiting to land, per run; they land together at the next turn of the repository lock. */
const queues = new WeakMap<RunContext, LandingQueue>();
interface LandingQueue {
  waiting: Waiting[];
  draining: boolean;
  /** Tasks whose agent exited and whose evidence is being gathered: they may join the next batch. */
  judging: Set<string>;
  /** Wakes a landing that waits for them. */
  judged?: () => void;
  /** The drain under way (landings, then the clean-up of what landed). */
  drained?: Promise<void>;
  /** Landed tasks whose worktrees are still to be removed (by the next drain, or at the end of the run). */
  landed: TaskState[];
}
interface Waiting {
  task: TaskState;
  resolve: (result: IterationResult) => void;
  reject: (error: unknown) => void;
}
/**
 * How long a landing waits for tasks still being judged (agents that exited together) to join it:
 * one batch of eight costs far less than a landing of one and then one of seven.
 */
const JOIN_WAIT_MS = 200;
/** Landed tasks whose worktrees are removed in one turn of the repository lock (each removal takes a `git worktree remove`). */
const REMOVALS_AT_ONCE = 3;
/** Landed worktrees left for later at most (while tasks are being judged), so a long run does not pile them up. */
const REMOVAL_BACKLOG = 12;

function queueOf(ctx: RunContext): LandingQueue {
  let queue = queues.get(ctx);
  if (!queue) queues.set(ctx, (queue = { waiting: [], draining: false, judging: new Set(), landed: [] }));
  return queue;
}

/** Runs the judging of a task whose agent exited (`fn`, which lands it when verified), marked as such. */
export async function beingJudged<T>(ctx: RunContext, taskId: string, fn: () => Promise<T>): Promise<T> {
  const queue = queueOf(ctx);
  queue.judging.add(taskId);
  try {
    return await fn();
  } finally {
    judgedOf(queue, taskId);
  }
}

function judgedOf(queue: LandingQueue, taskId: string): void {
  if (queue.judging.delete(taskId)) queue.judged?.();
}

/**
 * A verified task's work goes into the integration branch (serial merge queue, under the repo lock),
 * and then — only then — its box is ticked in the real PRD. Tasks that finish while others land wait
 * and then land together: their merges chained with one move of the branch and the checkout, their
 * ticks one commit each with one move. Every step is journaled and idempotent, so a resumed run
 * finishes a landing that a crash interrupted.
 */
export function land(ctx: RunContext, task: TaskState): Promise<IterationResult> {
  return new Promise((resolve, reject) => {
    const queue = queueOf(ctx);
    queue.waiting.push({ task, resolve, reject });
    judgedOf(queue, task.id);
    if (!queue.draining) queue.drained = drain(ctx, queue);
  });
}

/**
 * Resolves when the run's landings are done, and a removal under way with them. The landed worktrees
 * left for later are the run's own clean-up's (the runner's `dropEmptyWorktrees`: all in one call).
 */
export async function landingsDone(ctx: RunContext): Promise<void> {
  await queues.get(ctx)?.drained;
}

async function drain(ctx: RunContext, queue: LandingQueue): Promise<void> {
  queue.draining = true;
  const { landed } = queue;
  while (queue.waiting.length > 0) {
    if (!ctx.config.check) await othersJudged(queue);
    // With --check, each merge result is checked on its own: one task at a time.
    const batch = ctx.config.check ? queue.waiting.splice(0, 1) : queue.waiting.splice(0);
    await landTogether(ctx, batch.map((w) => w.task)).then(
      (results) => {
        batch.forEach((w, i) => w.resolve(results[i]!));
        landed.push(...batch.filter((_, i) => results[i]!.kind === "verified").map((w) => w.task));
      },
      (error: unknown) => batch.forEach((w) => w.reject(error)),
    );
    // The next landing first: cleaning up is no part of landing. It waits until none is waiting or being judged
    // (the next drain or the end of the run does it then; past REMOVAL_BACKLOG it goes on regardless), and goes
    // a few at a time, so a landing that becomes ready meanwhile waits for a few removals, not a whole batch's;
    // all at once when every task has ended (the run's end waits for them: one call costs less than several).
    while (queue.waiting.length === 0 && (queue.judging.size === 0 || landed.length >= REMOVAL_BACKLOG) && landed.length > 0) {
      await removeLanded(ctx, landed.splice(0, allEnded(ctx, landed) ? landed.length : REMOVALS_AT_ONCE));
    }
  }
  queue.draining = false;
}

/** Whether every task of the run has ended: its verdict recorded, or `landed` (verified by a landing, recorded next). */
function allEnded(ctx: RunContext, landed: TaskState[]): boolean {
  for (const task of ctx.state.tasks.values()) if (!task.final && !landed.includes(task)) return false;
  return true;
}

/**
 * The work is in the integration branch now: the worktrees and branches are no longer needed. After
 * the verdicts, not before (a crash here leaves merged branches that the end of the run removes).
 */
async function removeLanded(ctx: RunContext, tasks: TaskState[]): Promise<void> {
  const worktrees = tasks.flatMap((t) => (t.worktree && t.branch ? [{ path: t.worktree, branch: t.branch }] : []));
  if (worktrees.length === 0) return;
  // Ahead of the task starts waiting for the lock, as landings are: the drain that lands the next tasks waits for this.
  await withRepoLock(ctx.repoRoot, () => removeTaskWorktrees({ root: ctx.repoRoot, worktrees, mergedInto: ctx.branch }), {
    purpose: `remove landed worktrees ${worktrees.map((w) => w.branch).join(", ")}`, first: true,
  }).catch(() => undefined);
}

/**
 * Waits (at most JOIN_WAIT_MS) until the tasks being judged now are judged, so they land in one batch.
 * Only those: with agents ending one after another, somebody is always being judged, and a landing
 * that waited for all of them would wait its whole limit every time.
 */
async function othersJudged(queue: LandingQueue): Promise<void> {
  const deadline = Date.now() + JOIN_WAIT_MS;
  const peers = [...queue.judging];
  while (peers.some((id) => queue.judging.has(id)) && Date.now() < deadline) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, deadline - Date.now());
      queue.judged = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    queue.judged = undefined;
  }
}

async function landTogether(ctx: RunContext, tasks: TaskState[]): Promise<IterationResult[]> {
  // Merge and tick in one turn of the repository lock (the ticks committed with the merges when they can be).
  const failures = await withRepoLock(ctx.repoRoot, async () => {
    const { failed, tickCommits } = await merge(ctx, tasks);
    await tickAll(ctx, tasks.filter((t) => !failed.has(t.id)).map((task) => ({ task, what: task.title })), tickCommits);
    return failed;
  }, { purpose: `land csess task ${tasks.map((t) => t.id).join(", ")}`, first: true }); // before waiting starts: people wait for landings
  const landed = tasks.filter((t) => !failures.has(t.id));
  for (const task of landed) {
    const reason = task.attempts.at(-1)?.evidence?.reason ?? "verified";
    record(ctx, { type: "task-finished", taskId: task.id, verdict: "verified", reason });
    ctx.view.event("task-finished", { taskId: task.id, verdict: "verified", reason }, `${task.id}: verified — ${reason}`);
  }
  return tasks.map((t) => failures.get(t.id) ?? { kind: "verified" });
}

/**
 * The merge step of a landing: the tasks whose work did not reach the integration branch, with why, and
 * the tick commits made with the merges (one move of the branch and its checkout for both; a tick commit
 * of null: the box was ticked already). Not with --check (the check tests each merge alone).
 */
async function merge(ctx: RunContext, tasks: TaskState[]): Promise<{ failed: Map<string, IterationResult>; tickCommits: Map<string, string | null> }> {
  const failed = new Map<string, IterationResult>();
  const tickCommits = new Map<string, string | null>();
  const pending = tasks.filter((t) => t.merge?.status !== "merged");
  if (pending.length === 0) return { failed, tickCommits };
  for (const task of pending) record(ctx, { type: "merge-started", taskId: task.id });
  const check = ctx.config.check && pending.length === 1 ? pending[0] : undefined;
  const ticks = ctx.config.commit && !ctx.config.check ? pending.filter((t) => !t.ticked) : [];
  const results = await mergeTaskBranches({
    root: ctx.repoRoot, into: ctx.branch, keepPaths: [ctx.prdPath],
    tasks: pending.map((t) => ({ branch: t.branch!, taskId: t.id, title: t.title })),
    ...(check ? { testMerge: (commit: string, head: string) => checkMergeResult(ctx, check, commit, head) } : {}),
    ...(ticks.length > 0 ? { fileChanges: { path: ctx.prdPath, byTask: new Map(ticks.map((t) => [t.id, tickChange(ctx, t, t.title)])) } } : {}),
  });
  pending.forEach((task, i) => {
    const result = results[i]!;
    const failure = merged(ctx, task, result);
    if (failure) failed.set(task.id, failure);
    else if (result.fileCommit !== undefined) tickCommits.set(task.id, result.fileCommit);
  });
  return { failed, tickCommits };
}

/** Journals one task's merge; undefined when its work is in the integration branch. */
function merged(ctx: RunContext, task: TaskState, result: MergeResult): IterationResult | undefined {
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
export function tick(ctx: RunContext, task: TaskState, what: string): Promise<void> {
  return tickAll(ctx, [{ task, what }]);
}

/**
 * Ticks the boxes: one commit each (unless --no-commit; `committed` holds those made with the merges), the
 * branch moved once, then the PRD file (already ticked where the merge's move of the checkout wrote it).
 */
async function tickAll(ctx: RunContext, entries: Array<{ task: TaskState; what: string }>, committed = new Map<string, string | null>()): Promise<void> {
  const todo = entries.filter((e) => !e.task.ticked);
  if (todo.length === 0) return;
  await withRepoLock(ctx.repoRoot, async () => {
    const rest = todo.filter(({ task }) => !committed.has(task.id));
    const made = ctx.config.commit && rest.length > 0 ? await commitTicks(ctx, rest) : [];
    const commitOf = new Map(rest.map(({ task }, i) => [task.id, made[i]]));
    for (const { task } of todo) {
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
      const commit = committed.has(task.id) ? (committed.get(task.id) ?? undefined) : commitOf.get(task.id);
      record(ctx, { type: "tick-ended", taskId: task.id, commit, changed });
    }
  });
}

/** The tick commits on the integration branch, one per task (undefined where nothing was committed). */
async function commitTicks(ctx: RunContext, todo: Array<{ task: TaskState; what: string }>): Promise<Array<string | undefined>> {
  const results = await commitFileChanges({
    root: ctx.repoRoot,
    branch: ctx.branch,
    path: ctx.prdPath,
    changes: todo.map(({ task, what }) => tickChange(ctx, task, what)),
  });
  return results.map((r) => r.commit);
}

/** The committed PRD with the task's box ticked, and the tick commit's message. */
function tickChange(ctx: RunContext, task: TaskState, what: string): { edit: (committed: string) => string; message: string } {
  return {
    edit: (committed) => {
      try {
        return setTaskChecked(committed, task.id, true);
      } catch (error) {
        // The task exists only in the user's uncommitted PRD: tick the file, commit nothing.
        if (error instanceof UnknownTaskIdError) return committed;
        throw error;
      }
    },
    message: withTaskTrailer(`csess: tick "${what.slice(0, 60)}" in ${ctx.prdPath}`, undefined, task.id),
  };
}
