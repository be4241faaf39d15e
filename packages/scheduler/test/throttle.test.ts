import { describe, expect, it } from "vitest";
import { FakeClock } from "../src/clock.js";
import { StartGate } from "../src/gate.js";
import { Throttle } from "../src/throttle.js";
import type { SchedulerEvent } from "../src/types.js";

function setup(parallel: number, increaseAfter: number) {
  const clock = new FakeClock();
  const events: SchedulerEvent[] = [];
  let concurrency = parallel;
  const throttle = new Throttle({
    clock,
    random: () => 0,
    gate: new StartGate(clock, 0),
    parallel,
    increaseAfter,
    backoff: { baseMs: 1000, capMs: 1000 },
    longPauseMs: 3600_000,
    emit: (e) => events.push(e),
    concurrency: { get: () => concurrency, set: (v) => (concurrency = v) },
  });
  /** A limit signal in a fresh pause window, after a new start. */
  const limitHit = async () => {
    await clock.advance(5000);
    throttle.onStart();
    throttle.onLimit({ limit: "rate-limited", taskId: "t", retryAfterMs: 1000 });
  };
  /** `n` iterations started at the current level and finished cleanly. */
  const clean = async (n: number) => {
    for (let i = 0; i < n; i++) {
      await clock.advance(1);
      const startedAt = clock.now();
      throttle.onStart();
      await clock.advance(1);
      throttle.onClean(startedAt);
    }
  };
  return { throttle, clock, limitHit, clean, level: () => concurrency, events };
}

describe("Throttle", () => {
  it("halves at first, then never cuts below a level proven safe, and waits longer after each failed probe", async () => {
    const t = setup(8, 1);
    await t.limitHit();
    expect(t.level()).toBe(4);
    await t.clean(1);
    expect(t.level()).toBe(5); // 4 proven safe
    await t.limitHit();
    expect(t.level()).toBe(4); // not 2: the probe of 5 failed, 4 is still safe
    await t.clean(1);
    expect(t.level()).toBe(4); // the next probe needs 2 clean completions
    await t.clean(1);
    expect(t.level()).toBe(5);
    await t.limitHit();
    await t.clean(3);
    expect(t.level()).toBe(4); // ...and then 4
    await t.clean(1);
    expect(t.level()).toBe(5);
  });

  it("forgets the safe level and halves when a limit hits at or below it (the provider's capacity shrank)", async () => {
    const t = setup(8, 1);
    await t.limitHit(); // 8 -> 4
    await t.clean(1); // 4 safe, now 5
    await t.limitHit(); // back to 4
    await t.limitHit(); // at the safe level itself
    expect(t.level()).toBe(2);
  });

  it("does not cut again for signals that arrive before anything new has started", async () => {
    const t = setup(8, 2);
    await t.limitHit();
    expect(t.level()).toBe(4);
    await t.clock.advance(5000); // a new window, but nothing started since the cut
    t.throttle.onLimit({ limit: "rate-limited", taskId: "late", retryAfterMs: 1000 });
    expect(t.level()).toBe(4);
    expect(t.events.filter((e) => e.type === "paused-until")).toHaveLength(2);
  });

  it("counts only completions of attempts started at the current level", async () => {
    const t = setup(4, 1);
    const before = t.clock.now();
    await t.limitHit(); // 4 -> 2
    t.throttle.onClean(before);
    expect(t.level()).toBe(2);
    await t.clean(1);
    expect(t.level()).toBe(3);
  });
});
