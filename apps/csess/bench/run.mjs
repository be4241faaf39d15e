// @ts-check
// End-to-end benchmarks of the built CLI (`pnpm --filter csess bench`, after the build), each figure
// beside its goal and the floor measured in this run (scripts/bench-kit.mjs); exits 1 when a goal is
// missed. `--only startup|throughput|memory|rate-limit` runs one; `--profile-git` adds a run of the
// throughput benchmark with every git command csess runs timed (a shim on PATH).
//   startup:    csess --help / tasks / status / verify against node -e 0 and git log;
//   throughput: 40 trivial tasks at --parallel 8 (--stagger 0, and 3-s agents at --stagger 0.2);
//   memory:     the runner holding 32 live sessions, and the sessions' launchers;
//   rate-limit: the real codex CLI against the scripted server with a quota.
import { benchReport } from "../../../scripts/bench-kit.mjs";
import { memory, memoryFigures } from "./memory.mjs";
import { rateLimitFigures, rateLimitedRun, STRATEGIES } from "./rate-limit.mjs";
import { startup } from "./startup.mjs";
import { gitCallsTable, throughput, throughputFigures } from "./throughput.mjs";
import { floorAround } from "./floor.mjs";

const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : undefined;
const want = (/** @type {string} */ name) => only === undefined || only === name;

const report = benchReport({
  id: "csess",
  title: "csess end to end",
  reproduce: "pnpm --filter csess bench (one part: node apps/csess/bench/run.mjs --only startup|throughput|memory|rate-limit)",
  about: "The built CLI in its own process, real tmux on a private socket, real git repositories in temp dirs, 127.0.0.1 only. " +
    "Floors are measured in the same run: node -e 0, one git log --numstat, and for csess run the same work done by hand with " +
    "bare commands (tmux new-session + git worktree add + merge --no-ff + tick commit + worktree remove/branch -D + node -e 0 per task).",
});

if (want("startup")) await startup(report);

if (want("throughput")) {
  const { result: instant, floor } = await floorAround(() => throughput({ workS: 0, staggerS: 0 }));
  throughputFigures(report, instant, floor);
  const sleeping = await throughput();
  throughputFigures(report, sleeping, floor);
}

if (args.includes("--profile-git")) {
  const profiled = await throughput({ profileGit: true });
  report.detail(`Git commands run by csess in the throughput run (shim on PATH; wall ${(profiled.wallMs / 1000).toFixed(1)} s, load ${profiled.load}):\n\n${gitCallsTable(profiled)}`);
}

if (want("memory")) memoryFigures(report, await memory());

if (want("rate-limit")) {
  const runs = [];
  for (const strategy of STRATEGIES) runs.push(await rateLimitedRun(strategy));
  rateLimitFigures(report, runs);
}

report.finish();
