import { describe, expect, it } from "vitest";
import { realClock } from "../src/index.js";
import { FakeClock } from "../src/testing.js";

describe("realClock", () => {
  it("sleeps the time asked, returns at once for 0 or an aborted signal, and wakes early on abort", async () => {
    expect(Math.abs(realClock.now() - Date.now())).toBeLessThan(50);
    let t = performance.now();
    await realClock.sleep(60);
    expect(performance.now() - t).toBeGreaterThanOrEqual(55);

    t = performance.now();
    await realClock.sleep(0);
    await realClock.sleep(-5);
    await realClock.sleep(60_000, AbortSignal.abort());
    expect(performance.now() - t).toBeLessThan(5000); // against the 60 s asked; a loaded machine may stall a second

    const controller = new AbortController();
    t = performance.now();
    setTimeout(() => controller.abort(), 20);
    await realClock.sleep(60_000, controller.signal);
    expect(performance.now() - t).toBeLessThan(5000);
  }, 30_000);
});

describe("FakeClock", () => {
  it("fires sleeps in due order (first come first for equal times) as time advances, and not before", async () => {
    const clock = new FakeClock(1000);
    const fired: string[] = [];
    const sleep = (name: string, ms: number) => void clock.sleep(ms).then(() => fired.push(`${name}@${clock.now()}`));
    sleep("late", 300);
    sleep("early", 100);
    sleep("tie-1", 200);
    sleep("tie-2", 200);
    expect(clock.pendingTimers).toBe(4);
    await clock.advance(99);
    expect(fired).toEqual([]);
    expect(clock.now()).toBe(1099);
    await clock.advance(101);
    expect(fired).toEqual(["early@1100", "tie-1@1200", "tie-2@1200"]);
    expect(clock.pendingTimers).toBe(1);
    await clock.advance(1000);
    expect(fired.at(-1)).toBe("late@1300");
    expect(clock.now()).toBe(2200);
    expect(clock.pendingTimers).toBe(0);
  }, 10_000);

  it("resolves at once for 0, negative or an aborted signal, and drops a sleep whose signal aborts", async () => {
    const clock = new FakeClock();
    await clock.sleep(0);
    await clock.sleep(-1);
    await clock.sleep(10, AbortSignal.abort());
    expect(clock.pendingTimers).toBe(0);
    const controller = new AbortController();
    const kept = clock.sleep(500);
    const dropped = clock.sleep(100, controller.signal);
    expect(clock.pendingTimers).toBe(2);
    controller.abort();
    await dropped;
    expect(clock.pendingTimers).toBe(1);
    expect(clock.now()).toBe(0);
    await clock.runUntil(kept);
    expect(clock.now()).toBe(500);
  }, 10_000);

  it("runUntil jumps from timer to timer, and rejects instead of hanging when nothing can happen", async () => {
    const clock = new FakeClock(0);
    const work = (async () => {
      await clock.sleep(1000);
      await clock.sleep(2000);
      return clock.now();
    })();
    expect(await clock.runUntil(work)).toBe(3000);
    await expect(clock.runUntil(new Promise(() => {}))).rejects.toThrow(/deadlock, nothing scheduled/);
    await expect(clock.runUntil(Promise.reject(new Error("boom")))).rejects.toThrow("boom");
  }, 10_000);
});
