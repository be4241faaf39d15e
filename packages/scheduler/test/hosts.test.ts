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
});
