import { describe, expect, it } from "vitest";
import { CycleError, formatPlan, plan } from "../src/index.js";

const settings = { parallel: 2, staggerMs: 1000, maxIterations: 3, assumedIterationMs: 60_000 };

describe("plan details", () => {
  it("names the option that is wrong", () => {
    expect(() => plan([], { ...settings, parallel: 0 })).toThrow(/^parallel must be a whole number/);
    expect(() => plan([], { ...settings, staggerMs: -1 })).toThrow(/^staggerMs must be a number of milliseconds/);
    expect(() => plan([], { ...settings, maxIterations: 1.5 })).toThrow(/^maxIterations must be a whole number/);
  });

  it("reports only the loop of a cycle, not the path that led into it", () => {
    const error = (() => {
      try {
        plan([{ id: "a", deps: ["b"] }, { id: "b", deps: ["c"] }, { id: "c", deps: ["b"] }], settings);
      } catch (e) {
        return e as CycleError;
      }
      throw new Error("expected a CycleError");
    })();
    expect(error.cycle).toEqual(["b", "c", "b"]);
  });

  it("plans a long chain of shared dependencies in linear time", () => {
    // Each task depends on the two before it: without memoising, planning would take ~2^n steps.
    const chain = Array.from({ length: 80 }, (_, i) => ({ id: `t${i}`, deps: i < 2 ? [] : [`t${i - 1}`, `t${i - 2}`] }));
    const p = plan(chain, settings);
    expect(p.waves).toHaveLength(79);
  });

  it("skips everything downstream of a task that cannot run, naming its first blocked dependency", () => {
    const p = plan(
      [
        { id: "x", iterationsUsed: 3 },
        { id: "y", iterationsUsed: 3 },
        { id: "both", deps: ["x", "y"] },
        { id: "next", deps: ["both"] },
      ],
      settings,
    );
    const byId = Object.fromEntries(p.tasks.map((t) => [t.id, t]));
    expect(byId.both).toMatchObject({ status: "skipped", reason: "dependency x cannot be verified", wave: -1 });
    expect(byId.next).toMatchObject({ status: "skipped", reason: "dependency both cannot be verified", wave: -1 });
    expect(byId.x).toMatchObject({ status: "exhausted", wave: -1 });
  });

  it("never counts iterations against a group", () => {
    const p = plan([{ id: "a" }, { id: "g", kind: "group", deps: ["a"], iterationsUsed: 3 }], settings);
    expect(p.tasks.find((t) => t.id === "g")).toMatchObject({ status: "todo", wave: 1 });
  });

  it("keeps a host only for a re-attached iteration", () => {
    const p = plan(
      [
        { id: "free", host: "h1" },
        { id: "attached", attached: true, host: "h2" },
        { id: "attachedNoHost", attached: true },
      ],
      settings,
    );
    const byId = Object.fromEntries(p.tasks.map((t) => [t.id, t]));
    expect("host" in byId.free!).toBe(false);
    expect(byId.attached!.host).toBe("h2");
    expect("host" in byId.attachedNoHost!).toBe(false);
  });

  it("orders tasks of one wave by input order", () => {
    const p = plan([{ id: "c" }, { id: "a" }, { id: "d" }, { id: "b" }, { id: "e" }], settings);
    expect(p.tasks.map((t) => t.id)).toEqual(["c", "a", "d", "b", "e"]);
    expect(p.waves).toEqual([["c", "a", "d", "b", "e"]]);
  });

  it("projects dependents of done tasks as free to start", () => {
    const p = plan([{ id: "a", done: true }, { id: "b", deps: ["a"] }], settings);
    expect(p.tasks.find((t) => t.id === "b")!.projectedStartMs).toBe(0);
    expect(p.projectedMakespanMs).toBe(60_000);
  });

  it("projects a start held back by the stagger after every slot has emptied", () => {
    // a ends at 0.5 s, b may start only at 1 s: for half a second nothing runs and b waits in the queue.
    const p = plan([{ id: "a" }, { id: "b" }], { ...settings, staggerMs: 1000, assumedIterationMs: 500 });
    expect(p.tasks.map((t) => t.projectedStartMs)).toEqual([0, 1000]);
    expect(p.projectedMakespanMs).toBe(1500);
  });
});

describe("formatPlan text", () => {
  it("lists every dependency and every note of a task, and no done line when nothing is done", () => {
    const p = plan([{ id: "a" }, { id: "b" }, { id: "c", deps: ["a", "b"], iterationsUsed: 1 }], settings);
    expect(formatPlan(p)).toBe(
      [
        "3 tasks to run in 2 waves (parallel 2, stagger 1s, up to 3 iterations each)",
        "Projected start offsets assume every iteration takes 1m and verifies first time; projected end +2:01. Rate limits can only make it later.",
        "",
        "wave 1",
        "  +0:00     a",
        "  +0:01     b",
        "",
        "wave 2: after wave 1",
        "  +1:01     c  (after a, b; 1 of 3 iterations used)",
        "",
      ].join("\n"),
    );
  });
});
