import { describe, expect, it } from "vitest";
import { createScheduler, CycleError, PlanInputError } from "../src/index.js";
import { seededRandom } from "../src/testing.js";

const plan = (tasks: Parameters<ReturnType<typeof createScheduler>["plan"]>[0]) =>
  createScheduler({ parallel: 2, staggerMs: 1000, maxIterations: 3 }).plan(tasks);
const errorOf = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a throw");
};

describe("plan errors say what was wrong, what was expected, with an example", () => {
  it("a cycle: the loop, an example dependency from it, and the nested-task rule", () => {
    const error = errorOf(() => plan([{ id: "a", deps: ["b"] }, { id: "b", deps: ["a"] }]));
    expect(error).toBeInstanceOf(CycleError);
    expect(error.name).toBe("CycleError");
    expect(error.message).toBe(
      "dependency cycle: a -> b -> a. Each task in it waits for the next, so none can ever start.\n" +
        'Expected: dependencies that lead back to no task, e.g. "- [ ] Deploy (after: b)" without "(after: …)" pointing back the other way. ' +
        'Remember that a nested task always runs before its parent, so a child must not be "(after: <its parent>)".',
    );
    // The cycle is found wherever it starts, after tasks that are fine.
    expect((errorOf(() => plan([{ id: "ok" }, { id: "x", deps: ["ok", "y"] }, { id: "y", deps: ["x"] }])) as CycleError).cycle).toEqual(["x", "y", "x"]);
  }, 10_000);

  it("a duplicate id", () => {
    const error = errorOf(() => plan([{ id: "a" }, { id: "b" }, { id: "a" }]));
    expect(error).toBeInstanceOf(PlanInputError);
    expect(error.name).toBe("PlanInputError");
    expect(error.message).toBe('duplicate task id "a": every task needs its own id. Received it twice.');
  }, 10_000);

  it("an unknown dependency: near ids suggested (closest first, at most two, any case), none when nothing is near", () => {
    const ids = [{ id: "deploy1" }, { id: "deploy" }, { id: "deplox" }, { id: "zzzzzz" }];
    expect(errorOf(() => plan([...ids, { id: "t", deps: ["Deploy"] }])).message).toBe(
      'task "t" depends on "Deploy", which is not a task id. Expected the id of another task, e.g. "(after: deploy1)"; did you mean "deploy" or "deploy1"?',
    );
    // Insertion, deletion and substitution each count one edit; a third of the length is the most allowed.
    expect(errorOf(() => plan([{ id: "abcdef" }, { id: "t", deps: ["abcxdef"] }])).message).toMatch(/did you mean "abcdef"\?$/);
    expect(errorOf(() => plan([{ id: "abcdef" }, { id: "t", deps: ["abdef"] }])).message).toMatch(/did you mean "abcdef"\?$/);
    expect(errorOf(() => plan([{ id: "abcdef" }, { id: "t", deps: ["abxdef"] }])).message).toMatch(/did you mean "abcdef"\?$/);
    expect(errorOf(() => plan([{ id: "abcdef" }, { id: "t", deps: ["abxyzf"] }])).message).toMatch(/"\(after: abcdef\)"\.$/);
    expect(errorOf(() => plan([{ id: "abcdefghi" }, { id: "t", deps: ["abXYZfghi"] }])).message).toMatch(/did you mean "abcdefghi"\?$/);
    // With no other task to point at, the example is a made-up id.
    expect(errorOf(() => plan([{ id: "only", deps: ["nope"] }])).message).toBe(
      'task "only" depends on "nope", which is not a task id. Expected the id of another task, e.g. "(after: a1b2c3)".',
    );
  }, 10_000);
});

describe("seededRandom", () => {
  it("is mulberry32: the reference sequence for seed 1, the seed taken modulo 2^32, values in [0, 1)", () => {
    const random = seededRandom(1);
    expect([random(), random(), random()]).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
    expect(seededRandom(2 ** 32 + 1)()).toBe(0.6270739405881613);
    const values = Array.from({ length: 1000 }, seededRandom(7));
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
  }, 10_000);
});
