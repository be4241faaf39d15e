#!/usr/bin/env node
// `pnpm bench:tests`: times `pnpm test` (the whole suite, as CI runs it) and prints the markdown section
// of BENCHMARKS.md: the wall time against the goal (under 5 minutes on the 2-core CI machine), the
// floor measured in the same run (the slowest test file: no scheduling finishes before it), the load
// the other users of the machine put on it, and the slowest files. Exits 1 on a missed goal or a
// failed test. The suite's own output goes to test-bench.log.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";

const GOAL_S = 300;
const root = new URL("..", import.meta.url).pathname;
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(" ");
const loadBefore = load();
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
const floorS = files[0]?.seconds ?? 0;
const serialS = files.reduce((sum, f) => sum + f.seconds, 0);
const total = /Tests: (\d+) passed, (\d+) failed/.exec(suite.stdout)?.slice(1).map(Number) ?? [0, 1];
const met = wallS < GOAL_S && suite.status === 0;

console.log(`## Test suite (\`pnpm test\`)

Date ${new Date().toISOString().slice(0, 10)}; machine: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}; ` +
  `load average (1, 5, 15 min) ${loadBefore} at start, ${load()} at the end (other users of the machine). Reproduce: \`pnpm bench:tests\`.

| figure | value |
|---|---|
| wall time of \`pnpm test\` (builds cached) | **${wallS.toFixed(0)} s** |
| goal | under ${GOAL_S} s — ${met ? "met" : "MISSED"} |
| floor: the slowest test file, measured in this run | ${floorS.toFixed(0)} s (${files[0]?.file ?? "-"}) |
| all test files one after another (sum) | ${serialS.toFixed(0)} s |
| tests | ${total[0]} passed, ${total[1]} failed |

Slowest files:

| file | s |
|---|---:|
${files.slice(0, 8).map((f) => `| ${f.file} | ${f.seconds.toFixed(1)} |`).join("\n")}
`);
process.exit(met ? 0 : 1);
