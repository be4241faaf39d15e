// @ts-check
// Benchmark 3: memory of the runner process (`node dist/bin.js run`) holding 32 live sessions:
// 32 tasks whose agent waits until released, --parallel 32 --stagger 0. VmRSS / VmHWM from /proc.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { FAKE_AGENT, makeSandbox, procStatus, quantile, reportOf, runCsess, table } from "./lib.mjs";

export const SESSIONS = 32;
/** How long the bench samples the runner while every session is live. */
const HOLD_MS = 5000;

export async function memory(options = { sessions: SESSIONS }) {
  const sessions = options.sessions;
  const prd = ["# Memory", "", ...Array.from({ length: sessions }, (_, i) => `- [ ] Write page ${i + 1}`), ""].join("\n");
  const box = makeSandbox(prd);
  const liveFile = path.join(box.dir, "live.txt");
  const release = path.join(box.dir, "release");
  // Each agent says it is running, waits for the release (at most 2 min), then makes its one commit.
  const agentCmd =
    `echo "$CSESS_TASK_ID" >> '${liveFile}'; i=0; ` +
    `while [ ! -e '${release}' ] && [ $i -lt 240 ]; do sleep 0.5; i=$((i+1)); done; exec '${FAKE_AGENT}'`;
  const live = () => (existsSync(liveFile) ? readFileSync(liveFile, "utf8").split("\n").filter(Boolean).length : 0);
  /** @type {{ at: number, live: number, rssKb: number, hwmKb: number }[]} */
  const samples = [];
  try {
    const run = runCsess(
      ["run", "PRD.md", "--agent", "custom", "--agent-cmd", agentCmd, "--parallel", String(sessions), "--stagger", "0",
        "--max-iterations", "1", "--no-notes", "--no-notify", "--json"],
      {
        cwd: box.repo,
        env: box.env,
        limitMs: 5 * 60_000,
        onSpawn: (pid) => {
          const timer = setInterval(() => {
            const status = procStatus(pid);
            if (status) samples.push({ at: Date.now(), live: live(), rssKb: status.rssKb, hwmKb: status.hwmKb });
          }, 100);
          return () => clearInterval(timer);
        },
      },
    );
    // Wait (bounded) until every agent runs, hold them while sampling, then let them finish.
    const deadline = Date.now() + 3 * 60_000;
    while (live() < sessions && Date.now() < deadline) await sleep(100);
    const allLiveAt = Date.now();
    await sleep(HOLD_MS / 2);
    const launchers = launcherMemory(String(box.env.CSESS_TMUX_SOCKET));
    await sleep(HOLD_MS / 2);
    writeFileSync(release, "");
    const result = await run;
    const report = reportOf(result.stdout);
    if (live() < sessions) throw new Error(`only ${live()} of ${sessions} agents ever ran: ${result.stderr.slice(-2000)}`);
    const held = samples.filter((x) => x.at >= allLiveAt && x.at < allLiveAt + HOLD_MS);
    const before = samples.filter((x) => x.live === 0);
    return {
      sessions,
      verified: report.totals?.verified ?? 0,
      samples: samples.length,
      startupRssKb: before.length ? quantile(before.map((x) => x.rssKb), 0.5) : NaN,
      liveRssKb: quantile(held.map((x) => x.rssKb), 0.5),
      liveRssMaxKb: Math.max(...held.map((x) => x.rssKb)),
      peakHwmKb: Math.max(...samples.map((x) => x.hwmKb)),
      wallMs: result.wallMs,
      launchers,
      bareNodeRssKb: await bareNodeRssKb(),
    };
  } finally {
    writeFileSync(release, "");
    box.cleanup();
  }
}

/** The processes tmux runs in the sessions' panes (one launcher per session): their count, total RSS and private memory. */
function launcherMemory(/** @type {string} */ socket) {
  const pids = execFileSync("tmux", ["-S", socket, "list-panes", "-a", "-F", "#{pane_pid}"], { encoding: "utf8" }).trim().split("\n").map(Number);
  const status = pids.map(procStatus).filter((x) => x !== undefined);
  return { count: status.length, rssKb: status.reduce((a, x) => a + x.rssKb, 0), anonKb: status.reduce((a, x) => a + x.anonKb, 0) };
}

/** VmRSS of an idle bare node process (`node -e` waiting on a timer), measured now: the runner's floor. */
async function bareNodeRssKb() {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 3000)"], { stdio: "ignore" });
  await sleep(500);
  const kb = child.pid === undefined ? NaN : procStatus(child.pid)?.rssKb ?? NaN;
  child.kill();
  return kb;
}

const mb = (/** @type {number} */ kb) => `${(kb / 1024).toFixed(1)} MB`;

/** @param {Awaited<ReturnType<typeof memory>>} r */
export function memoryTable(r) {
  return table(["runner process (`csess run`)", "value"], [
    [`VmRSS with ${r.sessions} live sessions (median over ${HOLD_MS / 1000} s; max)`, `${mb(r.liveRssKb)} (${mb(r.liveRssMaxKb)})`],
    ["VmRSS after start-up, before the first agent ran (median)", mb(r.startupRssKb)],
    [`per live session: (live − start-up) / ${r.sessions}`, mb((r.liveRssKb - r.startupRssKb) / r.sessions)],
    ["peak VmHWM over the whole run (incl. 32 landings)", mb(r.peakHwmKb)],
    [`the sessions' launchers (${r.launchers.count} processes): RSS in all / private (RssAnon) in all`, `${mb(r.launchers.rssKb)} / ${mb(r.launchers.anonKb)}`],
    ["tasks verified", `${r.verified}/${r.sessions}`],
  ]);
}

/**
 * The runner's memory goal beside its floor (an idle bare node, measured in this run), and the
 * sessions' launchers beside it (they live outside the runner, one per session).
 * @param {ReturnType<typeof import("../../../scripts/bench-kit.mjs").benchReport>} report
 * @param {Awaited<ReturnType<typeof memory>>} r
 */
export function memoryFigures(report, r) {
  const l = r.launchers;
  report.figure({
    name: `runner VmRSS with ${r.sessions} live sessions (median over ${HOLD_MS / 1000} s)`, unit: "MB", measured: r.liveRssKb / 1024,
    floor: { label: "an idle node -e process", value: r.bareNodeRssKb / 1024 }, goal: { max: 100 },
    note: `launchers beside it: ${l.count} processes, ${mb(l.rssKb)} RSS in all, ${mb(l.anonKb)} private (${mb(l.anonKb / Math.max(1, l.count))} each)`,
  });
  report.detail(`Runner memory, ${r.sessions} live sessions (--parallel ${r.sessions} --stagger 0):\n\n${memoryTable(r)}`);
}
