// Benchmark: csess run across ssh hosts (real OpenSSH servers on loopback, fixtures/sshd). Reports each
// figure with its goal and the floor measured in the same run through scripts/bench-kit.mjs (section
// bench:ssh of BENCHMARKS.md); a missed goal fails. The "hosts" are this machine, so the
// makespan gain comes from more slots for agents that wait (5 s sleeps), not from more CPU.
//   1. 16 tasks of 5 s: makespan with local (4 slots) against local + 2 ssh hosts (4 slots each).
//   2. Per-task overhead an ssh host adds, one slot, instant agents: connection reuse on against off.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { benchReport } from "../../../scripts/bench-kit.mjs";
import { startSshFleet, sshdUnavailable, type TestSshFleet } from "../../../fixtures/sshd/sshd.js";
import { commitAll, FAKE_AGENT, journal, makeRunSandbox, reportOf, type RunSandbox } from "../test/run-helpers.js";

const unavailable = sshdUnavailable();
const made: { sandbox: RunSandbox; fleet: TestSshFleet }[] = [];
const report = benchReport({
  id: "ssh",
  title: "csess run on ssh hosts",
  reproduce: "pnpm --filter csess exec vitest run --config bench/vitest.ssh.config.ts",
  about: "The hosts are sshd servers on loopback on this machine, so the makespan gain comes from more slots for agents that wait (5 s sleeps), not from more CPU.",
});
afterAll(async () => {
  for (const { sandbox, fleet } of made) {
    fleet.close();
    await sandbox.cleanup();
  }
  if (unavailable === undefined) report.finish();
}, 60_000);

interface Measured {
  wallS: number;
  agentS: number;
  /** Time the serial merge queue was busy landing tasks (merge, tick): a floor no number of hosts lowers. */
  landingS: number;
  connections: number;
}

/** One `csess run` of `tasks` tasks whose agent sleeps `workS`, on `hosts`; wall time from the journal. */
async function runOn(tasks: number, workS: number, hosts: (fleet: TestSshFleet) => unknown[], extra: string[] = []): Promise<Measured> {
  const titles = Array.from({ length: tasks }, (_, i) => `Add module ${i + 1}`);
  const sandbox = makeRunSandbox(`# Bench\n\n${titles.map((t) => `- [ ] ${t}`).join("\n")}\n`);
  const fleet = await startSshFleet(path.join(sandbox.dir, "sshd"), 2);
  made.push({ sandbox, fleet });
  writeFileSync(path.join(sandbox.repo, "csess.config.json"), JSON.stringify({ hosts: hosts(fleet), sshConfig: fleet.configFile }));
  writeFileSync(path.join(sandbox.repo, ".gitignore"), ".csess/\n");
  await commitAll(sandbox);
  const agentCmd = `sleep ${workS}; exec sh ${FAKE_AGENT}`;
  const result = await sandbox.csess(["run", "--agent", "custom", "--agent-cmd", agentCmd, "--stagger", "0.2", "--max-iterations", "1", "--no-notes", "--json", ...extra]);
  const report = reportOf(result);
  if (report.totals.verified !== tasks) throw new Error(`expected ${tasks} verified, got ${report.totals.verified}: ${result.stderr.slice(-2000)}`);
  const events = journal(sandbox);
  const at = (type: string) => Date.parse(events.find((e) => e.type === type)!.at);
  const agentS = events
    .filter((e) => e.type === "iteration-started")
    .reduce((sum, e) => sum + JSON.parse(readFileSync(path.join(String(e.stateDir), "exit.json"), "utf8")).durationMs / 1000, 0);
  // Landings are serial (one repo lock): the time at least one was in progress is what the queue took.
  const landings = events
    .filter((e) => e.type === "merge-started")
    .map((e) => [Date.parse(e.at), Date.parse(events.find((x) => x.type === "task-finished" && x.taskId === e.taskId)!.at)] as const)
    .sort((a, b) => a[0] - b[0]);
  let landingMs = 0;
  let coveredTo = 0;
  for (const [from, to] of landings) {
    landingMs += Math.max(0, to - Math.max(from, coveredTo));
    coveredTo = Math.max(coveredTo, to);
  }
  const landingS = landingMs / 1000;
  return { wallS: (at("run-finished") - at("run-started")) / 1000, agentS, landingS, connections: fleet.hosts.reduce((n, h) => n + h.accepted(), 0) };
}

const f1 = (n: number) => n.toFixed(1);

it.skipIf(unavailable !== undefined)("makespan: 16 tasks x 5 s, local(4) vs local(4) + 2 ssh hosts(4 each)", async () => {
  const local = await runOn(16, 5, () => ["local:4"]);
  const fleet = await runOn(16, 5, (f) => ["local:4", { host: "h1", slots: 4, dir: f.hosts[0]!.workDir }, { host: "h2", slots: 4, dir: f.hosts[1]!.workDir }]);
  // Floors: the agents' own time at full slots (4 waves of 5 s; 2 waves on 12 slots), or the serial
  // merge queue's landing time, whichever is longer.
  const floor = (waves: number, m: Measured) => Math.max(waves * 5, m.landingS);
  report.figure({
    name: "makespan, 16 tasks × 5 s on local(4) + 2 ssh hosts(4 each)", unit: "s", measured: fleet.wallS,
    floor: { label: "the same run on local(4) alone", value: local.wallS }, goal: { ratio: 1.1 },
    note: `adding hosts never slows the run (10 % noise allowance); local alone ${f1(local.wallS)} s`,
  });
  report.detail([
    "| fleet | slots | makespan (s) | floor (s): max(agent waves, merge queue) | ssh connections |",
    "|---|---:|---:|---:|---:|",
    `| local | 4 | ${f1(local.wallS)} | ${f1(floor(4, local))} (20.0, ${f1(local.landingS)}) | ${local.connections} |`,
    `| local + h1 + h2 | 12 | ${f1(fleet.wallS)} | ${f1(floor(2, fleet))} (10.0, ${f1(fleet.landingS)}) | ${fleet.connections} |`,
  ].join("\n"));
  expect(fleet.wallS).toBeLessThanOrEqual(1.1 * local.wallS);
});

it.skipIf(unavailable !== undefined)("per-task overhead of an ssh host, connection reuse on vs off", async () => {
  const tasks = 6;
  const host = (f: TestSshFleet) => [{ host: "h1", slots: 1, dir: f.hosts[0]!.workDir }];
  const local = await runOn(tasks, 0, () => ["local:1"]);
  const reuse = await runOn(tasks, 0, host);
  const noReuse = await runOn(tasks, 0, host, ["--no-ssh-reuse"]);
  const perTask = (m: Measured) => (m.wallS - m.agentS) / tasks;
  const added = (m: Measured) => perTask(m) - perTask(local);
  report.figure({ name: "ssh connections per host for a whole run (connection reuse)", unit: "", measured: reuse.connections, goal: { max: 1 } });
  report.figure({
    name: "per-task time an ssh host adds, connection reuse", unit: "s", measured: added(reuse),
    goal: { max: added(noReuse), strict: true },
    note: `goal: less than without reuse, measured in the same run; ${tasks} tasks, one slot, instant agents; local orchestration per task (the floor) ${perTask(local).toFixed(2)} s`,
  });
  report.detail([
    "| where | orchestration per task (s) | added by ssh (s) | ssh connections |",
    "|---|---:|---:|---:|",
    `| local (floor) | ${perTask(local).toFixed(2)} | — | 0 |`,
    `| h1, connection reuse | ${perTask(reuse).toFixed(2)} | ${added(reuse).toFixed(2)} | ${reuse.connections} |`,
    `| h1, no reuse | ${perTask(noReuse).toFixed(2)} | ${added(noReuse).toFixed(2)} | ${noReuse.connections} |`,
  ].join("\n"));
  expect(reuse.connections).toBe(1);
  expect(added(reuse)).toBeLessThan(added(noReuse));
});
