import pLimit from "p-limit";
import { realClock, type Clock } from "./clock.js";
import { StartGate } from "./gate.js";
import { HostPool, type HostSlots } from "./hosts.js";
import { buildPlan, type Plan } from "./plan.js";
import { checkResult, nonNegative, positiveInteger, summarise, type TaskRun } from "./task-run.js";
import { Throttle, type BackoffOptions } from "./throttle.js";
import type { IterationResult, RunIteration, RunSummary, SchedulerEvent, SchedulerTask, StopReason, TaskState } from "./types.js";

export interface SchedulerOptions {
  /** Most iterations running at once (`--parallel`); the adaptive limit never exceeds it. */
  parallel: number;
  /** Least time between any two starts, fleet-wide (`--stagger`). Default 3000. */
  staggerMs?: number;
  /** Iterations per task (rate-limited attempts do not count). Default 3. */
  maxIterations?: number;
  clock?: Clock;
  /** Uniform in [0, 1). Default Math.random. */
  random?: () => number;
  backoff?: BackoffOptions;
  /** Clean completions (at the current level) before concurrency grows by one. Default 2. */
  increaseAfter?: number;
  /** A pause longer than `thresholdMs` (default 15 min) is long: `wait` (default) or `stop` the run. */
  longPause?: { thresholdMs?: number; action?: "wait" | "stop" };
  /**
   * false: no adaptation (a baseline for benchmarks). A rate-limited attempt then pauses nothing, cuts
   * no concurrency and spends an iteration like any other failed attempt (retried at the back of the
   * queue). Default true.
   */
  adaptive?: boolean;
  onEvent?: (event: SchedulerEvent) => void;
  /**
   * The machines to run on, each with its own slots (`--host local:4 --host build1:4`). `parallel` stays
   * the total; an iteration goes to the host with the most room; a `host-lost` result takes its host out.
   * Without hosts, iterations are not placed (`IterationContext.host` is undefined).
   */
  hosts?: HostSlots[];
}

export interface Scheduler {
  /** Validates and orders the tasks; throws CycleError / PlanInputError before anything starts. */
  plan(tasks: SchedulerTask[], options?: { assumedIterationMs?: number }): Plan;
  /** Runs the plan to the end (or until stopped). Resolves with every task's outcome. */
  run(plan: Plan, runIteration: RunIteration): Promise<RunSummary>;
  /** Start nothing new; running iterations finish (or are aborted via their signal when asked). */
  stop(options?: { abortRunning?: boolean }): void;
  /** The adaptive concurrency limit right now (1..parallel). */
  readonly concurrency: number;
  /** End of the current fleet-wide pause, if any. */
  readonly pausedUntil: number | undefined;
}

const DEFAULT_ITERATION_ESTIMATE_MS = 10 * 60_000;

export function createScheduler(options: SchedulerOptions): Scheduler {
  const clock = options.clock ?? realClock;
  const parallel = positiveInteger("parallel", options.parallel);
  const staggerMs = nonNegative("staggerMs", options.staggerMs ?? 3000);
  const maxIterations = positiveInteger("maxIterations", options.maxIterations ?? 3);
  const increaseAfter = positiveInteger("increaseAfter", options.increaseAfter ?? 2);
  const longPauseMs = nonNegative("longPause.thresholdMs", options.longPause?.thresholdMs ?? 15 * 60_000);
  const longPauseAction = options.longPause?.action ?? "wait";
  const adaptive = options.adaptive ?? true;
  const emit = (event: SchedulerEvent) => options.onEvent?.(event);

  const limit = pLimit(parallel);
  const hosts = options.hosts === undefined ? undefined : new HostPool(options.hosts);
  // The adaptive level; the limit applied is also capped by the slots of the hosts still up.
  let level = parallel;
  const applyLimit = () => (limit.concurrency = Math.max(1, Math.min(level, hosts?.capacity() ?? level)));
  applyLimit();
  const gate = new StartGate(clock, staggerMs);
  const throttle = new Throttle({
    clock,
    random: options.random ?? Math.random,
    gate,
    parallel,
    increaseAfter,
    backoff: { baseMs: options.backoff?.baseMs ?? 15_000, capMs: options.backoff?.capMs ?? 10 * 60_000 },
    longPauseMs,
    emit,
    concurrency: { get: () => level, set: (value) => {
      level = value;
      applyLimit();
    } },
  });
  const stopStarting = new AbortController(); // wakes gate waiters on stop
  const abortRunning = new AbortController(); // handed to iterations
  let stopped: { reason: StopReason; resumeAt?: number } | undefined;
  let started = false;
  let onStopped = () => {};

  const stopRun = (reason: StopReason, resumeAt?: number) => {
    if (stopped) return;
    stopped = resumeAt === undefined ? { reason } : { reason, resumeAt };
    emit({ type: "stopped", at: clock.now(), reason, ...(resumeAt === undefined ? {} : { resumeAt }) });
    stopStarting.abort();
    limit.clearQueue();
    onStopped();
  };

  const run = (plan: Plan, runIteration: RunIteration): Promise<RunSummary> => {
    if (started) throw new Error("this scheduler has already run a plan: create a new scheduler per run");
    started = true;
    const startedAt = clock.now();
    const timers = new AbortController(); // the pause-end timers, cancelled when the run ends
    const runs = new Map<string, TaskRun>();
    for (const planned of plan.tasks) {
      runs.set(planned.id, {
        planned,
        state: "waiting",
        iterationsUsed: planned.iterationsUsed,
        attempt: 0,
        attempts: 0,
        rateLimits: 0,
        lastLimited: false,
        reattach: planned.attached,
        ...(planned.host === undefined ? {} : { host: planned.host }),
        waitingOn: 0,
        dependents: [],
      });
    }
    const ready: TaskRun[] = [];
    let unsettled = 0;
    let running = 0;
    let resolveRun!: (summary: RunSummary) => void;
    let rejectRun!: (error: unknown) => void;
    const done = new Promise<RunSummary>((resolve, reject) => {
      resolveRun = resolve;
      rejectRun = reject;
    });

    const finishIfIdle = () => {
      if (unsettled > 0 && !(stopped && running === 0)) return;
      timers.abort();
      resolveRun(summarise(runs, startedAt, clock.now(), stopped));
    };
    onStopped = finishIfIdle;

    const settle = (task: TaskRun, state: TaskState, reason?: string) => {
      task.state = state;
      if (reason !== undefined) task.reason = reason;
      unsettled--;
      emit({
        type: "task-done",
        at: clock.now(),
        taskId: task.planned.id,
        state,
        iterations: task.iterationsUsed,
        attempts: task.attempts,
        rateLimits: task.rateLimits,
        ...(reason === undefined ? {} : { reason }),
      });
      if (state === "verified") {
        for (const dependent of task.dependents) if (--dependent.waitingOn === 0) release(dependent);
      } else {
        for (const dependent of task.dependents) {
          if (dependent.state === "waiting") settle(dependent, "skipped", `dependency ${task.planned.id} ${state}`);
        }
      }
    };

    const enqueue = (task: TaskRun, front: boolean) => {
      task.state = "queued";
      if (front) {
        // Ahead of fresh work, behind tasks limited earlier: they retry in the order they were stopped.
        const at = ready.findIndex((t) => !t.lastLimited);
        ready.splice(at === -1 ? ready.length : at, 0, task);
      } else ready.push(task);
      emit({ type: "queued", at: clock.now(), taskId: task.planned.id, iteration: task.iterationsUsed + 1, front });
      if (!stopped) limit(slot).catch(rejectRun);
    };

    const release = (task: TaskRun) => {
      if (task.planned.kind === "group") settle(task, "verified");
      else enqueue(task, false);
    };

    // One p-limit job per queued task. A job holds a concurrency slot, waits at the start gate and
    // then takes whichever task is at the front of the queue at that instant (so requeued tasks go
    // first). If the limit was lowered meanwhile it gives the slot back and queues itself again.
    const slot = async (): Promise<void> => {
      let task: TaskRun | undefined;
      const take = () => {
        if (stopped || ready.length === 0) return false;
        if (running >= limit.concurrency && !ready[0]!.reattach) return false;
        if (hosts && !ready[0]!.reattach) {
          const host = hosts.pick();
          if (host === undefined) return false; // cannot happen while running < capacity; never start hostless
          ready[0]!.host = host;
        }
        task = ready.shift()!;
        if (hosts && task.host !== undefined) hosts.started(task.host);
        running++;
        return true;
      };
      // Re-attaching launches nothing, so it skips the gate.
      if (ready[0]?.reattach) take();
      else await gate.pass(take, stopStarting.signal);
      if (task) return iterate(task);
      if (!stopped && ready.length > 0) limit(slot).catch(rejectRun);
    };

    const iterate = async (task: TaskRun): Promise<void> => {
      const attemptStartedAt = clock.now();
      const reattach = task.reattach;
      task.reattach = false;
      task.state = "running";
      if (!reattach) throttle.onStart();
      task.attempt++;
      task.attempts++;
      const host = hosts ? task.host : undefined;
      const context = {
        iteration: task.iterationsUsed + 1, attempt: task.attempt, reattach, signal: abortRunning.signal,
        ...(host === undefined ? {} : { host }),
      };
      emit({
        type: "started",
        at: attemptStartedAt,
        taskId: task.planned.id,
        iteration: context.iteration,
        attempt: context.attempt,
        reattach,
        running,
        concurrency: limit.concurrency,
      });
      let result: IterationResult;
      try {
        result = checkResult(await runIteration(task.planned.id, context));
      } catch (error) {
        result = { kind: "failed", reason: `iteration threw: ${error instanceof Error ? error.message : String(error)}` };
      }
      running--;
      if (host !== undefined) hosts?.finished(host);
      const reason = "reason" in result ? result.reason : undefined;
      emit({
        type: "finished",
        at: clock.now(),
        taskId: task.planned.id,
        iteration: context.iteration,
        attempt: context.attempt,
        result: result.kind,
        durationMs: clock.now() - attemptStartedAt,
        ...(reason === undefined ? {} : { reason }),
      });
      handle(task, result, attemptStartedAt);
      finishIfIdle();
    };

    const handle = (task: TaskRun, result: IterationResult, attemptStartedAt: number) => {
      if (result.kind === "host-lost") {
        task.lastLimited = false;
        if (hosts?.markDown(result.host)) {
          emit({ type: "host-down", at: clock.now(), host: result.host, taskId: task.planned.id, ...(result.reason === undefined ? {} : { reason: result.reason }) });
          applyLimit();
        }
        if (hosts && hosts.capacity() === 0) {
          stopRun("no-hosts");
          return;
        }
        enqueue(task, true);
        return;
      }
      if (result.kind === "rate-limited" || result.kind === "usage-limit") {
        task.rateLimits++;
        task.lastLimited = true;
        const resetAt = result.resetAt instanceof Date ? result.resetAt.getTime() : result.resetAt;
        emit({
          type: "rate-limited",
          at: clock.now(),
          taskId: task.planned.id,
          iteration: task.iterationsUsed + 1,
          attempt: task.attempt,
          limit: result.kind,
          ...(result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs }),
          ...(resetAt === undefined ? {} : { resetAt }),
        });
        if (!adaptive) {
          spend(task, { kind: "again", reason: `${result.kind} (no adaptation)` });
          return;
        }
        enqueue(task, true);
        const pause = throttle.onLimit({
          limit: result.kind,
          taskId: task.planned.id,
          ...(result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs }),
          ...(resetAt === undefined ? {} : { resetAt }),
        });
        pauseAnnounced = true;
        void clock.sleep(pause.until - clock.now(), timers.signal).then(announceResume);
        if (pause.long && longPauseAction === "stop") stopRun("usage-limit", pause.until);
        return;
      }
      task.lastLimited = false;
      throttle.onClean(attemptStartedAt);
      spend(task, result);
    };

    /** The attempt used one of the task's iterations: settle the task or queue its next iteration. */
    const spend = (task: TaskRun, result: Extract<IterationResult, { kind: "verified" | "failed" | "again" }>) => {
      task.iterationsUsed++;
      task.attempt = 0;
      if (result.kind === "verified") settle(task, "verified");
      else if (result.kind === "failed") settle(task, "failed", result.reason ?? "the iteration reported failure");
      else if (task.iterationsUsed >= maxIterations) {
        settle(task, "failed", `not verified after ${task.iterationsUsed} iterations${result.reason ? ` (${result.reason})` : ""}`);
      } else enqueue(task, false);
    };

    // Each pause (or extension) arms a timer for its end; the one that finds the pause over says so.
    let pauseAnnounced = false;
    const announceResume = () => {
      if (!pauseAnnounced || gate.pausedUntil() !== undefined || timers.signal.aborted) return;
      pauseAnnounced = false;
      emit({ type: "resumed", at: clock.now() });
    };

    // Wire dependencies, settle what needs no run, then release the first wave.
    for (const task of runs.values()) {
      const { planned } = task;
      if (planned.status === "done") {
        task.state = "verified";
        continue;
      }
      unsettled++;
      for (const dep of planned.deps) {
        const depRun = runs.get(dep)!;
        if (depRun.planned.status === "done") continue;
        task.waitingOn++;
        depRun.dependents.push(task);
      }
    }
    for (const task of runs.values()) {
      if (task.state !== "waiting") continue;
      if (task.planned.status === "exhausted") settle(task, "failed", task.planned.reason);
    }
    for (const task of runs.values()) {
      if (task.state === "waiting" && task.waitingOn === 0) release(task);
    }
    finishIfIdle();
    return done;
  };

  return {
    plan: (tasks, planOptions) =>
      buildPlan(tasks, {
        parallel,
        staggerMs,
        maxIterations,
        assumedIterationMs: nonNegative("assumedIterationMs", planOptions?.assumedIterationMs ?? DEFAULT_ITERATION_ESTIMATE_MS),
      }),
    run,
    stop: (stopOptions) => {
      stopRun("stop-called");
      if (stopOptions?.abortRunning) abortRunning.abort();
    },
    get concurrency() {
      return limit.concurrency;
    },
    get pausedUntil() {
      return gate.pausedUntil();
    },
  };
}
