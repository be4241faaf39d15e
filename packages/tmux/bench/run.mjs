// @ts-check
// Benchmarks for @csess/tmux on a private socket (run after `pnpm build`): exit -> waitForExit latency,
// cost of starting a session, memory of one process holding 32 live sessions; each figure beside its goal
// and the floor measured in this run (scripts/bench-kit.mjs), exit 1 when a goal is missed.
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { benchReport, quantile } from "../../../scripts/bench-kit.mjs";
import { Tmux } from "../dist/index.js";

const SESSIONS = 50;
const LIVE = 32;

const dir = await mkdtemp(path.join(os.tmpdir(), "csb-"));
const socket = path.join(dir, "sock");
const tmux = new Tmux({ socket, home: path.join(dir, "home") });
const stateDir = (/** @type {string} */ name) => path.join(dir, "state", name);
/** Wall-clock milliseconds with sub-millisecond precision, comparable with `date +%s%N` in the command. */
const nowMs = () => performance.timeOrigin + performance.now();
const mean = (/** @type {number[]} */ values) => values.reduce((a, b) => a + b, 0) / values.length;
const fmt = (/** @type {number} */ ms) => `${ms.toFixed(1)} ms`;
const report = benchReport({
  id: "tmux",
  title: "@csess/tmux",
  reproduce: "pnpm --filter @csess/tmux bench",
  about: `Real tmux on a private socket: ${SESSIONS} sessions one after another, each \`sh -c 'date +%s%N; sleep 0.3; date +%s%N'\` awaited with ` +
    `waitForExit; then ${LIVE} live \`sleep 600\` sessions held and awaited by one process; then the server is killed and every wait must resolve \`dead\`.`,
});

try {
  // Warm the server up so the first sample does not include starting tmux itself.
  await tmux.start({ name: "warmup", cwd: dir, argv: ["true"], stateDir: stateDir("warmup") });
  await tmux.waitForExit("warmup");

  const exitToResolve = [];
  const exitToExitFile = [];
  const startCall = [];
  const startToCommand = [];
  const afterTheFact = [];
  for (let i = 0; i < SESSIONS; i++) {
    const name = `lat-${i}`;
    const t0 = nowMs();
    // The command prints when it begins and, last thing before exiting, when it ends.
    await tmux.start({ name, cwd: dir, argv: ["sh", "-c", "date +%s%N; sleep 0.3; date +%s%N"], stateDir: stateDir(name) });
    startCall.push(nowMs() - t0);
    const outcome = await tmux.waitForExit(name);
    const resolvedAt = nowMs();
    if (outcome.state !== "exited") throw new Error(`${name}: ${outcome.state}`);
    const [began, ended] = (await readFile(path.join(stateDir(name), "output.log"), "utf8")).trim().split("\n").map((ns) => Number(ns) / 1e6);
    if (began === undefined || ended === undefined) throw new Error(`${name}: no timestamps`);
    startToCommand.push(began - t0);
    exitToResolve.push(resolvedAt - ended);
    exitToExitFile.push(Date.parse(outcome.endedAt) - ended);
    const t1 = nowMs();
    await new Tmux({ socket, home: path.join(dir, "home") }).waitForExit(name);
    afterTheFact.push(nowMs() - t1);
  }

  // Baseline: a bare `tmux new-session -d` (the seed recipe), started the same way.
  const bare = [];
  for (let i = 0; i < SESSIONS; i++) {
    const t0 = nowMs();
    execFileSync("tmux", ["-S", socket, "new-session", "-d", "-s", `bare-${i}`, "true"]);
    bare.push(nowMs() - t0);
  }

  // One process holding 32 live sessions, each awaited (watch + wait-for client per session).
  await tmux.killServer();
  const rssBefore = process.memoryUsage().rss;
  const waits = [];
  for (let i = 0; i < LIVE; i++) {
    const name = `live-${i}`;
    await tmux.start({ name, cwd: dir, argv: ["sleep", "600"], stateDir: stateDir(name) });
    waits.push(tmux.waitForExit(name));
  }
  /** Launchers boot concurrently on few cores: wait (bounded) until each has written its pids. */
  const readWhenWritten = async (/** @type {string} */ file) => {
    for (let tries = 0; ; tries++) {
      try {
        return await readFile(file, "utf8");
      } catch (error) {
        if (tries > 500) throw error;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const statuses = await tmux.list();
  const running = statuses.filter((s) => s.state === "running").length;
  /** @type {number[]} */
  const launcherRss = [];
  /** @type {number[]} */
  const launcherAnon = [];
  for (let i = 0; i < LIVE; i++) {
    const info = JSON.parse(await readWhenWritten(path.join(stateDir(`live-${i}`), "launcher.json")));
    const status = await readFile(`/proc/${info.pid}/status`, "utf8").catch(() => "");
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    launcherRss.push(kb / 1024);
    launcherAnon.push(Number(/RssAnon:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024);
  }
  const rssHolding = process.memoryUsage().rss;
  await tmux.killServer();
  const outcomes = await Promise.all(waits);

  const ms = (/** @type {number[]} */ values, /** @type {number} */ q) => quantile(values, q);
  report.figure({
    name: "exit → waitForExit resolved, p50", unit: "ms", measured: ms(exitToResolve, 0.5), goal: { max: 100, strict: true },
    note: `p95 ${fmt(ms(exitToResolve, 0.95))}; of which exit → exit file written by the launcher, p50 ${fmt(ms(exitToExitFile, 0.5))}; on an already ended session (fresh Tmux) p50 ${fmt(ms(afterTheFact, 0.5))}`,
  });
  report.figure({
    name: "start() call, p50", unit: "ms", measured: ms(startCall, 0.5), floor: { label: "bare tmux new-session -d, p50", value: ms(bare, 0.5) },
    note: `p95 ${fmt(ms(startCall, 0.95))}; start() → command running p50 ${fmt(ms(startToCommand, 0.5))}; no goal of its own`,
  });
  report.figure({
    name: `RSS of the process holding ${LIVE} live awaited sessions`, unit: "MB", measured: rssHolding / 2 ** 20, goal: { max: 150, strict: true },
    floor: { label: "the same process before the sessions", value: rssBefore / 2 ** 20 },
    note: `one launcher process (perl) beside it: RSS ${mean(launcherRss).toFixed(0)} MB, private (RssAnon) ${mean(launcherAnon).toFixed(1)} MB, mean of ${LIVE}`,
  });
  report.figure({
    name: `awaited sessions not seen dead after the server was killed (of ${LIVE}; ${running} seen running before)`, unit: "sessions",
    measured: outcomes.filter((o) => o.state !== "dead").length, goal: { max: 0 },
  });
} finally {
  await tmux.killServer().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}
report.finish();
