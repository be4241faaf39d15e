#!/usr/bin/env node
// `pnpm test`: every package's tests through turbo (build first; two packages at a time, as the tests
// mostly wait on tmux, git and agents: the app's long suite overlaps the packages' short ones), then
// one closing line with the total across packages. Stale results are removed first, and a package
// whose tests did not report counts as a failure.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const packages = ["packages", "apps", "fixtures"].flatMap((group) =>
  existsSync(join(root, group))
    ? readdirSync(join(root, group))
        .map((name) => join(root, group, name))
        .filter((dir) => existsSync(join(dir, "package.json")) && JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).scripts?.test)
    : [],
);
for (const dir of packages) rmSync(join(dir, "test-results.json"), { force: true });

const turbo = spawnSync("pnpm", ["exec", "turbo", "run", "test", "--concurrency=2", "--continue", "--output-logs=full", ...process.argv.slice(2)], {
  cwd: root,
  stdio: "inherit",
});

let passed = 0, failed = 0, skipped = 0;
const lines = [];
for (const dir of packages) {
  const name = dir.slice(root.length);
  const file = join(dir, "test-results.json");
  if (!existsSync(file)) {
    lines.push(`${name}: no test results (build or test run failed)`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(file, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  lines.push(`${name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
}
console.log(`\n${lines.join("\n")}`);
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(turbo.status !== 0 || failed > 0 || passed === 0 ? 1 : 0);
