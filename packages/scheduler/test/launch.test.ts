import { describe, expect, it } from "vitest";
import { createScheduler, plan, type SchedulerEvent } from "../src/index.js";
import { FakeClock } from "../src/testing.js";

/** A fleet with `launchGate: true`: each callback prepares for `prepMs`, awaits startGate, runs its agent, then lands. */
function fleet(options: { parallel: number; staggerMs?: number; slowStart?: boolean }) {
  const clock = new FakeClock(0);
  const events: SchedulerEvent[] = [];
  const scheduler = createScheduler({
    staggerMs: 0, random: () => 0, slowStart: false, ...options, clock, launchGate: true, onEvent: (e) => events.push(e),
  });
  const launches: { id: string; at: number }[] = [];
  const agentEnds: { id: string; at: number }[] = [];
  return { clock, events, scheduler, launches, agentEnds };
}

describe("launch gate and agent slots", () => {
  it("checks the pause when the agent launches: an attempt granted before a pause waits with its worktree ready", async () => {
    const f = fleet({ parallel: 2 });
    const run = f.scheduler.run(plan([{ id: "a" }, { id: "b" }], { parallel: 2 }), async (id, ctx) => {
      await f.clock.sleep(id === "b" ? 3000 : 1000); // b's worktree takes longer to prepare
      await ctx.startGate();
      f.launches.push({ id, at: f.clock.now() });
      await f.clock.sleep(1000);
      if (id === "a" && ctx.attempt === 1) return { kind: "rate-limited", retryAfterMs: 10_000 }; // at 2 s: pause until 12 s
      return { kind: "verified" };
    });
    await f.clock.runUntil(run);
    expect(f.launches).toEqual([
      { id: "a", at: 1000 },
      { id: "b", at: 12_000 }, // ready at 3 s, inside the pause: it waited
      { id: "a", at: 14_000 }, // one agent ran when the limit hit: the limit is 1, so a waits for b, then prepares again
    ]);
    const pause = f.events.find((e) => e.type === "paused-until")!;
    for (const e of f.events) if (e.type === "launched") expect(e.at < pause.at || e.at >= (pause as { until: number }).until).toBe(true);
  }, 10_000);

  it("frees the agent's slot when the agent ends, while its landing goes on; dependents wait for the result", async () => {
    const f = fleet({ parallel: 1 });
    const tasks = [{ id: "a" }, { id: "b" }, { id: "c", deps: ["a"] }];
    const run = f.scheduler.run(plan(tasks, { parallel: 1 }), async (id, ctx) => {
      await ctx.startGate();
      f.launches.push({ id, at: f.clock.now() });
      await f.clock.sleep(1000);
      ctx.agentEnded();
      await f.clock.sleep(5000); // merge, check, tick
      return { kind: "verified" };
    });
    await f.clock.runUntil(run);
    expect(f.launches).toEqual([
      { id: "a", at: 0 },
      { id: "b", at: 1000 }, // not 6000: a's landing holds no agent slot
      { id: "c", at: 6000 }, // after a verified (landed), and b's agent ended at 2 s
    ]);
  }, 10_000);

  it("spaces launches (not slot grants) by the stagger, and never runs more agents than the limit after a cut", async () => {
    const f = fleet({ parallel: 3, staggerMs: 5000 });
    let agents = 0;
    let peakAfterCut = 0;
    let cut = false;
    const run = f.scheduler.run(plan(["a", "b", "c", "d"].map((id) => ({ id })), { parallel: 3 }), async (id, ctx) => {
      await f.clock.sleep(500);
      await ctx.startGate();
      f.launches.push({ id, at: f.clock.now() });
      agents++;
      if (cut) peakAfterCut = Math.max(peakAfterCut, agents);
      await f.clock.sleep(id === "a" && ctx.attempt === 1 ? 12_000 : 60_000); // a's limit hits with 3 agents running
      agents--;
      if (id === "a" && ctx.attempt === 1) {
        cut = true;
        return { kind: "rate-limited", retryAfterMs: 1000 };
      }
      return { kind: "verified" };
    });
    await f.clock.runUntil(run);
    expect(f.launches.slice(0, 3).map((l) => l.at)).toEqual([500, 5500, 10_500]);
    expect(f.events.filter((e) => e.type === "concurrency-changed").map((e) => (e as { to: number }).to)[0]).toBe(2);
    expect(peakAfterCut).toBeLessThanOrEqual(2);
  }, 10_000);

  /** Four one-minute agents, each launched as soon as the gate lets it. */
  async function launchFour(f: ReturnType<typeof fleet>): Promise<void> {
    const run = f.scheduler.run(plan(["a", "b", "c", "d"].map((id) => ({ id })), { parallel: 4 }), async (id, ctx) => {
      await ctx.startGate();
      f.launches.push({ id, at: f.clock.now() });
      await f.clock.sleep(60_000);
      return { kind: "verified" };
    });
    await f.clock.runUntil(run);
  }

  it("slow start: one agent at first, one more per launch that ran clean for the probe time", async () => {
    const f = fleet({ parallel: 4, slowStart: true });
    await launchFour(f);
    // probe = max(5 s, stagger 0) = 5 s: each launch that ran 5 s clean adds one more.
    expect(f.launches.map((l) => l.at)).toEqual([0, 5000, 10_000, 15_000]);
  }, 10_000);

  it("slow start keeps pace with a stagger of 5 s or more: no launch later than the stagger alone would make it", async () => {
    const f = fleet({ parallel: 4, staggerMs: 6000, slowStart: true });
    await launchFour(f);
    // probe = max(5 s, stagger 6 s): each launch ran one stagger clean when the next one's turn comes.
    expect(f.launches.map((l) => l.at)).toEqual([0, 6000, 12_000, 18_000]);
    expect(f.events.filter((e) => e.type === "concurrency-changed").map((e) => (e as { to: number }).to)).toEqual([2, 3, 4]);
  }, 10_000);

  it("startGate resolves false when the run stops, and an attempt that never launched stays pending", async () => {
    const f = fleet({ parallel: 2 });
    const run = f.scheduler.run(plan([{ id: "a" }, { id: "b" }], { parallel: 2 }), async (id, ctx) => {
      if (id === "a") {
        await ctx.startGate();
        await f.clock.sleep(1000);
        return { kind: "rate-limited", retryAfterMs: 60_000 };
      }
      await f.clock.sleep(2000);
      f.scheduler.stop();
      return (await ctx.startGate()) ? { kind: "verified" } : { kind: "again" };
    });
    const summary = await f.clock.runUntil(run);
    expect(summary.tasks.find((t) => t.id === "b")).toMatchObject({ state: "pending", iterations: 0 });
  }, 10_000);
});

describe("quota signals", () => {
  /** a warns at launch and runs `aRunsMs` (x takes its slot after); b and c end together at 92 s: the next two launches. */
  async function warnedLaunches(aRunsMs: number) {
    const f = fleet({ parallel: 3, staggerMs: 1000 });
    const agentMs: Record<string, number> = { a: aRunsMs, b: 90_000, c: 88_000, x: 200_000, d: 1000, e: 1000 };
    const run = f.scheduler.run(plan(Object.keys(agentMs).map((id) => ({ id })), { parallel: 3 }), async (id, ctx) => {
      await ctx.startGate();
      f.launches.push({ id, at: f.clock.now() });
      if (id === "a") f.scheduler.quota({ provider: "claude", status: "warning", usedPercent: 60, taskId: "a" });
      await f.clock.sleep(agentMs[id]!);
      return { kind: "verified" };
    });
    await f.clock.runUntil(run);
    return f.launches.filter((l) => l.at >= 90_000).slice(0, 2).map((l) => l.at);
  }

  it("a warning holds (launches twice the stagger apart) while its agent runs, past the minute, and ends with it", async () => {
    expect(await warnedLaunches(120_000)).toEqual([92_000, 94_000]); // a still runs and still warns at 92 s
    expect(await warnedLaunches(80_000)).toEqual([92_000, 93_000]); // a ended at 80 s: the plain stagger again
  }, 10_000);

  it("a rejected quota pauses every launch until the exact reset (no cut: the window is spent); the quota event is reported", async () => {
    const f = fleet({ parallel: 2 });
    const run = f.scheduler.run(plan([{ id: "a" }, { id: "b" }], { parallel: 2 }), async (id, ctx) => {
      if (id === "b") await f.clock.sleep(2000);
      else f.scheduler.quota({ provider: "claude", status: "rejected", usedPercent: 100, resetAt: 30_000, taskId: "a" });
      await ctx.startGate();
      f.launches.push({ id, at: f.clock.now() });
      return { kind: "verified" };
    });
    await f.clock.runUntil(run);
    expect(f.launches).toEqual([{ id: "a", at: 30_000 }, { id: "b", at: 30_000 }]);
    expect(f.events.find((e) => e.type === "quota")).toMatchObject({ provider: "claude", status: "rejected", resetAt: 30_000 });
  }, 10_000);
});
