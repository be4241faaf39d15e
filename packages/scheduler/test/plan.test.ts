import { describe, expect, it } from "vitest";
import { createScheduler, CycleError, formatPlan, PlanInputError } from "../src/index.js";

const scheduler = () => createScheduler({ parallel: 2, staggerMs: 5000, maxIterations: 3 });

describe("plan", () => {
  it("orders by dependency wave, then input order, and projects starts from parallel and stagger", () => {
    const plan = scheduler().plan(
      [{ id: "b", deps: ["a"] }, { id: "a" }, { id: "c" }, { id: "d", deps: ["b", "c"] }],
      { assumedIterationMs: 60_000 },
    );
    expect(plan.waves).toEqual([["a", "c"], ["b"], ["d"]]);
    expect(plan.tasks.map((t) => [t.id, t.wave, t.projectedStartMs])).toEqual([
      ["a", 0, 0],
      ["c", 0, 5000],
      ["b", 1, 60_000],
      ["d", 2, 120_000],
    ]);
    expect(plan.projectedMakespanMs).toBe(180_000);
  });

  it("throws a CycleError naming the cycle before anything starts", () => {
    const s = scheduler();
    let error: unknown;
    try {
      s.plan([{ id: "x" }, { id: "a", deps: ["b"] }, { id: "b", deps: ["c"] }, { id: "c", deps: ["a"] }]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CycleError);
    expect((error as CycleError).cycle).toEqual(["a", "b", "c", "a"]);
    expect((error as Error).message).toMatch(/^dependency cycle: a -> b -> c -> a\. /);
    expect(() => s.plan([{ id: "a", deps: ["a"] }])).toThrow("dependency cycle: a -> a.");
  });

  it("rejects unknown dependencies and duplicate ids with what was expected and received", () => {
    expect(() => scheduler().plan([{ id: "k3f9" }, { id: "b", deps: ["k3f8"] }])).toThrow(
      'task "b" depends on "k3f8", which is not a task id. Expected the id of another task, e.g. "(after: k3f9)"; did you mean "k3f9"?',
    );
    expect(() => scheduler().plan([{ id: "a" }, { id: "a" }])).toThrow(PlanInputError);
  });

  it("keeps done, exhausted and blocked tasks out of the waves, with reasons", () => {
    const plan = scheduler().plan([
      { id: "a", done: true },
      { id: "b", deps: ["a"] },
      { id: "c", iterationsUsed: 3 },
      { id: "d", deps: ["c"] },
    ]);
    expect(plan.waves).toEqual([["b"]]);
    expect(plan.tasks.map((t) => [t.id, t.status, t.reason])).toEqual([
      ["b", "todo", undefined],
      ["a", "done", undefined],
      ["c", "exhausted", "all 3 iterations already used"],
      ["d", "skipped", "dependency c cannot be verified"],
    ]);
  });

  it("formats the plan for --dry-run", () => {
    const plan = scheduler().plan(
      [{ id: "a" }, { id: "b" }, { id: "g", kind: "group", deps: ["a", "b"] }, { id: "c", deps: ["g"] }, { id: "z", done: true }],
      { assumedIterationMs: 600_000 },
    );
    expect(formatPlan(plan, { titles: { a: "Login page", c: "Navbar" } })).toBe(
      [
        "3 tasks to run in 3 waves (parallel 2, stagger 5s, up to 3 iterations each)",
        "Projected start offsets assume every iteration takes 10m and verifies first time; projected end +20:05. Rate limits can only make it later.",
        "",
        "wave 1",
        "  +0:00     a  Login page",
        "  +0:05     b",
        "",
        "wave 2: after wave 1",
        "  -         g  (group: verified when a, b are; no agent run)",
        "",
        "wave 3: after wave 2",
        "  +10:05    c  Navbar  (after g)",
        "",
        "already done: z",
        "",
      ].join("\n"),
    );
  });
});
