import { createScheduler, type QuotaSignal } from "../src/index.js";
import { FakeClock, seededRandom } from "../src/testing.js";
import { runAgent, TokenBucket, type Workload } from "./sim.js";

export interface Outcome {
  makespanMs: number;
  failed: number;
  /** 429 responses from the provider (including agents' quick internal retries). */
  rejected: number;
  /** Agent iterations that exited rate-limited. */
  limitedExits: number;
  /**
   * csess only: rate-limit signals that arrived while an earlier signal's pause was still open, from
   * attempts launched before the first signal of the run / launched after it.
   */
  signalsInOpenPause?: { launchedBeforeFirstSignal: number; launchedAfter: number };
  minConcurrency?: number;
}

export interface Fleet {
  parallel: number;
  staggerMs: number;
  maxIterations: number;
}

/** What ralphy does: N at once, no stagger; a rate-limited task is retried 3 times 5 s apart, then the run stops. */
export async function naive(w: Workload, fleet: Fleet): Promise<Outcome> {
  const clock = new FakeClock();
  const provider = new TokenBucket(clock, w.perMinute, w.burst);
  const random = seededRandom(w.seed * 7919);
  const queue = [...w.tasks];
  let verified = 0;
  let limitedExits = 0;
  let stopped = false;
  const worker = async () => {
    while (!stopped && queue.length > 0) {
      const task = queue.shift()!;
      for (let retry = 0; ; retry++) {
        const result = await runAgent(task, provider, clock, random);
        if (result.kind === "verified") {
          verified++;
          break;
        }
        limitedExits++;
        if (retry === 3) {
          stopped = true;
          break;
        }
        await clock.sleep(5000);
      }
    }
  };
  await clock.runUntil(Promise.all(Array.from({ length: fleet.parallel }, worker)));
  return { makespanMs: clock.now(), failed: w.tasks.length - verified, rejected: provider.rejected, limitedExits };
}

/** Staggered starts and slot reuse, nothing else: a rate-limited exit is a spent iteration, retried at the back. */
export async function fixedStagger(w: Workload, fleet: Fleet): Promise<Outcome> {
  const clock = new FakeClock();
  const provider = new TokenBucket(clock, w.perMinute, w.burst);
  const random = seededRandom(w.seed * 7919);
  const queue = w.tasks.map((task) => ({ task, iterations: 0 }));
  let nextStart = 0;
  let verified = 0;
  let limitedExits = 0;
  const worker = async () => {
    for (let item = queue.shift(); item; item = queue.shift()) {
      const at = Math.max(clock.now(), nextStart);
      nextStart = at + fleet.staggerMs;
      await clock.sleep(at - clock.now());
      item.iterations++;
      const result = await runAgent(item.task, provider, clock, random);
      if (result.kind === "verified") verified++;
      else {
        limitedExits++;
        if (item.iterations < fleet.maxIterations) queue.push(item);
      }
    }
  };
  await clock.runUntil(Promise.all(Array.from({ length: fleet.parallel }, worker)));
  return { makespanMs: clock.now(), failed: w.tasks.length - verified, rejected: provider.rejected, limitedExits };
}

/** @csess/scheduler driving the same simulated agents (`warnings`: agents that report quota warnings). */
export async function adaptive(w: Workload, fleet: Fleet, warnings = false): Promise<Outcome> {
  const clock = new FakeClock();
  const provider = new TokenBucket(clock, w.perMinute, w.burst);
  const random = seededRandom(w.seed * 7919);
  const byId = new Map(w.tasks.map((t) => [t.id, t]));
  let limitedExits = 0;
  const signalsInOpenPause = { launchedBeforeFirstSignal: 0, launchedAfter: 0 };
  const attemptStartedAt = new Map<string, number>();
  let firstSignalAt: number | undefined;
  let minConcurrency = fleet.parallel;
  const scheduler = createScheduler({
    ...fleet,
    clock,
    random: seededRandom(w.seed * 104729),
    launchGate: true,
    onEvent: (e) => {
      if (e.type === "rate-limited") {
        limitedExits++;
        firstSignalAt ??= e.at;
        if (scheduler.pausedUntil !== undefined) {
          const launchedAfter = attemptStartedAt.get(e.taskId)! > firstSignalAt;
          signalsInOpenPause[launchedAfter ? "launchedAfter" : "launchedBeforeFirstSignal"]++;
        }
      }
      if (e.type === "launched") attemptStartedAt.set(e.taskId, e.at);
      if (e.type === "concurrency-changed") minConcurrency = Math.min(minConcurrency, e.to);
    },
  });
  const plan = scheduler.plan(w.tasks.map((t) => ({ id: t.id })));
  const report = warnings ? (signal: QuotaSignal) => scheduler.quota(signal) : undefined;
  const summary = await clock.runUntil(
    scheduler.run(plan, async (id, context) => {
      if (!(await context.startGate())) return { kind: "again" };
      return runAgent(byId.get(id)!, provider, clock, random, report);
    }),
  );
  return {
    makespanMs: summary.endedAt - summary.startedAt,
    failed: w.tasks.length - summary.counts.verified,
    rejected: provider.rejected,
    limitedExits,
    signalsInOpenPause,
    minConcurrency,
  };
}
