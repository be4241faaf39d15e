// The ssh executor against a real OpenSSH server started by the test (fixtures/sshd): sessions run in
// the host's own tmux with the launcher copied there, and come back through ssh. No mocks.
import { execFileSync } from "node:child_process";
import { closeSync, constants, existsSync, openSync, readdirSync, readFileSync, writeSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSshFleet, sshdUnavailable, within, type TestSshFleet } from "../../../fixtures/sshd/sshd.js";
import { SshTmux, type ExecutorOutcome } from "../src/index.js";
import { writeRemoteLink } from "../src/remote-registry.js";
import { SshConnection } from "../src/ssh.js";
import { eventually } from "./helpers.js";
import { removeTree } from "@csess/test-kit";

/** The bound of every wait for a session here (they take a few seconds). */
const WAIT_MS = 45_000;

/** How many processes of this machine (the hosts are this machine) have every word in their command line. */
function processesWith(words: string[]): number {
  return readdirSync("/proc").filter((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      return words.every((w) => argv.includes(w) || argv.some((a) => a.endsWith(`/${w}`)));
    } catch {
      return false; // exited meanwhile
    }
  }).length;
}

/** A session's end, waited for at most WAIT_MS. */
function ended(ssh: SshTmux, stateDir: string): Promise<ExecutorOutcome> {
  return within(ssh.waitForExit({ stateDir }), WAIT_MS, `the end of the session in ${stateDir}`);
}

const unavailable = sshdUnavailable();
if (unavailable) console.warn(`skipping the ssh executor tests: ${unavailable}`);

describe.skipIf(unavailable !== undefined)("ssh executor (real sshd)", () => {
  let dir: string;
  let fleet: TestSshFleet;
  const executor = (hostIndex: number, extra: { unreachableAfterMs?: number; reuse?: boolean } = {}) =>
    new SshTmux({
      host: fleet.hosts[hostIndex]!.alias,
      configFile: fleet.configFile,
      ...(extra.reuse === false ? {} : { controlDir: path.join(dir, "ctl") }),
      workDir: fleet.hosts[hostIndex]!.workDir,
      home: path.join(dir, "home"),
      ...(extra.unreachableAfterMs ? { unreachableAfterMs: extra.unreachableAfterMs } : {}),
    });
  const local = (name: string) => path.join(dir, "state", name);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "csh-"));
    fleet = await startSshFleet(path.join(dir, "sshd"), 2);
  }, 60_000);

  afterAll(async () => {
    // The hosts' tmux servers run on this machine: stop them, then the servers.
    fleet?.close();
    await removeTree(dir);
  }, 60_000);

  it("runs a command in the host's work dir with the copied stdin file and env, and brings log and exit back over one connection", async () => {
    const ssh = executor(0);
    const before = fleet.hosts[0]!.accepted();
    const stateDir = local("first");
    await rm(stateDir, { recursive: true, force: true });
    await mkdir(stateDir, { recursive: true });
    await writeFile(path.join(stateDir, "prompt.md"), "the prompt\n");
    const remoteDir = await ssh.sessionDir(stateDir);
    const workDir = await ssh.workDir();
    expect(remoteDir.startsWith(fleet.hosts[0]!.workDir)).toBe(true);
    await ssh.start(
      {
        name: "first", cwd: workDir, stateDir,
        argv: ["sh", "-c", 'echo "cwd=$(pwd)"; echo "x=$CSESS_X"; cat; echo "host-file" > "$OUT"; exit 3'],
        env: { CSESS_X: "from csess", OUT: path.posix.join(remoteDir, "last-message.txt") },
        stdinFile: path.posix.join(remoteDir, "prompt.md"),
      },
      { copy: ["prompt.md"] },
    );
    expect(await ended(ssh, stateDir)).toMatchObject({ state: "exited", exitCode: 3, reason: "exit" });
    const log = await readFile(path.join(stateDir, "output.log"), "utf8");
    expect(log).toContain(`cwd=${workDir}`);
    expect(log).toContain("x=from csess");
    expect(log).toContain("the prompt");
    // Files the command left in its state directory come back too; the host's environment does not.
    expect(await readFile(path.join(stateDir, "last-message.txt"), "utf8")).toBe("host-file\n");
    await expect(readFile(path.join(stateDir, "launch"))).rejects.toThrow();
    // The session is in the host's tmux and its registry, and found by name from here.
    expect(await ssh.status("first")).toMatchObject({ state: "exited", exitCode: 3, host: "h1", stateDir });
    expect(await ssh.tail("first", 5)).toContain("x=from csess");
    expect((await ssh.list()).map((s) => s.name)).toContain("first");
    // Every call above went over the one master connection.
    expect(fleet.hosts[0]!.accepted() - before).toBe(1);
  }, 60_000);

  it("a remote command that exits without reading its input reports its exit code (no EPIPE crash)", async () => {
    const connection = new SshConnection({ host: fleet.hosts[0]!.alias, configFile: fleet.configFile, controlDir: path.join(dir, "ctl") });
    const input = Buffer.alloc(16 * 1024 * 1024, "x"); // far more than the pipes hold
    for (let i = 0; i < 3; i++) {
      expect(await connection.run(["sh", "-c", "exit 3"], { input })).toMatchObject({ code: 3 });
    }
  });

  it("keeps waiting across a dropped connection: the session lives on in the host's tmux", async () => {
    const ssh = executor(1);
    const stateDir = local("survivor");
    const waiting = within(ssh.waitForExit({ stateDir }).catch((e: unknown) => e), WAIT_MS, "a wait for no session");
    // The session holds until the test writes a line to a FIFO (held open here, so the line waits for it).
    const fifo = path.join(dir, "survivor.fifo");
    execFileSync("mkfifo", [fifo]);
    const gate = openSync(fifo, constants.O_RDWR);
    try {
      await ssh.start({ name: "survivor", cwd: "/", stateDir, argv: ["sh", "-c", 'read line < "$1"; echo "survived $line"', "sh", fifo] });
      const outcome = ended(ssh, stateDir);
      // The long-lived wait is running on the host when both connections drop.
      const remoteDir = await ssh.sessionDir(stateDir);
      expect(await eventually(() => processesWith(["remote-cli.js", "wait", remoteDir]) > 0, WAIT_MS)).toBe(true);
      fleet.dropConnections();
      writeSync(gate, "the drop\n");
      expect(await outcome).toMatchObject({ state: "exited", exitCode: 0 });
    } finally {
      closeSync(gate);
    }
    expect(await readFile(path.join(stateDir, "output.log"), "utf8")).toContain("survived the drop");
    // A wait begun before the session existed saw no session (it never blocks on a missing one).
    expect(await waiting).toMatchObject({ state: "dead" });
  }, 60_000);

  it("a fresh executor (a restarted csess) picks up a session it did not start", async () => {
    const stateDir = local("adopted");
    await executor(0).start({ name: "adopted", cwd: "/", stateDir, argv: ["sh", "-c", "sleep 1; echo adopted"] });
    expect(await ended(executor(0), stateDir)).toMatchObject({ state: "exited", exitCode: 0 });
    expect(await readFile(path.join(stateDir, "output.log"), "utf8")).toContain("adopted");
  }, 60_000);

  it("a start still on its way when a resumed csess finds no session does not run (no task twice)", async () => {
    const ssh = executor(0);
    const stateDir = local("late");
    const marker = path.join(dir, "late-ran");
    // What a csess killed while starting leaves: the link (written before the ssh start), no session yet.
    await mkdir(stateDir, { recursive: true });
    await writeRemoteLink(path.join(dir, "home"), {
      version: 1, name: "late", host: fleet.hosts[0]!.alias, workDir: await ssh.workDir(),
      remoteStateDir: await ssh.sessionDir(stateDir), stateDir, startedAt: new Date().toISOString(),
    });
    // The resumed csess's wait: dead, and the host gives the attempt up for good.
    expect(await ended(executor(0), stateDir)).toMatchObject({ state: "dead" });
    // The killed csess's start arrives late: refused, nothing runs.
    await expect(ssh.start({ name: "late", cwd: "/", stateDir, argv: ["sh", "-c", `echo ran > ${marker}`] })).rejects.toThrow(/gave it up/);
    expect(existsSync(marker)).toBe(false);
  }, 60_000);

  it("kill stops a remote session and records it as killed", async () => {
    const ssh = executor(0);
    const stateDir = local("victim");
    await ssh.start({ name: "victim", cwd: "/", stateDir, argv: ["sleep", "600"], killGraceMs: 500 });
    expect(await ssh.status("victim")).toMatchObject({ state: "running" });
    expect(await ssh.kill("victim")).toMatchObject({ state: "exited", reason: "killed" });
    expect(await ended(ssh, stateDir)).toMatchObject({ state: "exited", reason: "killed" });
  }, 60_000);

  it("without connection reuse every call connects anew", async () => {
    const ssh = executor(0, { reuse: false });
    const before = fleet.hosts[0]!.accepted();
    const stateDir = local("noreuse");
    await ssh.start({ name: "noreuse", cwd: "/", stateDir, argv: ["true"] });
    expect(await ended(ssh, stateDir)).toMatchObject({ state: "exited", exitCode: 0 });
    expect(fleet.hosts[0]!.accepted() - before).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it("resolves unreachable once a host stops answering for the timeout", async () => {
    const ssh = executor(1, { unreachableAfterMs: 2000 });
    const stateDir = local("stranded");
    await ssh.start({ name: "stranded", cwd: "/", stateDir, argv: ["sleep", "600"] });
    const outcome = ended(ssh, stateDir);
    fleet.hosts[1]!.stop();
    expect(await outcome).toMatchObject({ state: "unreachable", detail: expect.stringMatching(/ssh host h2 has not answered/) });
    // A session that ended there still shows its log: the copy brought back when it ended.
    expect(await within(ssh.tail("survivor", 5), WAIT_MS, "the log of an ended session")).toContain("survived the drop");
    await fleet.hosts[1]!.start();
  }, 60_000);
});
