import { describe, expect, it } from "vitest";
import { again, harness, limited, ok, tasks } from "./harness.js";

describe("start gate and slots", () => {
  it("spaces every start by exactly the stagger, also when several slots free at once", async () => {
    const h = harness({ parallel: 3, staggerMs: 5000 });
    await h.runTasks(tasks("a", "b", "c", "d", "e", "f"));
    expect(h.starts().map((s) => s.at)).toEqual([0, 5000, 10000, 60000, 65000, 70000]);

    // a, b and c all end at 70 s: the three freed slots still start 5 s apart.
    const g = harness({ parallel: 3, staggerMs: 5000, script: { a: [ok(70_000)], b: [ok(65_000)], c: [ok(60_000)] } });
    await g.runTasks(tasks("a", "b", "c", "d", "e", "f"));
    expect(g.starts()).toEqual([
      { id: "a", at: 0 },
      { id: "b", at: 5000 },
      { id: "c", at: 10000 },
      { id: "d", at: 70000 },
      { id: "e", at: 75000 },
      { id: "f", at: 80000 },
    ]);
  });

  it("reuses a slot the moment an iteration ends, with no batch barrier", async () => {
    const h = harness({ parallel: 2, script: { a: [ok(100_000)], b: [ok(10_000)], c: [ok(10_000)], d: [ok(10_000)] } });
    const summary = await h.runTasks(tasks("a", "b", "c", "d"));
    expect(h.starts()).toEqual([
      { id: "a", at: 0 },
      { id: "b", at: 0 },
      { id: "c", at: 10_000 },
      { id: "d", at: 20_000 },
    ]);
    expect(h.maxRunning).toBe(2);
    expect(summary.counts.verified).toBe(4);
    expect(h.rel(summary.endedAt)).toBe(100_000);
  });
});

describe("rate limits", () => {
  it("honours Retry-After even when the jittered backoff is shorter, and retries that task first", async () => {
    const h = harness({ parallel: 1, random: () => 0, backoff: { baseMs: 1000, capMs: 60_000 }, script: { a: [limited(10_000, 30_000), ok(1000)], b: [ok(1000)] } });
    await h.runTasks(tasks("a", "b"));
    expect(h.calls.map((c) => [c.id, c.at])).toEqual([
      ["a", 0],
      ["a", 40_000],
      ["b", 41_000],
    ]);
    expect(h.of("paused-until").map((e) => h.rel(e.until))).toEqual([40_000]);
    expect(h.of("resumed").map((e) => h.rel(e.at))).toEqual([40_000]);
  });

  it("waits for a usage limit's reset time and reports it as a long pause", async () => {
    const h = harness({ parallel: 1, longPause: { thresholdMs: 15 * 60_000, action: "wait" } });
    const resetAt = new Date(h.clock.now() + 1000 + 20 * 60_000);
    const summary = await runWithOneUsageLimit(h, resetAt);
    expect(h.calls.map((c) => c.at)).toEqual([0, 1000 + 20 * 60_000]);
    expect(h.of("paused-until")).toMatchObject([{ limit: "usage-limit", until: resetAt.getTime(), long: true, extended: false }]);
    expect(summary.tasks[0]).toMatchObject({ state: "verified", iterations: 1, attempts: 2, rateLimits: 1 });
  });

  it("stops cleanly on a usage limit hours away when longPause.action is stop", async () => {
    const h = harness({ parallel: 1, longPause: { thresholdMs: 15 * 60_000, action: "stop" } });
    const resetAt = h.clock.now() + 1000 + 5 * 3600_000;
    const plan = h.scheduler.plan(tasks("a", "b"));
    const summary = await h.clock.runUntil(
      h.scheduler.run(plan, async (id) => {
        h.calls.push({ id, at: 0, context: { iteration: 1, attempt: 1, reattach: false } });
        await h.clock.sleep(1000);
        return { kind: "usage-limit", resetAt };
      }),
    );
    expect(h.calls.map((c) => c.id)).toEqual(["a"]);
    expect(h.of("stopped")).toMatchObject([{ reason: "usage-limit", resumeAt: resetAt }]);
    expect(summary.stopped).toEqual({ reason: "usage-limit", resumeAt: resetAt });
    expect(summary.tasks.map((t) => [t.id, t.state, t.iterations])).toEqual([
      ["a", "rate-limited", 0],
      ["b", "pending", 0],
    ]);
    expect(h.rel(summary.endedAt)).toBe(1000);
  });

  it("pauses every slot: nothing starts anywhere until the pause ends", async () => {
    const h = harness({ parallel: 3, random: () => 0, script: { a: [limited(5000, 60_000), ok(1000)], b: [ok(10_000)], c: [ok(20_000)] } });
    await h.runTasks(tasks("a", "b", "c", "d", "e"));
    const starts = h.starts();
    expect(starts.slice(0, 3).map((s) => s.at)).toEqual([0, 0, 0]);
    // b and c freed their slots at 10 s and 20 s, but the pause (5 s + 60 s) holds every start.
    expect(starts.slice(3).every((s) => s.at >= 65_000)).toBe(true);
    expect(starts[3]).toEqual({ id: "a", at: 65_000 });
    expect(h.of("resumed").map((e) => h.rel(e.at))).toEqual([65_000]);
  });

  it("uses full-jitter exponential backoff when no retry time is given", async () => {
    const h = harness({ parallel: 1, random: () => 0.5, backoff: { baseMs: 10_000, capMs: 15_000 }, script: { a: [limited(1000), limited(1000), ok(1000)] } });
    await h.runTasks(tasks("a"));
    // 0.5 x 10 s, then 0.5 x min(15 s cap, 20 s).
    expect(h.calls.map((c) => c.at)).toEqual([0, 6000, 14_500]);
  });

  it("a rate-limited attempt does not use an iteration", async () => {
    const h = harness({ parallel: 1, maxIterations: 1, script: { a: [limited(1000, 2000), limited(1000, 2000), ok(1000)] } });
    const summary = await h.runTasks(tasks("a"));
    expect(h.calls.map((c) => c.context)).toEqual([
      { iteration: 1, attempt: 1, reattach: false },
      { iteration: 1, attempt: 2, reattach: false },
      { iteration: 1, attempt: 3, reattach: false },
    ]);
    expect(summary.tasks[0]).toMatchObject({ id: "a", state: "verified", iterations: 1, attempts: 3, rateLimits: 2 });
  });

  it("adaptive: false (the benchmarks' baseline) pauses nothing, cuts nothing and spends an iteration per rate limit", async () => {
    const h = harness({
      parallel: 2,
      maxIterations: 2,
      adaptive: false,
      script: { a: [limited(1000, 30_000), limited(1000, 30_000)], b: [limited(1000, 30_000), ok(1000)] },
    });
    const summary = await h.runTasks(tasks("a", "b", "c"));
    expect(h.of("paused-until")).toEqual([]);
    expect(h.of("concurrency-changed")).toEqual([]);
    // No wait for Retry-After: the next starts follow at once, requeued at the back behind c.
    expect(h.starts()).toEqual([
      { id: "a", at: 0 },
      { id: "b", at: 0 },
      { id: "c", at: 1000 },
      { id: "a", at: 1000 },
      { id: "b", at: 2000 },
    ]);
    expect(summary.tasks.map((t) => [t.id, t.state, t.iterations, t.rateLimits])).toEqual([
      ["a", "failed", 2, 2],
      ["b", "verified", 2, 1],
      ["c", "verified", 1, 0],
    ]);
  });
});

describe("adaptive concurrency (AIMD)", () => {
  it("cuts for every signal at a load the limit allows, then grows by one per K x 4^failures clean completions", async () => {
    const h = harness({
      parallel: 4,
      random: () => 0,
      increaseAfter: 1,
      script: { a: [limited(5000, 10_000)], b: [limited(6000, 10_000)] },
    });
    const summary = await h.runTasks(tasks("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"));
    expect(h.of("concurrency-changed").map((e) => [h.rel(e.at), e.from, e.to, e.reason])).toEqual([
      [5000, 4, 3, "rate-limit"], // 85 % of the 4 running
      [6000, 3, 2, "rate-limit"], // b hit with 3 running, a load the limit allowed: 3 is too many too
      [180_000, 2, 3, "clean-completions"], // 3 failed once: 1 x 4 clean completions at level 2 (c and d launched before: not counted)
      [300_000, 3, 4, "clean-completions"], // 4 failed once: 4 more at level 3
    ]);
    // b was launched before a's signal: old load, paused for its own Retry-After, inside a's window.
    expect(h.of("paused-until").map((e) => [h.rel(e.until), e.extended])).toEqual([
      [15_000, false],
      [16_000, true],
    ]);
    for (const s of h.of("started")) expect(s.running).toBeLessThanOrEqual(s.concurrency);
    // c and d keep running; a and b wait for them (the limit is 2), then two at a time, then three.
    expect(h.starts().slice(4).map((s) => [s.id, s.at])).toEqual([
      ["a", 60_000], ["b", 60_000], ["e", 120_000], ["f", 120_000],
      ["g", 180_000], ["h", 180_000], ["i", 180_000], ["j", 240_000], ["k", 240_000], ["l", 240_000],
    ]);
    expect(summary.counts.verified).toBe(12);
  }, 10_000);

  it("does not cut again for a late signal while the load is still above the limit (the burst is draining)", async () => {
    const h = harness({ parallel: 8, script: { a: [limited(5000, 1000)], c: [limited(30_000, 1000)] } });
    await h.runTasks(tasks("a", "b", "c", "d", "e", "f", "g", "h"));
    expect(h.of("paused-until")).toHaveLength(2); // two separate windows
    // 8 -> 6 at a's signal; c's came with 7 running (above 6): nothing new to learn, no second cut.
    expect(h.of("concurrency-changed").filter((e) => e.reason === "rate-limit").map((e) => [e.from, e.to])).toEqual([[8, 6]]);
    // a waits until the load is below the limit again: no launch into the congestion.
    expect(h.starts().slice(8)[0]).toEqual({ id: "a", at: 60_000 });
  }, 10_000);
});

describe("iterations, dependencies and stopping", () => {
  it("runs at most maxIterations iterations, then fails the task and skips its dependents", async () => {
    const h = harness({ parallel: 2, maxIterations: 3, script: { a: [again(1000), again(1000), again(1000), ok(1000)] } });
    const summary = await h.runTasks([{ id: "a" }, { id: "b", deps: ["a"] }]);
    expect(h.calls.map((c) => [c.id, c.context.iteration])).toEqual([
      ["a", 1],
      ["a", 2],
      ["a", 3],
    ]);
    expect(summary.tasks).toEqual([
      { id: "a", kind: "agent", state: "failed", iterations: 3, attempts: 3, rateLimits: 0, reason: "not verified after 3 iterations" },
      { id: "b", kind: "agent", state: "skipped", iterations: 0, attempts: 0, rateLimits: 0, reason: "dependency a failed" },
    ]);
  });

  it("starts a task only after its dependencies are verified; a group needs no run", async () => {
    const h = harness({ parallel: 3, script: { c: [ok(30_000)] } });
    const summary = await h.runTasks([
      { id: "a" },
      { id: "b", deps: ["a"] },
      { id: "p", kind: "group", deps: ["c", "d"] },
      { id: "c" },
      { id: "d" },
      { id: "e", deps: ["p"] },
    ]);
    expect(h.starts()).toEqual([
      { id: "a", at: 0 },
      { id: "c", at: 0 },
      { id: "d", at: 0 },
      { id: "b", at: 60_000 },
      { id: "e", at: 60_000 },
    ]);
    expect(h.calls.some((c) => c.id === "p")).toBe(false);
    expect(summary.tasks.find((t) => t.id === "p")).toMatchObject({ kind: "group", state: "verified", iterations: 0 });
    expect(h.of("task-done").find((e) => e.taskId === "p")?.at).toBe(h.clock.now() - 60_000);
  });

  it("skips a group and its dependents when a child fails", async () => {
    const h = harness({ script: { c: [{ ms: 1000, result: { kind: "failed", reason: "agent crashed" } }] } });
    const summary = await h.runTasks([{ id: "p", kind: "group", deps: ["c", "d"] }, { id: "c" }, { id: "d" }, { id: "e", deps: ["p"] }]);
    expect(summary.tasks.map((t) => [t.id, t.state, t.reason])).toEqual([
      ["c", "failed", "agent crashed"],
      ["d", "verified", undefined],
      ["p", "skipped", "dependency c failed"],
      ["e", "skipped", "dependency p skipped"],
    ]);
  });

  it("stop() starts nothing new and lets running iterations finish", async () => {
    const h = harness({
      parallel: 1,
      onEvent: (e) => {
        if (e.type === "started" && e.taskId === "a") h.scheduler.stop();
      },
    });
    const summary = await h.runTasks(tasks("a", "b", "c"));
    expect(h.calls.map((c) => c.id)).toEqual(["a"]);
    expect(summary.tasks.map((t) => t.state)).toEqual(["verified", "pending", "pending"]);
    expect(summary.stopped).toEqual({ reason: "stop-called" });
    expect(h.rel(summary.endedAt)).toBe(60_000);
  });

  it("stop({ abortRunning: true }) aborts the running iterations' signal", async () => {
    const h = harness({
      parallel: 2,
      onEvent: (e) => {
        if (e.type === "started" && e.taskId === "b") h.scheduler.stop({ abortRunning: true });
      },
    });
    const summary = await h.runTasks(tasks("a", "b", "c"));
    expect(h.rel(summary.endedAt)).toBe(0);
    expect(h.calls.map((c) => c.id)).toEqual(["a", "b"]);
  });

  it("resumes from a journal: done tasks never run, iterations continue, re-attached ones start first", async () => {
    const h = harness({ parallel: 2, staggerMs: 5000, maxIterations: 3 });
    const summary = await h.runTasks([
      { id: "a", done: true },
      { id: "b", deps: ["a"], iterationsUsed: 2 },
      { id: "c", iterationsUsed: 3 },
      { id: "d", attached: true, iterationsUsed: 1 },
      { id: "e", deps: ["c"] },
      { id: "f" },
    ]);
    expect(h.calls.map((c) => [c.id, c.at, c.context.iteration, c.context.reattach])).toEqual([
      ["d", 0, 2, true],
      ["b", 0, 3, false],
      ["f", 60_000, 1, false],
    ]);
    expect(summary.tasks.map((t) => [t.id, t.state, t.reason])).toEqual([
      ["d", "verified", undefined],
      ["b", "verified", undefined],
      ["f", "verified", undefined],
      ["a", "verified", undefined],
      ["c", "failed", "all 3 iterations already used"],
      ["e", "skipped", "dependency c failed"],
    ]);
  });

  it("fails a task whose callback throws or returns something unexpected, and carries on", async () => {
    const h = harness({ parallel: 2 });
    const plan = h.scheduler.plan(tasks("a", "b", "c"));
    const summary = await h.clock.runUntil(
      h.scheduler.run(plan, async (id) => {
        if (id === "a") throw new Error("tmux is gone");
        if (id === "b") return { kind: "done" } as never;
        return { kind: "verified" };
      }),
    );
    expect(summary.tasks.map((t) => t.state)).toEqual(["failed", "failed", "verified"]);
    expect(summary.tasks[0]!.reason).toBe("iteration threw: tmux is gone");
    expect(summary.tasks[1]!.reason).toContain('e.g. { kind: "verified" }; received {"kind":"done"}');
  });

  it("refuses a second run and bad options with a clear error", () => {
    const h = harness();
    void h.runTasks(tasks("a"));
    expect(() => h.scheduler.run(h.scheduler.plan(tasks("a")), async () => ({ kind: "verified" }))).toThrow(/already run a plan/);
    expect(() => harness({ parallel: 0 })).toThrow("parallel must be a whole number from 1 up, e.g. 3; received 0");
  });
});

async function runWithOneUsageLimit(h: ReturnType<typeof harness>, resetAt: Date) {
  const plan = h.scheduler.plan(tasks("a"));
  let first = true;
  return h.clock.runUntil(
    h.scheduler.run(plan, async (id, { signal, ...context }) => {
      h.calls.push({ id, at: h.rel(h.clock.now()), context });
      await h.clock.sleep(1000, signal);
      if (first) {
        first = false;
        return { kind: "usage-limit", resetAt };
      }
      return { kind: "verified" };
    }),
  );
}
