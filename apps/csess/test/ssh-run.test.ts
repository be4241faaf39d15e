// A PRD run across this machine and two ssh hosts, each a real OpenSSH server started by the test
// (fixtures/sshd: its own port, host and user keys, HOME and work directory). The built CLI runs as a
// child process; agents are the scripted fake agent behind a gate (fixtures/fake-agents/gated-agent.sh)
// that records where it ran and holds its slot until the test releases it, so what is in flight when a
// connection drops, csess is killed or a host stops is decided by the test, not by timing.
// No mocks: sessions live in each host's tmux, work travels by git over ssh. Last, hostile agents on a host:
// a commit one task's agent makes in a sibling's worktree there is stamped there and verifies nobody, and
// an agent that deletes its branch there fails that iteration honestly and starts fresh.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startSshFleet, sshdUnavailable, within, type TestSshFleet } from "../../../fixtures/sshd/sshd.js";
import {
  agentGates, collect, commitAll, exited, journal, makeRunSandbox, reportOf, taskIds, waitUntil, type GatedStart, type RunSandbox,
} from "./run-helpers.js";

/** Bounds of every wait below: a start or a landing, and a whole run. */
const STEP_MS = 120_000;
const RUN_MS = 240_000;

const unavailable = sshdUnavailable();
if (unavailable) console.warn(`skipping the ssh run tests: ${unavailable}`);

let sandbox: RunSandbox | undefined;
let fleet: TestSshFleet | undefined;
afterEach(async () => {
  fleet?.close();
  fleet = undefined;
  await sandbox?.cleanup();
  sandbox = undefined;
}, 60_000);

/**
 * A repo with `count` tasks, a config naming local + h1 + h2 (2 slots each, a work directory each), and
 * the gated agent: `starts()` lists the agents started so far, `release` lets some go, `releaseAll` every
 * one, also those that start later.
 */
async function setUp(count: number) {
  const titles = Array.from({ length: count }, (_, i) => `Add file number ${i + 1}`);
  const s = makeRunSandbox(`# Fleet\n\n${titles.map((t) => `- [ ] ${t}`).join("\n")}\n`);
  sandbox = s;
  const f = await startSshFleet(path.join(s.dir, "sshd"), 2);
  fleet = f;
  const gate = agentGates(s);
  const config = {
    hosts: ["local:2", { host: "h1", slots: 2, dir: f.hosts[0]!.workDir }, { host: "h2", slots: 2, dir: f.hosts[1]!.workDir }],
    sshConfig: f.configFile,
    // Passed explicitly to every agent, on every host (the hosts do not see csess's own environment).
    agentEnv: { FAKE_AGENT_STATE: path.join(s.dir, "agent-state") },
  };
  writeFileSync(path.join(s.repo, "csess.config.json"), JSON.stringify(config, null, 2));
  writeFileSync(path.join(s.repo, ".gitignore"), ".csess/\n");
  await commitAll(s);
  const args = ["--agent", "custom", "--agent-cmd", gate.agentCmd, "--stagger", "0.1", "--no-notes", "--json"];
  const { starts, release, releaseAll } = gate;
  const on = (hostIndex: number) => (start: GatedStart) => start.pwd.startsWith(f.hosts[hostIndex]!.workDir + "/");
  const local = (start: GatedStart) => start.pwd.startsWith(s.repo + "/");
  return { s, f, args, starts, release, releaseAll, on, local, ids: await taskIds(s), watch: [s.dir] };
}

/** A csess command run to its end, at most `ms`. */
function cli(s: RunSandbox, args: string[], ms = STEP_MS): ReturnType<RunSandbox["csess"]> {
  return within(s.csess(args), ms, `csess ${args.slice(0, 2).join(" ")}`);
}

/** Resolves once the runner has exited with `code`; fails with what it printed when it exits otherwise or not in time. */
async function expectExit(runner: ReturnType<RunSandbox["spawnCsess"]>, output: ReturnType<typeof collect>, code: number | string): Promise<void> {
  const got = await within(exited(runner), RUN_MS, "the runner's exit").catch((error: Error) => `${error.message}`);
  expect(got, `runner said: ${output.stderr().slice(-3000)} ${output.stdout().slice(-3000)}`).toBe(code);
}

/** Every task verified, merged once and ticked once, from the report, the PRD and git. */
async function expectAllLandedOnce(s: RunSandbox, ids: Record<string, string>, report: ReturnType<typeof reportOf>): Promise<void> {
  const n = Object.keys(ids).length;
  expect(report.totals.verified).toBe(n);
  expect(report.tasks.map((t) => t.verdict)).toEqual(Array(n).fill("verified"));
  expect(s.prd().match(/- \[x\]/g)).toHaveLength(n);
  const commits = (await s.git("log", "main", "--format=%s%x00%b%x1e")).split("\x1e").map((c) => c.trim().split("\0"));
  for (const id of Object.values(ids)) {
    const ticks = commits.filter(([subject, body]) => subject?.startsWith("csess: tick") && body?.includes(`Csess-Task: ${id}`));
    expect(ticks, `ticks of ${id}`).toHaveLength(1);
    expect(await s.git("show", `main:work-${id}.txt`), `work of ${id}`).toContain(`by ${id}`);
  }
}

describe.skipIf(unavailable !== undefined)("csess run across local + two ssh hosts (real sshd)", () => {
  it("runs tasks on every host, agents in the hosts' work dirs, each verified, merged and ticked once", async () => {
    const { s, f, args, starts, releaseAll, on, local, ids, watch } = await setUp(8);
    const runner = s.spawnCsess(["run", ...args]);
    const output = collect(runner);
    // Six slots, six agents held at their gates: every host has its two.
    await waitUntil(s, () => (starts().length >= 6 ? true : undefined), STEP_MS, exited(runner), watch).catch((error: Error) => {
      throw new Error(`${error.message}; runner said: ${output.stderr().slice(-3000)} ${output.stdout().slice(-2000)}`);
    });
    expect([starts().filter(local).length, starts().filter(on(0)).length, starts().filter(on(1)).length]).toEqual([2, 2, 2]);
    releaseAll();
    await expectExit(runner, output, 0);
    await expectAllLandedOnce(s, ids, reportOf({ code: 0, stdout: output.stdout(), stderr: "" }));
    expect(starts().map((x) => x.id).sort()).toEqual(Object.values(ids).sort());
    const hosts = journal(s).filter((e) => e.type === "iteration-started").map((e) => e.host ?? "local");
    expect(new Set(hosts)).toEqual(new Set(["local", "h1", "h2"]));
    // One connection per host for the whole run (ControlMaster), git included.
    for (const host of f.hosts) expect(host.accepted()).toBeLessThanOrEqual(2);

    // status, logs and kill find the remote sessions from here.
    const status = JSON.parse((await cli(s, ["status", "--json"])).stdout) as { sessions: Array<{ name: string; host: string; state: string }> };
    const remote = status.sessions.filter((x) => x.host === "h1" || x.host === "h2");
    expect(remote.length).toBeGreaterThan(0);
    expect(remote.every((x) => x.state === "exited")).toBe(true);
    const logs = await cli(s, ["logs", remote[0]!.name, "-n", "50"]);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/fake agent: task \w+ iteration 1/);
    // A task id finds its iteration's log too, on the host it ran on.
    const remoteTask = starts().find(on(0))!.id;
    const taskLog = await cli(s, ["logs", remoteTask, "--iteration", "1"]);
    expect(taskLog.code, taskLog.stderr).toBe(0);
    expect(taskLog.stdout).toContain(`fake agent: task ${remoteTask} iteration 1`);
    const killed = await cli(s, ["kill", remote[0]!.name]);
    expect(killed.stdout, `exit ${killed.code}: ${killed.stderr}`).toMatch(/had already exited \(exit 0\)/);
    // doctor --host checks the host as a run uses it.
    const doctor = await cli(s, ["doctor", "--host", "h1", "--ssh-config", f.configFile, "--agent", "custom", "--json"]);
    expect(doctor.code, doctor.stdout).toBe(0);
    expect(JSON.parse(doctor.stdout)).toMatchObject({ ok: true, reachable: true, tools: [{ name: "tmux", ok: true }, { name: "git", ok: true }, { name: "node", ok: true }, { name: "perl", ok: true }] });
    const down = await cli(s, ["doctor", "--host", "nosuchhost.invalid", "--agent", "custom"]);
    expect(down.code, down.stderr).toBe(1);
    expect(down.stdout, `stderr: ${down.stderr}`).toMatch(/cannot connect/);
  }, 300_000);

  it("a dropped ssh connection, then kill -9 of csess and csess resume: nothing lost, nothing run twice", async () => {
    const { s, f, args, starts, release, releaseAll, on, ids, watch } = await setUp(8);
    let runner = s.spawnCsess(["run", ...args]);
    const first = collect(runner);
    const said = (error: unknown) => new Error(`${(error as Error).message}; the runner said: ${first.stderr()} ${first.stdout().slice(-4000)}`);
    const finished = (id: string) => journal(s).some((e) => e.type === "task-finished" && e.taskId === id);
    // Every slot busy, remote ones included, all held: then the connections to both hosts drop under the runner.
    await waitUntil(s, () => (starts().length >= 6 ? true : undefined), STEP_MS, exited(runner), watch).catch((e: unknown) => Promise.reject(said(e)));
    f.dropConnections();
    // The runner carries on: a task on h1 released after the drop is waited for, fetched back and landed.
    const afterDrop = starts().find(on(0))!.id;
    release((x) => x.id === afterDrop);
    await waitUntil(s, () => (finished(afterDrop) ? true : undefined), STEP_MS, exited(runner), watch).catch((e: unknown) => Promise.reject(said(e)));
    // Its slot goes to a seventh task: csess is killed once that agent is running (not while starting it).
    await waitUntil(s, () => (starts().length >= 7 ? true : undefined), STEP_MS, exited(runner), watch).catch((e: unknown) => Promise.reject(said(e)));
    runner.kill("SIGKILL");
    expect(await within(exited(runner), STEP_MS, "the killed runner's exit")).toBe("SIGKILL");
    // While no csess runs, a task on h2 ends: its exit waits on the host.
    const whileDown = starts().find(on(1))!.id;
    release((x) => x.id === whileDown);
    runner = s.spawnCsess(["resume", "--json"]);
    const output = collect(runner);
    releaseAll();
    await expectExit(runner, output, 0);
    await expectAllLandedOnce(s, ids, reportOf({ code: 0, stdout: output.stdout(), stderr: "" }));
    expect(starts().map((x) => x.id).sort()).toEqual(Object.values(ids).sort());
    expect(journal(s).filter((e) => e.type === "host-down")).toEqual([]);
  }, 300_000);

  it("a host that stops answering has its tasks requeued on the others after --host-timeout", async () => {
    const { s, f, args, starts, releaseAll, on, ids, watch } = await setUp(6);
    const runner = s.spawnCsess(["run", ...args, "--host-timeout", "2"]);
    const output = collect(runner);
    await waitUntil(s, () => (starts().length >= 6 ? true : undefined), STEP_MS, exited(runner), watch);
    const lost = starts().filter(on(1)).map((x) => x.id);
    expect(lost).toHaveLength(2);
    f.hosts[1]!.stop();
    // Everything else may finish; h2's agents stay held (their host is gone for csess).
    releaseAll(on(1));
    await expectExit(runner, output, 0);
    await expectAllLandedOnce(s, ids, reportOf({ code: 0, stdout: output.stdout(), stderr: "" }));
    expect(journal(s).filter((e) => e.type === "host-down").map((e) => e.host)).toEqual(["h2"]);
    // The lost tasks ran again elsewhere; nothing else ran twice, and h2 got nothing after it went down.
    const ran = starts();
    expect(ran.filter(on(1)).map((x) => x.id).sort()).toEqual([...lost].sort());
    for (const id of lost) expect(ran.filter((x) => x.id === id && !on(1)(x))).toHaveLength(1);
    for (const id of Object.values(ids).filter((i) => !lost.includes(i))) expect(ran.filter((x) => x.id === id)).toHaveLength(1);
  }, 300_000);
});

describe.skipIf(unavailable !== undefined)("trust on an ssh host (real sshd): the same rules as here", () => {
  it("a sibling's commit on the host verifies nobody; a branch deleted on the host fails honestly, then the task is done fresh", async () => {
    const s = makeRunSandbox("# Plan\n\n- [ ] Alpha task\n- [ ] Beta task\n- [ ] Gamma task\n", { "README.md": "hello\n" });
    sandbox = s;
    const f = await startSshFleet(path.join(s.dir, "sshd"), 1);
    fleet = f;
    writeFileSync(path.join(s.repo, "csess.config.json"), JSON.stringify({ hosts: [{ host: "h1", slots: 3, dir: f.hosts[0]!.workDir }], sshConfig: f.configFile }));
    await commitAll(s);
    const flag = path.join(s.dir, "beta-done");
    const agent = path.join(s.dir, "agent.sh");
    writeFileSync(agent, [
      "set -e",
      'work() { git commit -q -m "$1" -m "Csess-Task: $CSESS_TASK_ID"; }',
      'case "$CSESS_TASK_TITLE" in',
      // Beta commits in Alpha's worktree on the host (naming Alpha in the trailer), then does nothing of its own.
      `  "Beta task") for d in ../alpha-task-*/; do (cd "$d" && echo HACKED > README.md && git add README.md && git commit -q -m "alpha work" -m "Csess-Task: $(basename "$d" | sed 's/.*-//')"); done; touch ${JSON.stringify(flag)} ;;`,
      // Alpha waits (bounded) for that and does nothing: without the host's stamps its branch would carry a "real" diff.
      `  "Alpha task") i=0; while [ ! -e ${JSON.stringify(flag)} ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done ;;`,
      '  "Gamma task")',
      '    if [ "$CSESS_ITERATION" = 1 ]; then b=$(git symbolic-ref --short HEAD); echo x > w.txt; git add w.txt; work w; git checkout -q --detach; git branch -q -D "$b"; exit 0; fi',
      '    echo "done by $CSESS_TASK_ID" > "work-$CSESS_TASK_ID.txt"; git add "work-$CSESS_TASK_ID.txt"; work "add work" ;;',
      "esac",
      "",
    ].join("\n"), { mode: 0o755 });
    const run = await cli(s, ["run", "--json", "--agent", "custom", "--agent-cmd", `sh ${agent}`, "--stagger", "0", "--no-notes", "--max-iterations", "2"], RUN_MS);
    const report = reportOf(run) as unknown as { tasks: Array<{ id: string; title: string; verdict: string; reason: string; iterations: number }> };
    const byTitle = (title: string) => report.tasks.find((t) => t.title === title)!;
    expect(byTitle("Alpha task").verdict, run.stderr).toBe("failed");
    expect(byTitle("Alpha task").reason).toMatch(/made by task \S+'s agent, not its own/);
    expect(byTitle("Beta task").verdict).toBe("failed");
    const gammaEvents = journal(s).filter((e) => e.taskId === byTitle("Gamma task").id).map((e) => `${e.type} ${JSON.stringify(e.reason ?? e.outcome ?? e.verdict ?? "")}`);
    expect(byTitle("Gamma task"), gammaEvents.join("\n")).toMatchObject({ verdict: "verified", iterations: 2 });
    // The stamps were made on the host (csess's hooks installed there) and came back with the branches.
    const hostStamps = path.join(f.hosts[0]!.workDir, "stamps");
    const logged = readdirSync(hostStamps).map((file) => readFileSync(path.join(hostStamps, file), "utf8")).join("");
    expect(logged).toMatch(new RegExp(`^${byTitle("Beta task").id} \\w+ \\w+ refs/heads/csess/\\S+-${byTitle("Alpha task").id}$`, "m"));
    const gamma = journal(s).filter((e) => e.type === "evidence" && e.taskId === byTitle("Gamma task").id).map((e) => e.reason);
    expect(gamma[0]).toMatch(/its branch is gone \(the agent deleted it\)/);
    // Nothing of the hostile work landed; Gamma's did, and only its box is ticked.
    expect(readFileSync(path.join(s.repo, "README.md"), "utf8")).toBe("hello\n");
    expect(await s.git("show", `main:work-${byTitle("Gamma task").id}.txt`)).toContain("done by");
    expect(s.prd().match(/- \[x\] (\w+ task)/g)).toEqual(["- [x] Gamma task"]);
    // `csess verify` judges the history the same way.
    const verify = JSON.parse((await cli(s, ["verify", "PRD.md", "--json"])).stdout) as { tasks: Array<{ id: string; verdict: string }> };
    expect(verify.tasks.map((t) => [t.id, t.verdict])).toEqual(report.tasks.map((t) => [t.id, t.verdict]));
  }, 240_000);
});
