#!/usr/bin/env node
// `pnpm bench`: every package's benchmark (turbo, one at a time, all of them even when one misses a
// goal), then BENCHMARKS.md regenerated from this run's results. Exits 1 when any goal was missed or
// a benchmark failed.
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { RESULTS_DIR, ROOT } from "./bench-kit.mjs";

rmSync(RESULTS_DIR, { recursive: true, force: true }); // only this run's results go into BENCHMARKS.md
const turbo = spawnSync("pnpm", ["exec", "turbo", "run", "bench", "--concurrency=1", "--output-logs=full", "--continue", ...process.argv.slice(2)], { cwd: ROOT, stdio: "inherit" });
const md = spawnSync(process.execPath, ["scripts/benchmarks-md.mjs"], { cwd: ROOT, stdio: "inherit" });
process.exit(turbo.status === 0 && md.status === 0 ? 0 : 1);
