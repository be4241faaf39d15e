#!/usr/bin/env node
// `pnpm bench:tests`: times `pnpm test` (the whole suite, as CI runs it) and prints the markdown section
// (`bench:tests`) of BENCHMARKS.md: the wall time against the goal (under 5 minutes on the 2-core CI
// machine), the floor measured in the same run (the slowest test file: no scheduling finishes before
// it), the load the other users of the machine put on it, and the slowest files. Exits 1 on a missed
// goal or a failed test. The suite's own output goes to test-bench.log.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchReport, ROOT as root } from "./bench-kit.mjs";
import { renderResult } from "./benchmarks-md.mjs";
import { writeSection } from "./md-sections.mjs";

const GOAL_S = 300;
const report = benchReport({ id: "tests", title: "Test suite (`pnpm test`)", reproduce: "pnpm bench:tests", about: "The whole suite as CI runs it (builds cached); the floor is the slowest test file: no scheduling finishes before it." });
const began = Date.now();
const suite = spawnSync("node", [join(root, "scripts/test.mjs")], { cwd: root, encoding: "utf8", maxBuffer: 256 << 20 });
const wallS = (Date.now() - began) / 1000;
writeFileSync(join(root, "test-bench.log"), suite.stdout + suite.stderr);

const files = [];
for (const group of ["packages", "apps", "fixtures"]) {
  for (const name of existsSync(join(root, group)) ? readdirSync(join(root, group)) : []) {
    const results = join(root, group, name, "test-results.json");
    if (!existsSync(results)) continue;
    for (const t of JSON.parse(readFileSync(results, "utf8")).testResults) {
      files.push({ file: t.name.slice(root.length), seconds: (t.endTime - t.startTime) / 1000 });
    }
  }
}
files.sort((a, b) => b.seconds - a.seconds);
const total = /Tests: (\d+) passed, (\d+) failed/.exec(suite.stdout)?.slice(1).map(Number) ?? [0, 1];
report.figure({
  name: "wall time of `pnpm test`", unit: "s", measured: wallS, goal: { max: GOAL_S, strict: true },
  floor: { label: `the slowest test file, ${files[0]?.file ?? "-"}`, value: files[0]?.seconds ?? NaN },
  note: `all files one after another: ${files.reduce((sum, f) => sum + f.seconds, 0).toFixed(0)} s`,
});
report.figure({ name: "failed tests", unit: "tests", measured: total[1] ?? 1, goal: { max: 0 }, note: `${total[0]} passed` });
report.detail(["Slowest files:", "", "| file | s |", "|---|---:|", ...files.slice(0, 8).map((f) => `| ${f.file} | ${f.seconds.toFixed(1)} |`)].join("\n"));
const result = report.finish();
writeSection(join(root, "BENCHMARKS.md"), "bench:tests", renderResult(result));
if (suite.status !== 0) process.exitCode = 1;
