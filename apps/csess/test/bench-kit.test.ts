// The benchmarks' reporting (scripts/bench-kit.mjs) and BENCHMARKS.md's generated sections
// (scripts/md-sections.mjs, scripts/benchmarks-md.mjs): a goal is judged against the floor of the
// same run, a miss is a miss, and regenerating keeps every section another tool wrote.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { figureLine, goalText, judge } from "../../../scripts/bench-kit.mjs";
import { regenerate } from "../../../scripts/benchmarks-md.mjs";
import { replaceSection, sectionIds } from "../../../scripts/md-sections.mjs";

const KIT = fileURLToPath(new URL("../../../scripts/bench-kit.mjs", import.meta.url));

describe("judge", () => {
  it("a ratio goal is a limit on the floor of the same run, with an optional allowance", () => {
    const f = judge({ name: "csess tasks", unit: "ms", measured: 250, floor: { label: "node -e 0", value: 60 }, goal: { ratio: 1.5, plus: 150 } });
    expect(f.limit).toBe(240);
    expect(f.ratio).toBeCloseTo(250 / 60);
    expect(f.met).toBe(false);
    expect(goalText(f)).toBe("≤ 1.5× floor + 150 ms = 240 ms");
    expect(figureLine(f)).toMatch(/^\[MISS\] csess tasks: 250 ms — goal ≤ 1.5× floor \+ 150 ms = 240 ms; floor \(node -e 0\) 60 ms; ratio 4.17×/);
  });

  it("an absolute goal: strict is '<', the limit itself misses", () => {
    expect(judge({ name: "p50", unit: "ms", measured: 500, goal: { max: 500, strict: true } }).met).toBe(false);
    expect(judge({ name: "p50", unit: "ms", measured: 500, goal: { max: 500 } }).met).toBe(true);
    expect(goalText(judge({ name: "p50", unit: "ms", measured: 1, goal: { max: 500, strict: true } }))).toBe("< 500 ms");
  });

  it("a figure that could not be measured misses; one without a goal is information only", () => {
    expect(judge({ name: "x", unit: "s", measured: NaN, floor: { label: "lb", value: 24 }, goal: { ratio: 1.5 } }).met).toBe(false);
    const info = judge({ name: "status", unit: "ms", measured: 80, floor: { label: "node -e 0", value: 40 } });
    expect(info.met).toBeUndefined();
    expect(figureLine(info)).toMatch(/^\[info\] status: 80 ms — goal —; floor \(node -e 0\) 40 ms; ratio 2.00×/);
  });

  it("a missed goal makes the benchmark exit 1 and writes its results", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "csess-kit-"));
    try {
      const script = path.join(dir, "b.mjs");
      writeFileSync(script, `import { benchReport } from ${JSON.stringify(KIT)};
const r = benchReport({ id: "kit-test-${process.pid}", title: "t", reproduce: "-" });
r.figure({ name: "fast", unit: "ms", measured: 1, goal: { max: 2 } });
r.figure({ name: "slow", unit: "ms", measured: 3, floor: { label: "bare", value: 1 }, goal: { ratio: 1.5 } });
const result = r.finish();
console.log("RESULT " + JSON.stringify(result.figures.map((f) => f.met)));`);
      const run = spawnSync(process.execPath, [script], { encoding: "utf8", timeout: 30_000 });
      expect(run.status).toBe(1);
      expect(run.stdout).toMatch(/1 of 2 goals met; MISSED: slow/);
      expect(run.stdout).toMatch(/RESULT \[true,false\]/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(fileURLToPath(new URL(`../../../bench-results/kit-test-${process.pid}.json`, import.meta.url)), { force: true });
    }
  }, 60_000);
});

describe("BENCHMARKS.md sections", () => {
  const result = {
    id: "csess", title: "csess end to end", reproduce: "pnpm bench", date: "2026-12-05T12:00:00.000Z", seconds: 3,
    load: { start: "1.00 1.00 1.00", end: "2.00 1.00 1.00" },
    machine: { cores: 2, memoryGiB: 24, node: "20.20.2", tmux: "tmux 3.3a", git: "git version 2.39.5" },
    figures: [judge({ name: "csess --help", unit: "ms", measured: 90, floor: { label: "node -e 0", value: 40 }, goal: { ratio: 1.5 } })],
    details: ["| part | ms |\n|---|---:|\n| a | 1 |"],
  };

  it("replaces only its own sections and keeps the rest, other writers' sections included", () => {
    const before = "# Benchmarks\n\nIntro.\n\n<!-- mutate:scheduler:start -->\nscore 87 %\n<!-- mutate:scheduler:end -->\n\n<!-- bench:csess:start -->\nold figures\n<!-- bench:csess:end -->\n\n<!-- bench:tests:start -->\npnpm test 200 s\n<!-- bench:tests:end -->\n";
    const after = regenerate(before, [result]);
    expect(after).toContain("<!-- mutate:scheduler:start -->\nscore 87 %\n<!-- mutate:scheduler:end -->");
    expect(after).toContain("<!-- bench:tests:start -->\npnpm test 200 s\n<!-- bench:tests:end -->");
    expect(after).not.toContain("old figures");
    expect(after).toMatch(/\| csess --help \| 90 ms \| ≤ 1.5× floor = 60 ms \| 40 ms: node -e 0 \| 2.25× \| \*\*MISSED\*\* \|/);
    expect(after).toMatch(/load average \(1, 5, 15 min\) 1.00 1.00 1.00 at start, 2.00 1.00 1.00 at the end/);
    expect(after).toContain("0 of 1 goals met");
    expect(sectionIds(after)).toEqual(["mutate:scheduler", "bench:csess", "bench:tests", "bench:summary"]);
    expect(regenerate(after, [result])).toBe(after); // the same results give the same file
  });

  it("a section not there yet is appended", () => {
    expect(replaceSection("# B\n", "bench:x", "body")).toBe("# B\n\n<!-- bench:x:start -->\nbody\n<!-- bench:x:end -->\n");
  });

  it("the checked-in BENCHMARKS.md is made of generated sections", () => {
    const text = readFileSync(fileURLToPath(new URL("../../../BENCHMARKS.md", import.meta.url)), "utf8");
    expect(sectionIds(text)).toEqual(expect.arrayContaining(["bench:summary", "bench:csess"]));
  });
});
