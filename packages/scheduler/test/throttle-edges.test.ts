// Throttle edge cases at exact boundaries: the long-pause threshold, the end of a quota warning,
// provider reset times that have passed, and how signals inside a pause window back off.
import { describe, expect, it } from "vitest";
import { StartGate, Wakeup } from "../src/gate.js";
import { Throttle } from "../src/throttle.js";
import { FakeClock } from "../src/testing.js";
import type { SchedulerEvent } from "../src/types.js";

function setup(parallel: number, options: { slowStart?: boolean } = {}) {
  const clock = new FakeClock(100_000);
  const events: SchedulerEvent[] = [];
  let throttle!: Throttle;
  const gate = new StartGate(clock, () => throttle.gap(), new Wakeup());
  throttle = new Throttle({
    clock,
    random: () => 0.5,
    gate,
    parallel,
    staggerMs: 3000,
    increaseAfter: 1,
    backoff: { baseMs: 1000, capMs: 1_000_000 },
    longPauseMs: 60_000,
    slowStart: options.slowStart ?? false,
    probeMs: 10_000,
    emit: (e) => events.push(e),
    changed: () => {},
  });
  const limit = (extra: { launchedAt?: number; resetAt?: number } = {}) =>
    throttle.onLimit({ limit: "rate-limited", taskId: "t", ...extra }, 1);
  return { throttle, clock, events, limit, now: () => clock.now() };
}

describe("Throttle boundaries", () => {
  it("calls a pause exactly at the threshold short", () => {
    const t = setup(1);
    expect(t.limit({ resetAt: t.now() + 60_000 }).long).toBe(false);
  });

  it("spaces launches out until exactly a minute after the last warning", async () => {
    const t = setup(2);
    t.throttle.onQuota({ provider: "p", status: "warning" }, 1);
    expect(t.throttle.gap()).toBe(6000);
    await t.clock.advance(60_000);
    expect(t.throttle.gap()).toBe(3000);
  });

  it("backs off as usual when the provider's reset time is now or past", () => {
    const t = setup(1);
    // random 0.5 x base 1 s: a reset time that has come adds nothing.
    expect(t.limit({ resetAt: t.now() }).until - t.now()).toBe(500);
  });

  it("cuts concurrency for a rejected quota without a reset time, but emits no change when the level stays", () => {
    const t = setup(4);
    t.throttle.onLaunch();
    t.throttle.onQuota({ provider: "p", status: "rejected" }, 4);
    expect(t.throttle.level).toBe(3);
    const one = setup(1);
    one.limit();
    expect(one.events.filter((e) => e.type === "concurrency-changed")).toEqual([]);
  });

  it("backs off a signal inside a pause window at that window's level, without escalating", async () => {
    const t = setup(1);
    const after = async (ms: number) => t.clock.advance(ms);
    expect(t.limit().until - t.now()).toBe(500); // level 0: 0.5 x 1 s
    await after(1000);
    expect(t.limit().until - t.now()).toBe(1000); // new window, level 1
    // Inside that window (it ends 1 s after it opened), by agents launched at or after its opening:
    // each backs off at level 1, so 100 ms in it asks for 1.1 s from the opening and extends the pause
    // (level 0 would ask 0.6 s and leave it), and nothing escalates.
    const opened = t.now();
    await after(100);
    t.events.length = 0;
    t.limit({ launchedAt: opened });
    await after(100);
    t.limit({ launchedAt: t.now() });
    expect(t.events.filter((e) => e.type === "paused-until").map((e) => e.until - opened)).toEqual([1100, 1200]);
    await after(2000);
    expect(t.limit().until - t.now()).toBe(2000); // next window, level 2
  });

  it("after slow start ends without a cut, a limit at a level proven safe cuts back (no launch needed)", () => {
    const t = setup(3, { slowStart: true });
    // A rejected quota with a reset time pauses without cutting; slow start ends at level 1.
    t.throttle.onQuota({ provider: "p", status: "rejected", resetAt: t.now() + 1000 }, 1);
    t.throttle.onClean(t.now());
    expect(t.throttle.level).toBe(2);
    t.limit();
    expect(t.throttle.level).toBe(1);
  });
});
