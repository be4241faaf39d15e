import { describe, expect, it } from "vitest";
import { FakeClock } from "../src/testing.js";
import { createScheduler, type IterationContext, type IterationResult, type SchedulerEvent, type SchedulerTask } from "../src/index.js";

/** A scheduler over hosts on a fake clock; `decide` says how each iteration ends (default: 60 s, verified). */
async function runOnHosts(
  hosts: { name: string; slots: number }[],
  tasks: SchedulerTask[],
  options: { parallel?: number; staggerMs?: number; decide?: (id: string, ctx: IterationContext) => IterationResult } = {},
) {
  const clock = new FakeClock(0);
  const events: SchedulerEvent[] = [];
  const calls: { id: string; host?: string; at: number }[] = [];
  const perHost = new Map<string, number>();
  const peak = new Map<string, number>();
  let running = 0;
  let peakTotal = 0;
  const scheduler = createScheduler({ slowStart: false, parallel: options.parallel ?? 99, staggerMs: options.staggerMs ?? 0, clock, hosts, onEvent: (e) => events.push(e) });
  const summary = await clock.runUntil(
    scheduler.run(scheduler.plan(tasks), async (id, ctx) => {
      calls.push({ id, ...(ctx.host === undefined ? {} : { host: ctx.host }), at: clock.now() });
      const host = ctx.host ?? "?";
      perHost.set(host, (perHost.get(host) ?? 0) + 1);
      peak.set(host, Math.max(peak.get(host) ?? 0, perHost.get(host)!));
      peakTotal = Math.max(peakTotal, ++running);
      await clock.sleep(60_000);
      perHost.set(host, perHost.get(host)! - 1);
      running--;
      return options.decide?.(id, ctx) ?? { kind: "verified" };
    }),
  );
  return { summary, events, calls, peak, peakTotal };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `t${i + 1}` }));

describe("hosts", () => {
  it("caps each host at its slots and the fleet at the sum, spreading starts by room", async () => {
    const { summary, calls, peak, peakTotal } = await runOnHosts([{ name: "local", slots: 2 }, { name: "h1", slots: 1 }], ids(6));
    expect(summary.counts.verified).toBe(6);
    expect(peak.get("local")).toBe(2);
    expect(peak.get("h1")).toBe(1);
    expect(peakTotal).toBe(3);
    expect(calls.slice(0, 3).map((c) => c.host).sort()).toEqual(["h1", "local", "local"]);
  }, 10_000);

  it("parallel stays the total across hosts", async () => {
    const { peakTotal } = await runOnHosts([{ name: "local", slots: 4 }, { name: "h1", slots: 4 }], ids(8), { parallel: 5 });
    expect(peakTotal).toBe(5);
  }, 10_000);

  it("the stagger is fleet-wide: starts on different hosts are spaced too", async () => {
    const { calls } = await runOnHosts([{ name: "local", slots: 2 }, { name: "h1", slots: 2 }], ids(4), { staggerMs: 5000 });
    expect(calls.map((c) => c.at)).toEqual([0, 5000, 10_000, 15_000]);
    expect(new Set(calls.map((c) => c.host))).toEqual(new Set(["local", "h1"]));
  }, 10_000);

  it("a lost host gets no more work and its task runs again elsewhere without spending an iteration", async () => {
    const { summary, calls, events } = await runOnHosts([{ name: "local", slots: 1 }, { name: "h1", slots: 1 }], ids(3), {
      decide: (_id, ctx) => (ctx.host === "h1" ? { kind: "host-lost", host: "h1", reason: "h1 stopped answering" } : { kind: "verified" }),
    });
    expect(summary.counts.verified).toBe(3);
    const lost = calls.find((c) => c.host === "h1")!;
    expect(calls.filter((c) => c.host === "h1")).toHaveLength(1);
    expect(calls.filter((c) => c.id === lost.id).map((c) => c.host)).toEqual(["h1", "local"]);
    expect(summary.tasks.find((t) => t.id === lost.id)?.iterations).toBe(1);
    expect(events.filter((e) => e.type === "host-down")).toEqual([expect.objectContaining({ host: "h1", taskId: lost.id })]);
  }, 10_000);

  it("stops (tasks pending, resumable) once every host is lost", async () => {
    const { summary } = await runOnHosts([{ name: "h1", slots: 1 }], ids(2), {
      decide: () => ({ kind: "host-lost", host: "h1" }),
    });
    expect(summary.stopped?.reason).toBe("no-hosts");
    expect(summary.counts.pending).toBe(2);
    expect(summary.tasks[0]?.reason).toMatch(/every host stopped answering/);
  }, 10_000);

  it("a re-attached iteration stays on the host it runs on", async () => {
    const { calls } = await runOnHosts([{ name: "local", slots: 1 }, { name: "h1", slots: 1 }], [{ id: "old", attached: true, host: "h1" }, { id: "new" }]);
    expect(calls.find((c) => c.id === "old")?.host).toBe("h1");
    expect(calls.find((c) => c.id === "new")?.host).toBe("local");
  }, 10_000);

  it("places each start on the host with the most room relative to its slots, the earlier host on a tie", async () => {
    const { calls } = await runOnHosts([{ name: "a", slots: 2 }, { name: "b", slots: 4 }], ids(6));
    // a 0/2 = b 0/4: a; then b (0 < 1/2); b (1/4 < 1/2); a (1/2 = 2/4, tie); a is full: b, b.
    expect(calls.map((c) => c.host)).toEqual(["a", "b", "b", "a", "b", "b"]);
  }, 10_000);

  it("a lost host listed first gets no more work, is reported down once, and its tasks go to the front of the queue", async () => {
    const { summary, calls, events } = await runOnHosts([{ name: "h1", slots: 2 }, { name: "local", slots: 1 }], ids(4), {
      parallel: 3,
      decide: (_id, ctx) => (ctx.host === "h1" ? { kind: "host-lost", host: "h1" } : { kind: "verified" }),
    });
    expect(summary.counts.verified).toBe(4);
    // t1 and t3 ran on h1 and were lost together; after that only local runs, the lost tasks (each put in front) before t4.
    expect(calls.map((c) => [c.id, c.host])).toEqual([
      ["t1", "h1"], ["t2", "local"], ["t3", "h1"], ["t3", "local"], ["t1", "local"], ["t4", "local"],
    ]);
    // The second loss of the same host is no news.
    expect(events.filter((e) => e.type === "host-down")).toEqual([{ type: "host-down", at: 60_000, host: "h1", taskId: "t1" }]);
  }, 10_000);

  it("a host-down event carries the reason given, and no reason key when none was", async () => {
    const { events } = await runOnHosts([{ name: "h1", slots: 1 }, { name: "h2", slots: 1 }, { name: "local", slots: 1 }], ids(3), {
      decide: (_id, ctx) => (ctx.host === "h1" ? { kind: "host-lost", host: "h1", reason: "ssh: connection refused" } : ctx.host === "h2" ? { kind: "host-lost", host: "h2" } : { kind: "verified" }),
    });
    const down = events.filter((e) => e.type === "host-down");
    expect(down).toHaveLength(2);
    expect(down.find((e) => e.host === "h1")).toStrictEqual({ type: "host-down", at: 60_000, host: "h1", taskId: "t1", reason: "ssh: connection refused" });
    expect(Object.keys(down.find((e) => e.host === "h2")!)).not.toContain("reason");
  }, 10_000);

  it("rejects hosts without distinct non-empty names, or with slots that are not a whole number from 1 up, showing what it received", () => {
    const make = (hosts: unknown) => () => createScheduler({ parallel: 2, hosts: hosts as { name: string; slots: number }[] });
    const names = /^hosts must have distinct non-empty names, e\.g\. \[\{ name: "local", slots: 4 \}, \{ name: "build1", slots: 4 \}\]; received /;
    expect(make([{ name: "", slots: 1 }])).toThrow(new RegExp(`${names.source}""$`));
    expect(make([{ name: 7, slots: 1 }])).toThrow(new RegExp(`${names.source}7$`));
    expect(make([{ name: "b1", slots: 1 }, { name: "b1", slots: 2 }])).toThrow(new RegExp(`${names.source}"b1"$`));
    expect(make([{ name: "", slots: 1 }])).toThrow(RangeError);
    for (const slots of [0, -1, 1.5]) {
      expect(make([{ name: "b1", slots }])).toThrow(`host b1: slots must be a whole number from 1 up, e.g. 4; received ${slots}`);
    }
    expect(make([{ name: "a", slots: 1 }, { name: "b", slots: 3 }])).not.toThrow();
  });
});
