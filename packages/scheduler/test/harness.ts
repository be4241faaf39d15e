import { FakeClock } from "../src/testing.js";
import { createScheduler, type IterationContext, type IterationResult, type SchedulerEvent, type SchedulerOptions, type SchedulerTask } from "../src/index.js";

/** One scripted iteration: how long it runs (virtual ms) and what it reports. */
export interface Step {
  ms: number;
  result: IterationResult;
}

export const ok = (ms: number): Step => ({ ms, result: { kind: "verified" } });
export const again = (ms: number): Step => ({ ms, result: { kind: "again" } });
export const limited = (ms: number, retryAfterMs?: number): Step => ({
  ms,
  result: retryAfterMs === undefined ? { kind: "rate-limited" } : { kind: "rate-limited", retryAfterMs },
});

/**
 * A scheduler on a fake clock whose iterations follow a script per task (default: 60 s, verified),
 * recording every event and every callback call.
 */
export function harness(options: Partial<SchedulerOptions> & { script?: Record<string, Step[]> } = {}) {
  const clock = new FakeClock(1_000_000);
  const t0 = clock.now();
  const events: SchedulerEvent[] = [];
  const calls: { id: string; at: number; context: Omit<IterationContext, "signal" | "startGate" | "agentEnded"> }[] = [];
  const { script = {}, ...rest } = options;
  const scheduler = createScheduler({
    parallel: 3,
    staggerMs: 0,
    clock,
    random: () => 0.5,
    slowStart: false,
    ...rest,
    onEvent: (e) => {
      events.push(e);
      rest.onEvent?.(e);
    },
  });
  let running = 0;
  let maxRunning = 0;
  const runTasks = async (tasks: SchedulerTask[]) => {
    const plan = scheduler.plan(tasks);
    return clock.runUntil(
      scheduler.run(plan, async (id, context) => {
        const { signal, startGate: _gate, agentEnded: _ended, ...rest } = context;
        calls.push({ id, at: clock.now() - t0, context: rest });
        const step = script[id]?.shift() ?? ok(60_000);
        running++;
        maxRunning = Math.max(maxRunning, running);
        await clock.sleep(step.ms, signal);
        running--;
        return step.result;
      }),
    );
  };
  return {
    clock,
    scheduler,
    events,
    calls,
    runTasks,
    /** Virtual ms since the harness started. */
    rel: (at: number) => at - t0,
    starts: () => events.flatMap((e) => (e.type === "started" ? [{ id: e.taskId, at: e.at - t0 }] : [])),
    of: <T extends SchedulerEvent["type"]>(type: T) => events.filter((e): e is Extract<SchedulerEvent, { type: T }> => e.type === type),
    get maxRunning() {
      return maxRunning;
    },
  };
}

export const tasks = (...ids: string[]): SchedulerTask[] => ids.map((id) => ({ id }));
