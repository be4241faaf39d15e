// How tasks settle (one task-done each, with its reason) and the scheduler's defaults.
import { describe, expect, it } from "vitest";
import { createScheduler } from "../src/index.js";
import { harness, limited, tasks } from "./harness.js";

const failed = (ms: number, reason: string) => ({ ms, result: { kind: "failed" as const, reason } });

describe("settling tasks", () => {
  it("reports a failed iteration's reason in its task-done event", async () => {
    const h = harness({ script: { a: [failed(1000, "tests fail")] } });
    await h.runTasks(tasks("a"));
    expect(h.of("task-done")).toMatchObject([{ taskId: "a", state: "failed", reason: "tests fail" }]);
  });

  it("settles a task once when two of its dependencies fail", async () => {
    const h = harness({ script: { a: [failed(1000, "no")], b: [failed(2000, "no")] } });
    const summary = await h.runTasks([{ id: "a" }, { id: "b" }, { id: "c", deps: ["a", "b"] }]);
    expect(h.of("task-done").filter((e) => e.taskId === "c")).toMatchObject([{ state: "skipped", reason: "dependency a failed" }]);
    expect(summary.counts).toMatchObject({ failed: 2, skipped: 1 });
  });

  it("settles a spent task once when the spent task it depends on has already skipped it", async () => {
    const h = harness({ maxIterations: 2 });
    const summary = await h.runTasks([{ id: "a", iterationsUsed: 2 }, { id: "b", deps: ["a"], iterationsUsed: 2 }, { id: "c" }]);
    expect(h.of("task-done").filter((e) => e.taskId === "b")).toMatchObject([{ state: "skipped", reason: "dependency a failed" }]);
    expect(summary.counts).toMatchObject({ failed: 1, skipped: 1, verified: 1 });
  });

  it("says why tasks did not finish when a usage limit stopped the run", async () => {
    const h = harness({ parallel: 1, longPause: { thresholdMs: 60_000, action: "stop" } });
    const summary = await h.clock.runUntil(
      h.scheduler.run(h.scheduler.plan(tasks("a", "b")), async () => {
        await h.clock.sleep(1000);
        return { kind: "usage-limit", resetAt: h.clock.now() + 3600_000 };
      }),
    );
    expect(summary.tasks.map((t) => [t.id, t.reason])).toEqual([
      ["a", "run stopped for a usage limit"],
      ["b", "run stopped for a usage limit"],
    ]);
  });
});

describe("scheduler defaults", () => {
  it("starts slowly, one agent at a time, unless told otherwise", () => {
    expect(createScheduler({ parallel: 3 }).concurrency).toBe(1);
    expect(createScheduler({ parallel: 3, slowStart: false }).concurrency).toBe(3);
  });

  it("caps the backoff at 10 minutes by default", async () => {
    // A 1-hour base would pause up to an hour; the cap keeps it to random (0.5) x 10 min.
    const h = harness({ parallel: 1, backoff: { baseMs: 3600_000 }, script: { a: [limited(1000)] } });
    await h.runTasks(tasks("a"));
    expect(h.of("paused-until").map((e) => e.until - e.at)).toEqual([300_000]);
  });

  it("names slowStart.probeMs when it is wrong", () => {
    expect(() => createScheduler({ parallel: 2, slowStart: { probeMs: -1 } })).toThrow(/^slowStart\.probeMs must be a number of milliseconds/);
  });
});
