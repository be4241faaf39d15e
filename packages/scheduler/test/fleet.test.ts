import { describe, expect, it } from "vitest";
import { createScheduler, plan, realClock, type IterationContext, type IterationResult, type SchedulerEvent, type SchedulerOptions } from "../src/index.js";
import { FakeClock } from "../src/testing.js";
import { harness, tasks } from "./harness.js";

/** A scheduler on a fake clock at 0 whose callback is `body` (the tests script time with `clock.sleep`). */
function fleet(options: Partial<SchedulerOptions> & { parallel: number }) {
  const clock = new FakeClock(0);
  const events: SchedulerEvent[] = [];
  const scheduler = createScheduler({ staggerMs: 0, random: () => 0.5, slowStart: false, ...options, clock, onEvent: (e) => events.push(e) });
  const launched = () => events.flatMap((e) => (e.type === "launched" ? [{ id: e.taskId, at: e.at, agents: e.agents }] : []));
  const run = (ids: { id: string; attached?: boolean; host?: string; iterationsUsed?: number }[], body: (id: string, ctx: IterationContext) => Promise<IterationResult>) =>
    clock.runUntil(scheduler.run(plan(ids, { parallel: options.parallel }), body));
  return { clock, events, scheduler, launched, run };
}

describe("events", () => {
  it("launched and finished say the iteration and the duration; quota events carry only the fields given; a stop is reported once", async () => {
    const h = harness({ parallel: 1 });
    h.scheduler.quota({ provider: "codex", status: "ok" });
    h.scheduler.quota({ provider: "claude", status: "warning", usedPercent: 80, resetAt: 2_000_000, taskId: "a" });
    const summary = await h.runTasks([{ id: "a", iterationsUsed: 1 }]);
    expect(h.of("launched")).toStrictEqual([{ type: "launched", at: 1_000_000, taskId: "a", iteration: 2, attempt: 1, agents: 1, concurrency: 1 }]);
    expect(h.of("finished")[0]).toMatchObject({ iteration: 2, durationMs: 60_000 });
    expect(h.of("quota")).toStrictEqual([
      { type: "quota", at: 1_000_000, provider: "codex", status: "ok" },
      { type: "quota", at: 1_000_000, provider: "claude", status: "warning", usedPercent: 80, resetAt: 2_000_000, taskId: "a" },
    ]);
    expect(summary.stopped).toBeUndefined();

    // A second stop (e.g. a second Ctrl-C) changes nothing: one event, and no resumeAt key without a resume time.
    const s = harness({ parallel: 1, onEvent: (e) => e.type === "started" && (s.scheduler.stop(), s.scheduler.stop()) });
    const stopped = await s.runTasks(tasks("a", "b"));
    expect(s.of("stopped")).toStrictEqual([{ type: "stopped", at: 1_000_000, reason: "stop-called" }]);
    expect(stopped.stopped).toStrictEqual({ reason: "stop-called" });
  });

  it("a callback that resolves to nothing or null fails its task with what a result must look like and what it got", async () => {
    const h = harness({ parallel: 2 });
    const summary = await h.clock.runUntil(
      h.scheduler.run(h.scheduler.plan(tasks("a", "b")), async (id) => (id === "a" ? undefined : null) as never),
    );
    const expected = (got: string) =>
      `iteration threw: the iteration callback must resolve to { kind: "verified" | "again" | "failed" | "rate-limited" | "usage-limit" | "host-lost" }, e.g. { kind: "verified" }; received ${got}`;
    expect(summary.tasks.map((t) => [t.id, t.state, t.reason])).toEqual([
      ["a", "failed", expected("undefined")],
      ["b", "failed", expected("null")],
    ]);
  });
});

describe("rate limits and pauses", () => {
  it("resumed is reported once, when the last of several overlapping pauses ends", async () => {
    const at = (ms: number) => 1_000_000 + ms;
    const h = harness({
      parallel: 3,
      script: {
        a: [{ ms: 1000, result: { kind: "rate-limited", resetAt: at(20_000) } }],
        b: [{ ms: 2000, result: { kind: "rate-limited", resetAt: at(30_000) } }], // extends the pause
        c: [{ ms: 3000, result: { kind: "usage-limit", resetAt: at(30_000) } }], // ends with it
      },
    });
    const summary = await h.runTasks(tasks("a", "b", "c"));
    expect(summary.counts.verified).toBe(3);
    expect(h.of("resumed").map((e) => h.rel(e.at))).toEqual([30_000]);
  });

  it("a task whose limited attempt was followed by a clean one is pending, not rate-limited, when the run stops", async () => {
    const h = harness({
      parallel: 1,
      script: { a: [{ ms: 1000, result: { kind: "rate-limited", retryAfterMs: 1000 } }, { ms: 1000, result: { kind: "again" } }] },
      onEvent: (e) => e.type === "started" && e.taskId === "b" && h.scheduler.stop(), // b starts after a's clean attempt
    });
    const summary = await h.runTasks(tasks("a", "b"));
    expect(summary.tasks.find((t) => t.id === "a")).toMatchObject({ state: "pending", rateLimits: 1, iterations: 1 });
  });

  it("adaptive: false ignores a rejected quota and spends an iteration per rate limit, saying so", async () => {
    const h = harness({ parallel: 1, adaptive: false, maxIterations: 1, script: { a: [{ ms: 1000, result: { kind: "rate-limited" } }] } });
    h.scheduler.quota({ provider: "claude", status: "rejected", resetAt: 5_000_000 });
    const summary = await h.runTasks(tasks("a"));
    expect(h.of("paused-until")).toEqual([]);
    expect(h.scheduler.pausedUntil).toBeUndefined();
    expect(summary.tasks[0]).toMatchObject({ state: "failed", reason: "not verified after 1 iterations (rate-limited (no adaptation))" });
  });

  it("a cut while a start waits for the stagger is obeyed when the stagger is over", async () => {
    const f = fleet({ parallel: 3, staggerMs: 10_000 });
    const summary = await f.run([{ id: "a" }, { id: "b" }], async (id) => {
      if (id === "a") {
        await f.clock.sleep(5000);
        f.scheduler.quota({ provider: "claude", status: "rejected" }); // no reset time: cut from 1 agent to 1, pause ~7.5 s
      }
      await f.clock.sleep(id === "a" ? 55_000 : 60_000);
      return { kind: "verified" };
    });
    expect(summary.counts.verified).toBe(2);
    expect(f.events.filter((e) => e.type === "concurrency-changed")).toMatchObject([{ from: 3, to: 1 }]);
    // b's turn came at 12.5 s (stagger and pause over), but a held the only slot until 60 s.
    expect(f.launched().map((l) => [l.id, l.at])).toEqual([["a", 0], ["b", 60_000]]);
  });

  it("cuts from the load a limit came at, counting an agent that ended before its callback returned", async () => {
    const f = fleet({ parallel: 4 });
    await f.run(tasks("a", "b", "c", "d"), async (id, ctx) => {
      if (id === "a" && ctx.attempt === 1) {
        await f.clock.sleep(10_000);
        ctx.agentEnded(); // then the runner reads the agent's output: a rate limit
        await f.clock.sleep(1000);
        return { kind: "rate-limited", retryAfterMs: 1000 };
      }
      await f.clock.sleep(60_000);
      return { kind: "verified" };
    });
    // 3 agents still ran, plus a's that hit the limit: 4, cut to 3 (85 %).
    expect(f.events.find((e) => e.type === "concurrency-changed")).toMatchObject({ from: 4, to: 3, reason: "rate-limit" });
  });
});

describe("startGate and agent slots", () => {
  it("without launchGate, startGate resolves at once, or waits out a pause begun since and launches again", async () => {
    const f = fleet({ parallel: 2 });
    const gates: [string, number, boolean][] = [];
    await f.run(tasks("a", "b"), async (id, ctx) => {
      if (id === "a") await f.clock.sleep(5000); // a prepares; b's limit at 1 s pauses until 30 s
      const ok = await ctx.startGate();
      gates.push([id, f.clock.now(), ok]);
      if (id === "b" && ctx.attempt === 1) {
        await f.clock.sleep(1000);
        return { kind: "rate-limited", resetAt: 30_000 };
      }
      await f.clock.sleep(60_000);
      return { kind: "verified" };
    });
    expect(gates).toEqual([["b", 0, true], ["a", 30_000, true], ["b", 90_000, true]]);
    // Each launch counts the agents running with it: a's first launch no longer does once it waits.
    expect(f.launched()).toEqual([
      { id: "a", at: 0, agents: 1 },
      { id: "b", at: 0, agents: 2 },
      { id: "a", at: 30_000, agents: 1 },
      { id: "b", at: 90_000, agents: 1 },
    ]);
  });

  it("an attempt that returns while its startGate waits launches nothing, and its agent is not counted twice", async () => {
    const f = fleet({ parallel: 2 });
    let aGate: Promise<boolean> | undefined;
    const summary = await f.run(tasks("a", "b"), async (id, ctx) => {
      if (id === "a") {
        await f.clock.sleep(5000);
        aGate = ctx.startGate(); // inside b's pause; a gives up without waiting
        return { kind: "failed", reason: "worktree gone" };
      }
      await f.clock.sleep(1000);
      return ctx.attempt === 1 ? { kind: "rate-limited", resetAt: 30_000 } : { kind: "verified" };
    });
    expect(await aGate).toBe(false);
    expect(summary.tasks.map((t) => [t.id, t.state])).toEqual([["a", "failed"], ["b", "verified"]]);
    expect(f.launched().filter((l) => l.at > 0)).toEqual([{ id: "b", at: 30_000, agents: 1 }]);
  });

  it("after agentEnded, startGate resolves false at once and the slot is freed only once", async () => {
    const f = fleet({ parallel: 1, staggerMs: 5000, launchGate: true });
    const late: [string, number, number, boolean][] = [];
    await f.run(tasks("a", "b", "c", "d"), async (id, ctx) => {
      await ctx.startGate();
      await f.clock.sleep(2000); // shorter than the stagger
      ctx.agentEnded();
      const calledAt = f.clock.now();
      const ok = await ctx.startGate();
      late.push([id, calledAt, f.clock.now(), ok]);
      await f.clock.sleep(1000); // landing: holds no slot, and returning does not free one more
      return { kind: "verified" };
    });
    // The next slot is granted when the agent ends; its launch waits for the stagger.
    expect(f.events.flatMap((e) => (e.type === "started" ? [e.at] : []))).toEqual([0, 2000, 7000, 12_000]);
    expect(f.launched().map((l) => [l.id, l.at])).toEqual([["a", 0], ["b", 5000], ["c", 10_000], ["d", 15_000]]);
    expect(late).toEqual([["a", 2000, 2000, false], ["b", 7000, 7000, false], ["c", 12_000, 12_000, false], ["d", 17_000, 17_000, false]]);
  });

  it("after a cut, an attempt waits at its startGate until fewer agents run than the new limit", async () => {
    const f = fleet({ parallel: 3, launchGate: true });
    await f.run(tasks("a", "b", "c"), async (id, ctx) => {
      if (id === "c") await f.clock.sleep(5000); // c prepares its worktree
      await ctx.startGate();
      if (id === "a") {
        await f.clock.sleep(1000);
        f.scheduler.quota({ provider: "claude", status: "rejected" }); // 2 agents ran: cut from 3 to 1, pause ~7.5 s
      }
      await f.clock.sleep(id === "a" ? 29_000 : 60_000);
      return { kind: "verified" };
    });
    expect(f.events.filter((e) => e.type === "concurrency-changed")).toMatchObject([{ from: 3, to: 1 }]);
    // Not at the pause's end (2 agents ran), nor when a ended at 30 s (1 agent ran): when b ended.
    expect(f.launched().map((l) => [l.id, l.at])).toEqual([["a", 0], ["b", 0], ["c", 60_000]]);
  });

  it("a re-attached iteration holds an agent slot until it ends, passes its startGate at once, and gets no host without hosts", async () => {
    const f = fleet({ parallel: 2 });
    const contexts: Record<string, string[]> = {};
    const gates: boolean[] = [];
    const summary = await f.run([{ id: "old", attached: true, host: "h1" }, { id: "b" }, { id: "c" }], async (id, ctx) => {
      contexts[id] = Object.keys(ctx);
      if (ctx.reattach) gates.push(await ctx.startGate());
      await f.clock.sleep(id === "old" ? 30_000 : 60_000);
      return { kind: "verified" };
    });
    expect(summary.counts.verified).toBe(3);
    expect(gates).toEqual([true]);
    expect(f.launched()).toEqual([{ id: "b", at: 0, agents: 2 }, { id: "c", at: 30_000, agents: 2 }]); // old's agent counted until it ended
    expect(contexts.old).not.toContain("host");
    expect(contexts.b).not.toContain("host");
  });
});

describe("slow start", () => {
  it("a probe still pending when the run ends grows nothing (real clock: its timer is cancelled, not fired)", async () => {
    const events: SchedulerEvent[] = [];
    const scheduler = createScheduler({ parallel: 2, staggerMs: 0, clock: realClock, slowStart: { probeMs: 60_000 }, onEvent: (e) => events.push(e) });
    await scheduler.run(scheduler.plan(tasks("a")), async () => ({ kind: "verified" }));
    await new Promise<void>((resolve) => setImmediate(resolve)); // let the cancelled probe's callback run
    expect(events.filter((e) => e.type === "concurrency-changed")).toEqual([]);
    expect(scheduler.concurrency).toBe(1);
  });
});

describe("stopping from an event listener", () => {
  it("a stop called while the last running iteration's finished event is handled still counts that iteration's result", async () => {
    const h = harness({ parallel: 1, onEvent: (e) => e.type === "finished" && e.taskId === "a" && h.scheduler.stop() });
    const summary = await h.runTasks(tasks("a", "b"));
    // The journal says a was verified (task-done follows finished); the summary must agree.
    expect(h.of("task-done")).toMatchObject([{ taskId: "a", state: "verified" }]);
    expect(summary.tasks.map((t) => [t.id, t.state, t.iterations])).toEqual([["a", "verified", 1], ["b", "pending", 0]]);
  });
});

describe("many agents", () => {
  it("20 running iterations each listening on their abort signal raise no MaxListenersExceededWarning (a user running --parallel 20 would see it)", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on("warning", onWarning);
    try {
      const f = fleet({ parallel: 20 });
      const ids = Array.from({ length: 20 }, (_, i) => ({ id: `t${i}` }));
      let waiting = 0;
      const summary = await f.run(ids, async (_id, ctx) => {
        waiting += 1;
        // As the runner's exit waiters do: one abort listener per running iteration, then work.
        ctx.signal.addEventListener("abort", () => undefined, { once: true });
        await f.clock.sleep(1000, ctx.signal);
        return { kind: "verified" };
      });
      expect(waiting).toBe(20);
      expect(summary.tasks.every((t) => t.state === "verified")).toBe(true);
      await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
      expect(warnings).not.toContain("MaxListenersExceededWarning");
    } finally {
      process.off("warning", onWarning);
    }
  });
});
