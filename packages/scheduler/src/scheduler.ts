import { realClock, type Clock } from "./clock.js";
import { Fleet } from "./fleet.js";
import { HostPool, type HostSlots } from "./hosts.js";
import { DEFAULT_MAX_ITERATIONS, DEFAULT_STAGGER_MS, nonNegative, positiveInteger } from "./options.js";
import { plan, type Plan } from "./plan.js";
import type { BackoffOptions } from "./throttle.js";
import type { QuotaSignal, RunIteration, RunSummary, SchedulerEvent, SchedulerTask } from "./types.js";

export interface SchedulerOptions {
  /** Most agents running at once (`--parallel`); the adaptive limit never exceeds it. */
  parallel: number;
  /** Least time between any two launches, fleet-wide (`--stagger`). Default 3000. */
  staggerMs?: number;
  /** Iterations per task (rate-limited attempts do not count). Default 3. */
  maxIterations?: number;
  clock?: Clock;
  /** Uniform in [0, 1). Default Math.random. */
  random?: () => number;
  backoff?: BackoffOptions;
  /** Clean completions (at the current level) before concurrency grows by one. Default 2. */
  increaseAfter?: number;
  /**
   * Begin at one agent and add one per launch that runs `probeMs` (default: the stagger, at least 5 s)
   * without a limit signal, up to `parallel`, until the first limit or quota warning. Default on;
   * `false` starts at `parallel`.
   */
  slowStart?: boolean | { probeMs?: number };
  /** A pause longer than `thresholdMs` (default 15 min) is long: `wait` (default) or `stop` the run. */
  longPause?: { thresholdMs?: number; action?: "wait" | "stop" };
  /**
   * false: no adaptation (a baseline for benchmarks). A rate-limited attempt then pauses nothing, cuts
   * no concurrency and spends an iteration like any other failed attempt (retried at the back of the
   * queue). Default true.
   */
  adaptive?: boolean;
  /**
   * true: the callback awaits `context.startGate()` right before launching its agent (after preparing
   * its worktree), and the stagger, the pauses and the limit apply there. Default false: the gate is
   * passed before the callback is called (and `startGate()` only waits out a pause begun since).
   */
  launchGate?: boolean;
  /**
   * The machines to run on, each with its own slots (`--host local:4 --host build1:4`). `parallel` stays
   * the total; an iteration goes to the host with the most room; a `host-lost` result takes its host out.
   * Without hosts, iterations are not placed (`IterationContext.host` is undefined).
   */
  hosts?: HostSlots[];
  onEvent?: (event: SchedulerEvent) => void;
}

export interface Scheduler {
  /** `plan(tasks, options)` with this scheduler's settings; throws CycleError / PlanInputError. */
  plan(tasks: SchedulerTask[], options?: { assumedIterationMs?: number }): Plan;
  /** Runs the plan to the end (or until stopped). Resolves with every task's outcome. */
  run(plan: Plan, runIteration: RunIteration): Promise<RunSummary>;
  /** Start nothing new; running iterations finish (or are aborted via their signal when asked). */
  stop(options?: { abortRunning?: boolean }): void;
  /** A quota report from an agent: `warning` stops growth and spaces launches, `rejected` pauses until `resetAt`. */
  quota(signal: QuotaSignal): void;
  /** The adaptive concurrency limit right now (1..parallel). */
  readonly concurrency: number;
  /** End of the current fleet-wide pause, if any. */
  readonly pausedUntil: number | undefined;
}

export function createScheduler(options: SchedulerOptions): Scheduler {
  const clock = options.clock ?? realClock;
  const parallel = positiveInteger("parallel", options.parallel);
  const staggerMs = nonNegative("staggerMs", options.staggerMs ?? DEFAULT_STAGGER_MS);
  const maxIterations = positiveInteger("maxIterations", options.maxIterations ?? DEFAULT_MAX_ITERATIONS);
  const slowStart = options.slowStart ?? true;
  const fleet = new Fleet({
    clock,
    random: options.random ?? Math.random,
    parallel,
    staggerMs,
    maxIterations,
    increaseAfter: positiveInteger("increaseAfter", options.increaseAfter ?? 2),
    backoff: { baseMs: options.backoff?.baseMs ?? 15_000, capMs: options.backoff?.capMs ?? 10 * 60_000 },
    longPauseMs: nonNegative("longPause.thresholdMs", options.longPause?.thresholdMs ?? 15 * 60_000),
    longPauseAction: options.longPause?.action ?? "wait",
    adaptive: options.adaptive ?? true,
    slowStart: slowStart !== false && (options.adaptive ?? true),
    probeMs: nonNegative("slowStart.probeMs", (typeof slowStart === "object" ? slowStart.probeMs : undefined) ?? Math.max(5000, staggerMs)),
    launchGate: options.launchGate ?? false,
    ...(options.hosts === undefined ? {} : { hosts: new HostPool(options.hosts) }),
    emit: (event) => options.onEvent?.(event),
  });
  let started = false;
  return {
    plan: (tasks, planOptions) => plan(tasks, { parallel, staggerMs, maxIterations, ...planOptions }),
    run: (runPlan, runIteration) => {
      if (started) throw new Error("this scheduler has already run a plan: create a new scheduler per run");
      started = true;
      return fleet.run(runPlan, runIteration);
    },
    stop: (stopOptions) => {
      fleet.stop("stop-called");
      if (stopOptions?.abortRunning) fleet.abortRunning.abort();
    },
    quota: (signal) => fleet.quota(signal),
    get concurrency() {
      return fleet.limit();
    },
    get pausedUntil() {
      return fleet.gate.pausedUntil();
    },
  };
}
