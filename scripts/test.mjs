#!/usr/bin/env node
// `pnpm test`: build, then every package's tests through turbo, one lane after the other: the packages'
// short suites one at a time, then the app's long suite (two files at a time). Measured on the 2-core
// machine: 84 s and 137 s alone, but 340 s and 355 s when the two ran side by side (each made the
// other's real tmux, git and agent processes wait for the CPU, and the waits compound). Then one
// closing line with the total across packages. Stale results are removed first, and a package whose
// tests did not report counts as a failure. Extra arguments (e.g. `--filter @csess/prd`) go to a
// single turbo run instead.
import { spawn, spawnSync } from "node:child_process";
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

const turboArgs = ["exec", "turbo", "run", "test", "--continue", "--output-logs=full"];
/** Runs turbo with `args`; resolves to its exit status. */
function turbo(args) {
  return new Promise((resolve) => {
    const child = spawn("pnpm", [...turboArgs, ...args], { cwd: root, stdio: "inherit" });
    child.on("close", (code) => resolve(code ?? 1));
  });
}

const extra = process.argv.slice(2);
let status;
if (extra.length > 0) {
  status = await turbo(["--concurrency=2", ...extra]);
} else {
  const build = spawnSync("pnpm", ["exec", "turbo", "run", "build", "--output-logs=errors-only"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) process.exit(1);
  const packagesStatus = await turbo(["--filter=!csess", "--only", "--concurrency=1"]);
  const appStatus = await turbo(["--filter=csess", "--only"]);
  status = packagesStatus !== 0 ? packagesStatus : appStatus;
}

/** The failed tests of one package's vitest JSON report: name, assertion and the test's own stack lines. */
function failedTests(name, report) {
  return report.testResults.flatMap((file) =>
    file.assertionResults
      .filter((test) => test.status === "failed")
      .map((test) => {
        const message = (test.failureMessages ?? []).join("\n").split("\n")
          .filter((line) => !line.includes("/node_modules/") && !line.includes("new Promise (<anonymous>)")).slice(0, 12).join("\n    ");
        return `- ${name}${file.name.slice(root.length + name.length)} > ${test.fullName}\n    ${message}`;
      }),
  );
}

let passed = 0, failed = 0, skipped = 0;
const lines = [];
const failures = [];
for (const dir of packages) {
  const name = dir.slice(root.length);
  const file = join(dir, "test-results.json");
  if (!existsSync(file)) {
    if (extra.length > 0) continue; // filtered out of this run
    lines.push(`${name}: no test results (build or test run failed)`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(readFileSync(file, "utf8"));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  skipped += r.numPendingTests + (r.numTodoTests ?? 0);
  lines.push(`${name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  failures.push(...failedTests(name, r));
}
console.log(`\n${lines.join("\n")}`);
// The failures again at the very end: CI keeps only the tail of a long log.
if (failures.length > 0) console.log(`\nFailed tests:\n${failures.join("\n")}`);
console.log(`Tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status !== 0 || failed > 0 || passed === 0 ? 1 : 0);
