import { describe, expect, it } from "vitest";
import { createScheduler, formatDuration, formatOffset, formatPlan } from "../src/index.js";

describe("formatOffset / formatDuration", () => {
  it.each([
    [0, "+0:00"], [499, "+0:00"], [500, "+0:01"], [59_000, "+0:59"], [60_000, "+1:00"], [605_000, "+10:05"],
    [3_599_000, "+59:59"], [3_600_000, "+1:00:00"], [3_725_000, "+1:02:05"], [36_000_000, "+10:00:00"],
  ])("offset %i ms -> %s", (ms, text) => {
    expect(formatOffset(ms)).toBe(text);
  });

  it.each([
    [0, "0s"], [1_400, "1s"], [59_000, "59s"], [60_000, "1m"], [61_000, "1m01s"], [90_000, "1m30s"], [600_000, "10m"],
    [3_599_000, "59m59s"], [3_600_000, "1h"], [3_660_000, "1h01m"], [5_400_000, "1h30m"], [3_659_000, "1h"],
  ])("duration %i ms -> %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe("formatPlan", () => {
  it("says what a resumed run will do: re-attached and part-used tasks, tasks that will not run, singular counts", () => {
    const plan = createScheduler({ parallel: 1, staggerMs: 90_000, maxIterations: 1 }).plan(
      [
        { id: "running", attached: true, iterationsUsed: 0 },
        { id: "spent", iterationsUsed: 1 },
        { id: "after-spent", deps: ["spent"] },
        { id: "ok", done: true },
        { id: "ok2", done: true },
      ],
      { assumedIterationMs: 3_900_000 },
    );
    expect(formatPlan(plan)).toBe(
      [
        "1 task to run in 1 wave (parallel 1, stagger 1m30s, up to 1 iteration each)",
        "Projected start offsets assume every iteration takes 1h05m and verifies first time; projected end +1:05:00. Rate limits can only make it later.",
        "",
        "wave 1",
        "  +0:00     running      (re-attaches to its running iteration)",
        "",
        "will not run",
        "  exhausted spent        (all 1 iterations already used)",
        "  skipped   after-spent  (dependency spent cannot be verified)",
        "",
        "already done: ok, ok2",
        "",
      ].join("\n"),
    );
  }, 10_000);

  it("notes iterations already used by a task that runs again", () => {
    const plan = createScheduler({ parallel: 2, staggerMs: 1000, maxIterations: 3 }).plan([{ id: "t", iterationsUsed: 2 }]);
    expect(formatPlan(plan, { titles: { other: "not this one" } }).split("\n")).toContain("  +0:00     t  (2 of 3 iterations used)");
  }, 10_000);
});
