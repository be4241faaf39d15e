import { getEventListeners } from "node:events";
import { describe, expect, it } from "vitest";
import { realClock } from "../src/index.js";
import { FakeClock } from "../src/testing.js";
import { StartGate, Wakeup } from "../src/gate.js";

/** Lets pending promise callbacks run, without timers. */
const ticks = async (n = 5) => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};

describe("realClock", () => {
  it("resolves a sleep of 0 ms at once, without waiting for a timer", async () => {
    let done = false;
    void realClock.sleep(0).then(() => (done = true));
    await ticks();
    expect(done).toBe(true);
  });

  it("leaves no abort listener behind once a sleep ends", async () => {
    const controller = new AbortController();
    await realClock.sleep(1, controller.signal);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });
});

describe("FakeClock", () => {
  it("leaves no abort listener behind, whether the sleep ends or is aborted", async () => {
    const clock = new FakeClock();
    const ended = new AbortController();
    const sleep = clock.sleep(10, ended.signal);
    await clock.advance(10);
    await sleep;
    expect(getEventListeners(ended.signal, "abort")).toHaveLength(0);

    const aborted = new AbortController();
    const cut = clock.sleep(10, aborted.signal);
    aborted.abort();
    await cut;
    expect(getEventListeners(aborted.signal, "abort")).toHaveLength(0);
    expect(clock.pendingTimers).toBe(0);
  });

  it("runUntil waits out promise callbacks that take several event-loop turns, with no timer pending", async () => {
    const clock = new FakeClock();
    const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
    // Settles after two turns: not a deadlock, though no timer is ever pending.
    await expect(clock.runUntil(turn().then(turn).then(() => "late"))).resolves.toBe("late");
    // Sets a timer only after two turns: runUntil must see it and fire it rather than give up.
    const later = (async () => {
      await turn();
      await turn();
      await clock.sleep(10);
      return clock.now();
    })();
    await expect(clock.runUntil(later)).resolves.toBe(10);
  });
});

describe("Wakeup", () => {
  it("does not wait on a signal that is already aborted, and leaves no listener after a poke", async () => {
    const wakeup = new Wakeup();
    const aborted = new AbortController();
    aborted.abort();
    let done = false;
    void wakeup.wait(aborted.signal).then(() => (done = true));
    await ticks();
    expect(done).toBe(true);

    const live = new AbortController();
    const waiting = wakeup.wait(live.signal);
    wakeup.poke();
    await waiting;
    expect(getEventListeners(live.signal, "abort")).toHaveLength(0);

    // An abort wakes a waiter without any poke.
    const stopping = new AbortController();
    let woke = false;
    void wakeup.wait(stopping.signal).then(() => (woke = true));
    stopping.abort();
    await ticks();
    expect(woke).toBe(true);
  });
});

describe("StartGate", () => {
  const gate = () => {
    const clock = new FakeClock(1000);
    const changed = new Wakeup();
    return { clock, changed, gate: new StartGate(clock, () => 0, changed) };
  };

  it("never shortens a pause, and says whether the pause moved", () => {
    const { gate: g } = gate();
    expect(g.pauseUntil(5000)).toBe(true);
    expect(g.pauseUntil(5000)).toBe(false);
    expect(g.pauseUntil(3000)).toBe(false);
    expect(g.pausedUntil()).toBe(5000);
    expect(g.pauseUntil(6000)).toBe(true);
    expect(g.pausedUntil()).toBe(6000);
  });

  it("does not start when the signal has already aborted, nor ask whether it may", async () => {
    const { gate: g } = gate();
    const controller = new AbortController();
    controller.abort();
    let asked = 0;
    await expect(g.pass(() => (asked++, "start"), controller.signal)).resolves.toBe(false);
    expect(asked).toBe(0);
  });

  it("gives up when told to", async () => {
    const { gate: g } = gate();
    await expect(g.pass(() => "give-up", new AbortController().signal)).resolves.toBe(false);
  });

  it("on wait, asks again only after a wakeup, then starts", async () => {
    const { gate: g, changed } = gate();
    const answers: ("wait" | "start")[] = ["wait", "start"];
    let asked = 0;
    let started: boolean | undefined;
    void g.pass(() => answers[asked++]!, new AbortController().signal).then((s) => (started = s));
    await ticks(10);
    expect(asked).toBe(1);
    expect(started).toBeUndefined();
    changed.poke();
    await ticks(10);
    expect(asked).toBe(2);
    expect(started).toBe(true);
  });
});
