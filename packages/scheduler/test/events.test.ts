// What the scheduler tells its caller: option checks, defaults, the fields of its events and the
// reasons in its summary (the runner journals and prints them).
import { describe, expect, it } from "vitest";
import { createScheduler, type IterationResult } from "../src/index.js";
import { again, harness, limited, ok, tasks } from "./harness.js";

describe("options", () => {
  it("rejects each bad option by name, with what was expected and received", () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ parallel: 1.5 }, "parallel must be a whole number from 1 up, e.g. 3; received 1.5"],
      [{ maxIterations: 0 }, "maxIterations must be a whole number from 1 up, e.g. 3; received 0"],
      [{ increaseAfter: -1 }, "increaseAfter must be a whole number from 1 up, e.g. 3; received -1"],
      [{ staggerMs: -1 }, "staggerMs must be a number of milliseconds from 0 up, e.g. 5000; received -1"],
      [{ staggerMs: Number.NaN }, "staggerMs must be a number of milliseconds from 0 up, e.g. 5000; received NaN"],
      [{ staggerMs: Number.POSITIVE_INFINITY }, "staggerMs must be a number of milliseconds from 0 up, e.g. 5000; received Infinity"],
      [{ longPause: { thresholdMs: -5 } }, "longPause.thresholdMs must be a number of milliseconds from 0 up, e.g. 5000; received -5"],
    ];
    for (const [options, message] of bad) expect(() => createScheduler({ parallel: 2, ...options })).toThrow(new RangeError(message));
    expect(() => createScheduler({ parallel: 2, staggerMs: 0 })).not.toThrow();
    expect(() => createScheduler({ parallel: 2 }).plan(tasks("a"), { assumedIterationMs: -1 }))
      .toThrow("assumedIterationMs must be a number of milliseconds from 0 up, e.g. 5000; received -1");
  }, 10_000);

  it("defaults: 3 s stagger, 3 iterations, 10-minute iterations assumed, pauses over 15 min are long", async () => {
    const plan = createScheduler({ parallel: 2 }).plan(tasks("a", "b", "c"));
    expect([plan.staggerMs, plan.maxIterations, plan.assumedIterationMs]).toEqual([3000, 3, 600_000]);
    expect(plan.tasks.map((t) => t.projectedStartMs)).toEqual([0, 3000, 600_000]);

    // 12 min stays short even with the Retry-After jitter (up to +20 %).
    const h = harness({ parallel: 1, script: { a: [limited(1000, 12 * 60_000), limited(1000, 16 * 60_000), ok(1000)] } });
    await h.runTasks(tasks("a"));
    expect(h.of("paused-until").map((e) => e.long)).toEqual([false, true]);
  }, 10_000);
});

describe("events and summary", () => {
  it("carry a reason, a retry time or a reset time only when there is one", async () => {
    const resetAt = 1_000_000 + 3_600_000;
    const h = harness({
      parallel: 1,
      script: {
        a: [{ ms: 1000, result: { kind: "rate-limited", resetAt } }, limited(1000, 5000), limited(1000), again(1000), { ms: 1000, result: { kind: "again", reason: "tests failed" } }, ok(1000)],
      },
      maxIterations: 3,
    });
    await h.runTasks(tasks("a"));
    const strip = <T extends { at: number }>({ at: _at, ...rest }: T) => rest;
    expect(h.of("rate-limited").map(strip)).toStrictEqual([
      { type: "rate-limited", taskId: "a", iteration: 1, attempt: 1, limit: "rate-limited", resetAt },
      { type: "rate-limited", taskId: "a", iteration: 1, attempt: 2, limit: "rate-limited", retryAfterMs: 5000 },
      { type: "rate-limited", taskId: "a", iteration: 1, attempt: 3, limit: "rate-limited" },
    ]);
    const finished = h.of("finished").map(({ result, reason, iteration }) => ({ result, reason, iteration }));
    expect(finished.slice(3)).toStrictEqual([
      { result: "again", reason: undefined, iteration: 1 },
      { result: "again", reason: "tests failed", iteration: 2 },
      { result: "verified", reason: undefined, iteration: 3 },
    ]);
    expect(h.of("finished").filter((e) => e.result === "again").map((e) => "reason" in e)).toEqual([false, true]);
    expect(h.of("queued").map((e) => [e.iteration, e.front])).toEqual([[1, false], [1, true], [1, true], [1, true], [2, false], [3, false]]);
    expect(h.of("task-done")).toMatchObject([{ taskId: "a", state: "verified", iterations: 3, attempts: 6, rateLimits: 3 }]);
    expect("reason" in h.of("task-done")[0]!).toBe(false);
  }, 10_000);

  it("says why a task is failed or not done: its iterations, its reason, or the stop", async () => {
    const h = harness({ parallel: 1, maxIterations: 2, script: { a: [again(1000), { ms: 1000, result: { kind: "again", reason: "check failed" } }], b: [{ ms: 1000, result: { kind: "failed" } as IterationResult }] } });
    const summary = await h.runTasks(tasks("a", "b"));
    expect(summary.tasks.map((t) => [t.id, t.state, t.reason])).toEqual([
      ["a", "failed", "not verified after 2 iterations (check failed)"],
      ["b", "failed", "the iteration reported failure"],
    ]);

    const stopped = harness({ parallel: 1 });
    const result = await stopped.clock.runUntil(stopped.scheduler.run(stopped.scheduler.plan(tasks("x", "y")), async () => {
      stopped.scheduler.stop();
      await stopped.clock.sleep(1000);
      return { kind: "verified" };
    }));
    expect(result.tasks.map((t) => [t.id, t.state, t.reason])).toEqual([
      ["x", "verified", undefined],
      ["y", "pending", "run stopped before this task finished"],
    ]);
    expect("reason" in result.tasks[0]!).toBe(false);
    expect(stopped.of("stopped")).toHaveLength(1);
  }, 10_000);
});
