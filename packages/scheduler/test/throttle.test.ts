import { describe, expect, it } from "vitest";
import { StartGate, Wakeup } from "../src/gate.js";
import { Throttle } from "../src/throttle.js";
import { FakeClock } from "../src/testing.js";
import type { SchedulerEvent } from "../src/types.js";

function setup(parallel: number, increaseAfter: number, options: { slowStart?: boolean; random?: number } = {}) {
  const clock = new FakeClock();
  const events: SchedulerEvent[] = [];
  let throttle!: Throttle;
  const gate = new StartGate(clock, () => throttle.gap(), new Wakeup());
  throttle = new Throttle({
    clock,
    random: () => options.random ?? 0,
    gate,
    parallel,
    staggerMs: 3000,
    increaseAfter,
    backoff: { baseMs: 1000, capMs: 1000 },
    longPauseMs: 3600_000,
    slowStart: options.slowStart ?? false,
    probeMs: 10_000,
    emit: (e) => events.push(e),
    changed: () => {},
  });
  /** A limit signal in a fresh pause window, after a new launch, with `load` agents running. */
  const limitHit = async (load = throttle.level) => {
    await clock.advance(5000);
    throttle.onLaunch();
    return throttle.onLimit({ limit: "rate-limited", taskId: "t", retryAfterMs: 1000 }, load);
  };
  /** `n` iterations launched at the current level and finished cleanly. */
  const clean = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await clock.advance(1);
      const launchedAt = clock.now();
      throttle.onLaunch();
      await clock.advance(1);
      throttle.onClean(launchedAt);
    }
  };
  return { throttle, gate, clock, limitHit, clean, level: () => throttle.level, events };
}

describe("Throttle", () => {
  it("cuts to 85 % of the load, then never below a level proven safe, and waits 4 x longer after each failed probe", async () => {
    const t = setup(8, 1);
    await t.limitHit();
    expect(t.level()).toBe(6); // not 4: 8 x 0.85
    await t.clean(1);
    expect(t.level()).toBe(7); // 6 proven safe (7 never failed: one completion is enough)
    await t.limitHit();
    expect(t.level()).toBe(6); // the probe of 7 failed, 6 is still safe
    await t.clean(3);
    expect(t.level()).toBe(6); // the next probe of 7 needs 4 clean completions
    await t.clean(1);
    expect(t.level()).toBe(7);
    await t.limitHit();
    await t.clean(15);
    expect(t.level()).toBe(6); // failed twice: 16
    await t.clean(1);
    expect(t.level()).toBe(7);
  }, 10_000);

  it("cuts from the load the signal came at, not from an unused limit", async () => {
    const t = setup(8, 1);
    await t.limitHit(4);
    expect(t.level()).toBe(3);
  }, 10_000);

  it("forgets the safe level when a limit hits at or below it (the provider's capacity shrank)", async () => {
    const t = setup(8, 1);
    await t.limitHit(); // 8 -> 6
    await t.clean(1); // 6 safe, now 7
    await t.limitHit(); // back to 6
    await t.limitHit(); // at the safe level itself
    expect(t.level()).toBe(5);
  }, 10_000);

  it("does not cut again for signals that arrive before anything new has launched", async () => {
    const t = setup(8, 2);
    await t.limitHit();
    expect(t.level()).toBe(6);
    await t.clock.advance(5000); // a new window, but nothing launched since the cut
    t.throttle.onLimit({ limit: "rate-limited", taskId: "late", retryAfterMs: 1000 }, 8);
    expect(t.level()).toBe(6);
    expect(t.events.filter((e) => e.type === "paused-until")).toHaveLength(2);
  }, 10_000);

  it("counts only completions of attempts launched at the current level", async () => {
    const t = setup(4, 1);
    const before = t.clock.now();
    await t.limitHit(); // 4 -> 3; 4 failed once: 4 completions before probing it again
    for (let i = 0; i < 4; i++) t.throttle.onClean(before);
    expect(t.level()).toBe(3);
    await t.clean(4);
    expect(t.level()).toBe(4);
  }, 10_000);

  it("drains a burst one cut per signal at a load the limit allows, with no launch in between", async () => {
    const t = setup(8, 1);
    await t.limitHit(8); // 8 -> 6
    const late = (load: number) => t.throttle.onLimit({ limit: "rate-limited", taskId: "late", retryAfterMs: 1000, launchedAt: 0 }, load);
    late(7);
    expect(t.level()).toBe(6); // above the limit: already excluded
    late(6);
    expect(t.level()).toBe(5); // 6 agents, as the limit allows, still too many
    late(5);
    expect(t.level()).toBe(4);
  }, 10_000);

  it("an echo at the safe level right after a cut neither cuts nor forgets the safe level", async () => {
    const t = setup(8, 1);
    await t.limitHit(); // 8 -> 6
    await t.clean(1); // 6 safe, now 7
    await t.limitHit(); // the probe of 7 failed: back to 6
    t.throttle.onLimit({ limit: "rate-limited", taskId: "echo", retryAfterMs: 1000 }, 6); // nothing launched since
    expect(t.level()).toBe(6);
    await t.limitHit(6); // after a launch it is news: the capacity shrank
    expect(t.level()).toBe(5);
  }, 10_000);

  it("pauses for the provider's own Retry-After (+ up to 20 %), and backs off exponentially only when signals repeat", async () => {
    const t = setup(8, 1, { random: 0.5 });
    const first = await t.limitHit();
    expect(first.until - t.clock.now()).toBe(1100); // 1 s said, 10 % jitter: not a 15 s backoff
    await t.clock.advance(2000);
    t.throttle.onLaunch();
    const again = t.throttle.onLimit({ limit: "rate-limited", taskId: "t", retryAfterMs: 200 }, 6);
    expect(again.until - t.clock.now()).toBe(500); // a repeat: full-jitter backoff, 0.5 x min(cap 1 s, 2 s), not under Retry-After
  }, 10_000);

  it("a signal from an agent launched before the last reaction pauses for its Retry-After and does not escalate the backoff", async () => {
    const t = setup(8, 1, { random: 0.5 });
    const launchedAt = t.clock.now();
    await t.limitHit();
    await t.clock.advance(2000); // the window closed
    const old = t.throttle.onLimit({ limit: "rate-limited", taskId: "old", retryAfterMs: 200, launchedAt }, 6);
    expect(old.until - t.clock.now()).toBe(220); // Retry-After + 10 %, not a backoff
    await t.clock.advance(1000);
    const fresh = t.throttle.onLimit({ limit: "rate-limited", taskId: "new", retryAfterMs: 200, launchedAt: t.clock.now() - 500 }, 6);
    expect(fresh.until - t.clock.now()).toBe(500); // launched after the reaction: the second step of the backoff
  }, 10_000);

  it("slow start: one agent, one more per launch that stays clean, and it ends at the first signal", async () => {
    const t = setup(8, 1, { slowStart: true });
    expect(t.level()).toBe(1);
    t.throttle.onCleanLaunch(t.clock.now());
    t.throttle.onCleanLaunch(t.clock.now());
    expect(t.level()).toBe(3);
    const launchedAt = t.clock.now();
    await t.limitHit(3);
    t.throttle.onCleanLaunch(launchedAt); // a signal came after that launch: not clean
    expect(t.level()).toBe(2);
    t.throttle.onCleanLaunch(t.clock.now());
    expect(t.level()).toBe(2); // slow start is over: growth comes from clean completions now
  }, 10_000);

  it("a quota warning stops growth and spaces launches out; ok lifts it; rejected pauses until the exact reset", async () => {
    const t = setup(8, 1, { slowStart: true });
    t.throttle.onQuota({ provider: "claude", status: "warning", usedPercent: 80 }, 1);
    expect(t.throttle.gap()).toBe(6000);
    t.throttle.onCleanLaunch(t.clock.now());
    await t.clean(3);
    expect(t.level()).toBe(1);
    t.throttle.onQuota({ provider: "claude", status: "ok" }, 1);
    expect(t.throttle.gap()).toBe(3000);
    await t.clean(1);
    expect(t.level()).toBe(2);
    const resetAt = t.clock.now() + 42_000;
    const pause = t.throttle.onQuota({ provider: "claude", status: "rejected", resetAt }, 2);
    expect(pause?.until).toBe(resetAt);
    expect(t.gate.pausedUntil()).toBe(resetAt);
  }, 10_000);

  it("an agent's warning holds while it runs, past the minute, until it says ok or ends", async () => {
    const t = setup(8, 1);
    await t.limitHit(); // 8 -> 6
    t.throttle.onQuota({ provider: "claude", status: "warning", usedPercent: 60, taskId: "a" }, 6);
    t.throttle.onQuota({ provider: "claude", status: "warning", usedPercent: 70, taskId: "b" }, 6);
    await t.clock.advance(120_000); // the minute is over, but a and b still run and said nothing since
    await t.clean(2);
    expect(t.level()).toBe(6);
    expect(t.throttle.gap()).toBe(6000);
    t.throttle.onQuota({ provider: "claude", status: "ok", taskId: "a" }, 6);
    await t.clean(1);
    expect(t.level()).toBe(6); // b still warns
    t.throttle.onAgentEnded("b");
    expect(t.throttle.gap()).toBe(3000);
    await t.clean(1);
    expect(t.level()).toBe(7);
  }, 10_000);
});
