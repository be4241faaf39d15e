// @ts-check
// End-to-end benchmarks of `csess run` (after `pnpm turbo run build --filter csess...`):
//   1. throughput: 40 tasks, trivial custom agent, --parallel 8 (plus the same with instant agents);
//   2. memory: the runner holding 32 live sessions;
//   3. rate limits: the real codex CLI against the scripted server enforcing a quota.
// Prints markdown tables for BENCHMARKS.md. `--only throughput|memory|rate-limit` runs one;
// `--profile-git` adds a run of benchmark 1 with every git command csess runs timed (a shim on PATH).
import os from "node:os";
import { execFileSync } from "node:child_process";
import { memory, memoryTable } from "./memory.mjs";
import { rateLimitedRun, rateLimitTable, STRATEGIES, QUOTA, TASKS as RL_TASKS } from "./rate-limit.mjs";
import { gitCallsTable, throughput, throughputTable } from "./throughput.mjs";

const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const want = (/** @type {string} */ name) => only === undefined || only === name;
const began = Date.now();
const version = (/** @type {string} */ cmd, /** @type {string[]} */ a) => execFileSync(cmd, a).toString().trim().split("\n")[0];

console.log(`# csess end-to-end benchmarks — ${new Date().toISOString()}`);
console.log(`machine: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.versions.node}, ` +
  `${version("tmux", ["-V"])}, ${version("git", ["--version"])}; load average at start ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}\n`);

if (want("throughput")) {
  const t = Date.now();
  const main = await throughput();
  console.log(`## 1. 40 tasks, trivial custom agent, --parallel ${main.parallel} --stagger ${main.staggerS} (load ${main.load})\n`);
  console.log(throughputTable(main) + "\n");
  const instant = await throughput({ workS: 0, staggerS: 0 });
  console.log(`### Same PRD, agents with no sleep (one commit only), --stagger 0 (load ${instant.load})\n`);
  console.log(throughputTable(instant) + "\n");
  console.log(`throughput benchmark took ${((Date.now() - t) / 1000).toFixed(0)} s\n`);
}

if (args.includes("--profile-git")) {
  const profiled = await throughput({ profileGit: true });
  console.log(`### Profile: git commands run by csess in benchmark 1 (shim on PATH; wall ${(profiled.wallMs / 1000).toFixed(1)} s, load ${profiled.load})\n`);
  console.log(gitCallsTable(profiled) + "\n");
}

if (want("memory")) {
  const t = Date.now();
  const m = await memory();
  console.log(`## 3. Runner memory with ${m.sessions} live sessions (--parallel ${m.sessions} --stagger 0)\n`);
  console.log(memoryTable(m) + "\n");
  console.log(`memory benchmark took ${((Date.now() - t) / 1000).toFixed(0)} s\n`);
}

if (want("rate-limit")) {
  const t = Date.now();
  const runs = [];
  for (const strategy of STRATEGIES) runs.push(await rateLimitedRun(strategy));
  console.log(`## 2. Rate limits: ${RL_TASKS} tasks, real codex CLI, scripted server quota ${QUOTA.capacity} burst + ${QUOTA.refillPerSecond}/s ` +
    `(load ${runs.map((r) => r.load).join(", ")})\n`);
  console.log(rateLimitTable(runs) + "\n");
  console.log(`rate-limit benchmark took ${((Date.now() - t) / 1000).toFixed(0)} s\n`);
}

console.log(`all benchmarks took ${((Date.now() - began) / 1000).toFixed(0)} s`);
