// A PRD run across this machine and two ssh hosts, each a real OpenSSH server started by the test
// (fixtures/sshd: its own port, host and user keys, HOME and work directory). The built CLI runs as a
// child process; agents are the scripted fake agent, started through a wrapper that records where it ran.
// No mocks: sessions live in each host's tmux, work travels by git over ssh.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startSshFleet, sshdUnavailable, type TestSshFleet } from "../../../fixtures/sshd/sshd.js";
import {
  collect, commitAll, exited, FAKE_AGENT, journal, makeRunSandbox, reportOf, taskIds, waitUntil, type RunSandbox,
} from "./run-helpers.js";

const unavailable = sshdUnavailable();
if (unavailable) console.warn(`skipping the ssh run tests: ${unavailable}`);

let sandbox: RunSandbox | undefined;
let fleet: TestSshFleet | undefined;
afterEach(async () => {
  for (const host of fleet?.hosts ?? []) {
    try {
      execFileSync("tmux", ["-S", path.join(host.workDir, "tmux.sock"), "kill-server"], { stdio: "ignore" });
    } catch {
      // no server was started there
    }
  }
  fleet?.stopAll();
  fleet = undefined;
  await sandbox?.cleanup();
  sandbox = undefined;
});

/**
 * A repo with `count` tasks whose fake agent takes `slowSeconds`, a config naming local + h1 + h2 with
 * a work directory each, and a wrapper agent logging "<task> <pwd>" to where.log on every start.
 */
async function setUp(count: number, slowSeconds: number, extraConfig: Record<string, unknown> = {}) {
  const titles = Array.from({ length: count }, (_, i) => `Add the slow file number ${i + 1}`);
  const s = makeRunSandbox(`# Fleet\n\n${titles.map((t) => `- [ ] ${t}`).join("\n")}\n`);
  sandbox = s;
  const f = await startSshFleet(path.join(s.dir, "sshd"), 2);
  fleet = f;
  // The hosts' own user environment: a git identity in each host's home.
  for (const host of f.hosts) {
    writeFileSync(path.join(host.workDir, "..", "home", ".gitconfig"), "[user]\n\tname = Remote User\n\temail = remote@example.invalid\n");
  }
  const where = path.join(s.dir, "where.log");
  const config = {
    hosts: ["local:2", { host: "h1", slots: 2, dir: f.hosts[0]!.workDir }, { host: "h2", slots: 2, dir: f.hosts[1]!.workDir }],
    sshConfig: f.configFile,
    // Passed explicitly to every agent, on every host (the hosts do not see csess's own environment).
    agentEnv: { FAKE_AGENT_SLOW: String(slowSeconds), FAKE_AGENT_STATE: path.join(s.dir, "agent-state") },
    ...extraConfig,
  };
  writeFileSync(path.join(s.repo, "csess.config.json"), JSON.stringify(config, null, 2));
  writeFileSync(path.join(s.repo, ".gitignore"), ".csess/\n");
  await commitAll(s);
  const agentCmd = `printf '%s %s\\n' "$CSESS_TASK_ID" "$PWD" >> ${where}; exec sh ${FAKE_AGENT}`;
  const args = ["--agent", "custom", "--agent-cmd", agentCmd, "--stagger", "0.1", "--no-notes", "--json"];
  const starts = () => (existsSync(where) ? readFileSync(where, "utf8").split("\n").filter(Boolean).map((l) => l.split(" ") as [string, string]) : []);
  return { s, f, args, starts, ids: await taskIds(s) };
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
    const { s, f, args, starts, ids } = await setUp(8, 1);
    const result = await s.csess(["run", ...args]);
    expect(result.code, result.stderr).toBe(0);
    await expectAllLandedOnce(s, ids, reportOf(result));
    // One start per task, and agents really ran in each host's work directory.
    const ran = starts();
    expect(ran.map(([id]) => id).sort()).toEqual(Object.values(ids).sort());
    const on = (dir: string) => ran.filter(([, pwd]) => pwd.startsWith(dir + "/")).length;
    expect(on(f.hosts[0]!.workDir)).toBeGreaterThan(0);
    expect(on(f.hosts[1]!.workDir)).toBeGreaterThan(0);
    expect(ran.length - on(f.hosts[0]!.workDir) - on(f.hosts[1]!.workDir)).toBeGreaterThan(0);
    const hosts = journal(s).filter((e) => e.type === "iteration-started").map((e) => e.host ?? "local");
    expect(new Set(hosts)).toEqual(new Set(["local", "h1", "h2"]));
    // One connection per host for the whole run (ControlMaster), git included.
    for (const host of f.hosts) expect(host.accepted()).toBeLessThanOrEqual(2);

    // status, logs and kill find the remote sessions from here.
    const status = JSON.parse((await s.csess(["status", "--json"])).stdout) as { sessions: Array<{ name: string; host: string; state: string }> };
    const remote = status.sessions.filter((x) => x.host === "h1" || x.host === "h2");
    expect(remote.length).toBeGreaterThan(0);
    expect(remote.every((x) => x.state === "exited")).toBe(true);
    const logs = await s.csess(["logs", remote[0]!.name, "-n", "50"]);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toMatch(/fake agent: task \w+ iteration 1/);
    const killed = await s.csess(["kill", remote[0]!.name]);
    expect(killed.stdout).toMatch(/had already exited \(exit 0\)/);
    // doctor --host checks the host as a run uses it.
    const doctor = await s.csess(["doctor", "--host", "h1", "--ssh-config", f.configFile, "--agent", "custom", "--json"]);
    expect(doctor.code, doctor.stdout).toBe(0);
    expect(JSON.parse(doctor.stdout)).toMatchObject({ ok: true, reachable: true, tools: [{ name: "tmux", ok: true }, { name: "git", ok: true }, { name: "node", ok: true }] });
    const down = await s.csess(["doctor", "--host", "nosuchhost.invalid", "--agent", "custom"]);
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(/cannot connect/);
  }, 240_000);

  it("a dropped ssh connection, then kill -9 of csess and csess resume: nothing lost, nothing run twice", async () => {
    const { s, f, args, starts, ids } = await setUp(8, 4);
    let runner = s.spawnCsess(["run", ...args]);
    const first = collect(runner);
    const said = (error: unknown) => new Error(`${(error as Error).message}; the runner said: ${first.stderr()} ${first.stdout().slice(-4000)}`);
    // Every slot busy, remote ones included: then the connections to both hosts drop under the runner.
    await waitUntil(s, () => (new Set(starts().map(([, pwd]) => pwd.split("/worktrees/")[0])).size >= 3 && starts().length >= 6 ? true : undefined), 120_000, exited(runner), [s.dir]).catch((e: unknown) => Promise.reject(said(e)));
    f.dropConnections();
    // The runner carries on: a task finishes after the drop, and only then is the runner killed.
    const finishedBefore = journal(s).filter((e) => e.type === "task-finished").length;
    await waitUntil(s, () => (journal(s).filter((e) => e.type === "task-finished").length > finishedBefore ? true : undefined), 120_000, exited(runner))
      .catch((e: unknown) => Promise.reject(said(e)));
    runner.kill("SIGKILL");
    expect(await exited(runner)).toBe("SIGKILL");
    runner = s.spawnCsess(["resume", "--json"]);
    const output = collect(runner);
    expect(await exited(runner), output.stderr() + output.stdout().slice(-3000)).toBe(0);
    const report = reportOf({ code: 0, stdout: output.stdout(), stderr: "" });
    await expectAllLandedOnce(s, ids, report);
    expect(starts().map(([id]) => id).sort()).toEqual(Object.values(ids).sort());
    expect(journal(s).filter((e) => e.type === "host-down")).toEqual([]);
  }, 300_000);

  it("a host that stops answering has its tasks requeued on the others after --host-timeout", async () => {
    const { s, f, args, starts, ids } = await setUp(6, 4);
    const runner = s.spawnCsess(["run", ...args, "--host-timeout", "2"]);
    const output = collect(runner);
    await waitUntil(s, () => (starts().some(([, pwd]) => pwd.startsWith(f.hosts[1]!.workDir + "/")) ? true : undefined), 120_000, exited(runner), [s.dir]);
    f.hosts[1]!.stop();
    expect(await exited(runner), output.stderr()).toBe(0);
    await expectAllLandedOnce(s, ids, reportOf({ code: 0, stdout: output.stdout(), stderr: "" }));
    expect(journal(s).filter((e) => e.type === "host-down").map((e) => e.host)).toEqual(["h2"]);
    // The lost tasks ran again elsewhere; nothing else ran twice, and h2 got nothing after it went down.
    const ran = starts();
    const lost = [...new Set(ran.filter(([, pwd]) => pwd.startsWith(f.hosts[1]!.workDir + "/")).map(([id]) => id))];
    expect(lost.length).toBeGreaterThan(0);
    for (const id of lost) expect(ran.filter(([t, pwd]) => t === id && !pwd.startsWith(f.hosts[1]!.workDir + "/")).length).toBe(1);
    for (const id of Object.values(ids).filter((i) => !lost.includes(i))) expect(ran.filter(([t]) => t === id)).toHaveLength(1);
  }, 300_000);
});
