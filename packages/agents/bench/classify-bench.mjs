// @ts-check
// `pnpm --filter @csess/agents bench` (on dist/, built by turbo first): classifyOutcome on the real CLI
// logs in fixtures/agent-outputs/, beside a floor measured in this run (reading the log's lines once).
// The runner classifies an agent's output between its exit and the iteration-ended event, so a long
// session's log must classify within that latency budget (25 ms).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchReport, median } from "../../../scripts/bench-kit.mjs";
import { classifyOutcome } from "../dist/index.js";

const dir = fileURLToPath(new URL("../../../fixtures/agent-outputs/", import.meta.url));
const load = (/** @type {string} */ name) => JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8"));
const codex = load("codex-honest");
const claude = load("claude-honest");
// A long run: the honest codex log repeated to ~1 MB, the size of a long agent session's log.
const big = { ...codex, output: codex.output.repeat(Math.ceil(1_000_000 / codex.output.length)) };

/** Median wall time (ms) of `fn` over `runs` runs after a warm-up. */
function time(/** @type {number} */ runs, /** @type {() => unknown} */ fn) {
  fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

const report = benchReport({
  id: "agents",
  title: "@csess/agents",
  reproduce: "pnpm --filter @csess/agents bench",
  about: "classifyOutcome on real codex (--json) and claude (stream-json) logs captured in fixtures/agent-outputs/, in-process on dist/, median of runs after a warm-up.",
});
const lines = (/** @type {{ output: string }} */ log) => () => log.output.split("\n").filter((l) => l.length > 0).length;
for (const [label, log] of /** @type {const} */ ([["codex honest run", codex], ["claude honest run", claude]])) {
  report.figure({
    name: `classifyOutcome, ${label} (${(log.output.length / 1024).toFixed(1)} KB)`, unit: "ms", measured: time(2000, () => classifyOutcome(log)),
    floor: { label: "splitting the log into lines once", value: time(2000, lines(log)) }, note: "no goal of its own: see the 1 MB log",
  });
}
report.figure({
  name: `classifyOutcome, codex log repeated to ${(big.output.length / 1e6).toFixed(1)} MB`, unit: "ms", measured: time(20, () => classifyOutcome(big)),
  floor: { label: "splitting the log into lines once", value: time(20, lines(big)) }, goal: { max: 25 },
  note: "the runner's exit → event budget",
});
report.finish();
