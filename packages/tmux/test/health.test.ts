import { chown, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Tmux } from "../src/index.js";
import { eventually, makeSandbox, tmuxRaw, waitForFile, waitForProcessGone, type Sandbox } from "./helpers.js";

let box: Sandbox;
beforeEach(async () => {
  box = await makeSandbox();
});
afterEach(async () => {
  await box.cleanup();
});

/** Starts `sh -c SCRIPT` that first writes its pid to a file, and returns that pid once written. */
async function startWithPid(name: string, script: string, limits: { timeoutMs?: number; stallMs?: number; killGraceMs?: number } = {}) {
  const pidFile = path.join(box.dir, `${name}.pid`);
  await box.tmux.start({
    name,
    cwd: box.dir,
    argv: ["sh", "-c", `echo $$ > "$1.tmp" && mv "$1.tmp" "$1"; ${script}`, "sh", pidFile],
    stateDir: box.stateDir(name),
    ...limits,
  });
  await waitForFile(pidFile);
  return Number(await readFile(pidFile, "utf8"));
}

describe("health", () => {
  it("reports sessions dead, not running, when the tmux server is killed mid-run, and stops their commands", async () => {
    const pid = await startWithPid("victim", "exec sleep 600");
    const waiting = box.tmux.waitForExit("victim");
    expect((await box.tmux.status("victim")).state).toBe("running");
    await box.tmux.killServer();
    const outcome = await waiting;
    expect(outcome.state).toBe("dead");
    expect(await box.tmux.status("victim")).toMatchObject({ state: "dead", attachable: false });
    expect((await box.tmux.list()).map((s) => [s.name, s.state])).toEqual([["victim", "dead"]]);
    expect(await waitForProcessGone(pid)).toBe(true);
  });

  it("reports dead when the launcher itself is killed, and stops the command it left behind", async () => {
    const pid = await startWithPid("orphan", "exec sleep 600");
    const waiting = box.tmux.waitForExit("orphan");
    const launcherFile = path.join(box.stateDir("orphan"), "launcher.json");
    await waitForFile(launcherFile);
    const launcher = JSON.parse(await readFile(launcherFile, "utf8")) as { pid: number };
    process.kill(launcher.pid, "SIGKILL");
    expect((await waiting).state).toBe("dead");
    expect(await waitForProcessGone(pid)).toBe(true);
  });

  it("reports dead when the session is closed outside csess", async () => {
    await startWithPid("closed", "exec sleep 600");
    const waiting = box.tmux.waitForExit("closed");
    tmuxRaw(box.socket, ["kill-session", "-t", "=closed:"]);
    expect((await waiting).state).toBe("dead");
  });

  it("reports dead when the session was closed outside csess before anyone waited, the server still up", async () => {
    // The waiter of a session this process started goes straight to tmux's wait-for: the launcher's
    // signal, sent before the waiter connected, must still wake it.
    await startWithPid("keeper", "exec sleep 600");
    await startWithPid("closed-early", "exec sleep 600");
    const launcherFile = path.join(box.stateDir("closed-early"), "launcher.json");
    await waitForFile(launcherFile);
    const launcher = JSON.parse(await readFile(launcherFile, "utf8")) as { pid: number };
    tmuxRaw(box.socket, ["kill-session", "-t", "=closed-early:"]);
    expect(await waitForProcessGone(launcher.pid)).toBe(true);
    const outcome = await Promise.race([
      box.tmux.waitForExit("closed-early"),
      new Promise((resolve) => setTimeout(() => resolve("still waiting after 20 s"), 20_000)),
    ]);
    expect(outcome).toMatchObject({ state: "dead" });
    expect((await box.tmux.status("keeper")).state).toBe("running");
  });

  it("kills a command that runs past its timeout and records reason timeout", async () => {
    const pid = await startWithPid("slow", "exec sleep 600", { timeoutMs: 1000 });
    expect(await box.tmux.waitForExit("slow")).toMatchObject({ state: "exited", reason: "timeout", exitCode: 143, signal: "SIGTERM" });
    expect(await waitForProcessGone(pid)).toBe(true);
  });

  it("escalates to SIGKILL for a command that ignores SIGTERM, children included", async () => {
    const childPidFile = path.join(box.dir, "child.pid");
    const pid = await startWithPid("stubborn", `trap '' TERM; sleep 600 & echo $! > '${childPidFile}'; wait; exit 0`, { timeoutMs: 1000, killGraceMs: 500 });
    expect(await box.tmux.waitForExit("stubborn")).toMatchObject({ state: "exited", reason: "timeout", exitCode: 137 });
    expect(await waitForProcessGone(pid)).toBe(true);
    expect(await waitForProcessGone(Number(await readFile(childPidFile, "utf8")))).toBe(true);
  });

  it("kills a command whose output stalls and records reason stalled", async () => {
    await startWithPid("quiet", "echo started; exec sleep 600", { stallMs: 1500 });
    expect(await box.tmux.waitForExit("quiet")).toMatchObject({ state: "exited", reason: "stalled", exitCode: 143 });
    expect(await box.tmux.tail("quiet", 1)).toBe("started\n");
  });

  it("output resets the stall timer: a command printing for longer than the stall limit is killed only after it goes quiet", async () => {
    // 15 lines 0.25 s apart take about 4 s, twice the 2 s stall limit; then silence.
    await startWithPid("talker", "for i in $(seq 1 15); do echo tick $i; sleep 0.25; done; exec sleep 600", { stallMs: 2000 });
    const exit = await box.tmux.waitForExit("talker");
    expect(exit).toMatchObject({ state: "exited", reason: "stalled", exitCode: 143 });
    expect(await box.tmux.tail("talker", 1)).toBe("tick 15\n");
    expect(exit.state === "exited" && exit.durationMs).toBeGreaterThanOrEqual(3500 + 2000);
  }, 60_000);

  it("shows a running session without recent output as stalled", async () => {
    await startWithPid("idle", "exec sleep 600");
    expect((await box.tmux.status("idle", { stallMs: 60_000 })).state).toBe("running");
    await new Promise((r) => setTimeout(r, 300));
    expect((await box.tmux.status("idle", { stallMs: 100 })).state).toBe("stalled");
    expect((await box.tmux.list({ stallMs: 100 }))[0]?.state).toBe("stalled");
  });

  it("kill stops the command, records reason killed and closes the tmux session", async () => {
    const pid = await startWithPid("doomed", "exec sleep 600");
    const status = await box.tmux.kill("doomed");
    expect(status).toMatchObject({ state: "exited", reason: "killed", exitCode: 143, attachable: false });
    expect(await waitForProcessGone(pid)).toBe(true);
    expect(() => tmuxRaw(box.socket, ["has-session", "-t", "=doomed:"])).toThrow();
  });

  it("kill right after start still records killed (it waits for the launcher to be ready)", async () => {
    await box.tmux.start({ name: "early", cwd: box.dir, argv: ["sleep", "600"], stateDir: box.stateDir("early") });
    expect(await box.tmux.kill("early")).toMatchObject({ state: "exited", reason: "killed" });
  });

  it("keeps an exited session's pane attachable and readable", async () => {
    await box.tmux.start({ name: "kept", cwd: box.dir, argv: ["sh", "-c", "echo hi; exit 3"], stateDir: box.stateDir("kept") });
    await box.tmux.waitForExit("kept");
    expect(await box.tmux.status("kept")).toMatchObject({ state: "exited", exitCode: 3, attachable: true });
    expect(await box.tmux.capturePane("kept", 50)).toContain("hi");
    // Once the launcher itself has gone (it lingers half a second), the dead pane stays in tmux.
    const paneDead = () => tmuxRaw(box.socket, ["list-panes", "-t", "=kept:", "-F", "#{pane_dead}"]).trim() === "1";
    expect(await eventually(paneDead)).toBe(true);
    expect(await box.tmux.capturePane("kept", 50)).toMatch(/hi[\s\S]*kept exited with code 3/);
    expect(await box.tmux.status("kept")).toMatchObject({ state: "exited", exitCode: 3, attachable: true });
  });
});

describe("environment", () => {
  it("gives the command the caller's environment even when the server started earlier with another one", async () => {
    // A server started by someone else, long ago, with its own environment.
    spawnSyncServer(box.socket, {
      PATH: process.env.PATH ?? "",
      CSESS_T_VAR: "from-server",
      CSESS_T_SERVER_ONLY: "leak",
      // A server environment that would break a node launcher inheriting it.
      NODE_OPTIONS: "--require /nonexistent/preload.js",
    });
    const before = process.env.CSESS_T_VAR;
    process.env.CSESS_T_VAR = "from-caller";
    try {
      await box.tmux.start({
        name: "env",
        cwd: box.dir,
        argv: ["sh", "-c", 'printf "%s|%s|%s|%s" "$CSESS_T_VAR" "$CSESS_T_SERVER_ONLY" "$ADDED" "$CSESS_SESSION"'],
        env: { ADDED: "it's $(added)" },
        stateDir: box.stateDir("env"),
      });
    } finally {
      if (before === undefined) delete process.env.CSESS_T_VAR;
      else process.env.CSESS_T_VAR = before;
    }
    await box.tmux.waitForExit("env");
    expect(await box.tmux.tail("env", 1)).toBe("from-caller||it's $(added)|env");
  });

  it("keeps the launch file (it holds the environment) private, mode 0600, until the launcher has read it", async () => {
    // The launcher deletes the file as soon as it starts: a tmux wrapper looks at it just before tmux runs.
    const modes = path.join(box.dir, "modes.txt");
    const wrapper = path.join(box.dir, "tmux-wrapper.sh");
    await writeFile(wrapper, [
      "#!/bin/sh",
      'for arg in "$@"; do case $arg in CSESS_STATE_DIR=*) stat -c %a "${arg#CSESS_STATE_DIR=}/launch" >> "$MODES" ;; esac; done',
      'exec tmux "$@"',
    ].join("\n"), { mode: 0o755 });
    process.env.MODES = modes;
    const tmux = new Tmux({ socket: box.socket, home: box.home, tmuxBin: wrapper });
    await tmux.start({ name: "priv", cwd: box.dir, argv: ["true"], stateDir: box.stateDir("priv") }).finally(() => delete process.env.MODES);
    expect(await readFile(modes, "utf8")).toBe("600\n");
    expect((await stat(box.stateDir("priv"))).mode & 0o777).toBe(0o700);
    await tmux.waitForExit("priv");
    await expect(stat(path.join(box.stateDir("priv"), "launch"))).rejects.toThrow(/ENOENT/);
  });
});

function spawnSyncServer(socket: string, env: NodeJS.ProcessEnv): void {
  tmuxRaw(socket, ["new-session", "-d", "-s", "someone-else", "sleep", "600"], env);
}

describe("registry", () => {
  it("lets another process find, list and wait for sessions by name", async () => {
    await box.tmux.start({ name: "shared", cwd: box.dir, argv: ["sh", "-c", "exit 2"], stateDir: box.stateDir("shared"), meta: { run: "r1", task: "t-1" } });
    const other = new Tmux({ socket: box.socket, home: box.home });
    expect(await other.waitForExit("shared")).toMatchObject({ state: "exited", exitCode: 2 });
    const [status] = await other.list();
    expect(status).toMatchObject({ name: "shared", state: "exited", exitCode: 2, cwd: box.dir, command: "sh -c 'exit 2'", meta: { run: "r1", task: "t-1" } });
  });

  it("names unknown sessions and lists the known ones", async () => {
    await expect(box.tmux.status("nope")).rejects.toThrow(/unknown session "nope": no csess sessions are registered/);
    await box.tmux.start({ name: "known", cwd: box.dir, argv: ["true"], stateDir: box.stateDir("known") });
    await expect(box.tmux.waitForExit("nope")).rejects.toMatchObject({ code: "UNKNOWN_SESSION", message: expect.stringMatching(/known sessions: known/) });
  });

  it("reuses the name of an ended session, refuses a running one and a foreign tmux session", async () => {
    await box.tmux.start({ name: "again", cwd: box.dir, argv: ["sh", "-c", "exit 1"], stateDir: box.stateDir("again-1") });
    await box.tmux.waitForExit("again");
    await box.tmux.start({ name: "again", cwd: box.dir, argv: ["sleep", "600"], stateDir: box.stateDir("again-2") });
    expect(await box.tmux.status("again")).toMatchObject({ state: "running", stateDir: box.stateDir("again-2") });
    await expect(
      box.tmux.start({ name: "again", cwd: box.dir, argv: ["true"], stateDir: box.stateDir("again-3") }),
    ).rejects.toMatchObject({ code: "SESSION_EXISTS" });
    tmuxRaw(box.socket, ["new-session", "-d", "-s", "mine", "sleep", "600"]);
    await expect(
      box.tmux.start({ name: "mine", cwd: box.dir, argv: ["true"], stateDir: box.stateDir("mine") }),
    ).rejects.toThrow(/already exists .* not started by csess/);
  });

  it("forget drops an ended session from tmux and the list, keeps its files, and refuses a running one", async () => {
    await box.tmux.start({ name: "old", cwd: box.dir, argv: ["sh", "-c", "echo kept"], stateDir: box.stateDir("old") });
    await box.tmux.waitForExit("old");
    await box.tmux.start({ name: "busy", cwd: box.dir, argv: ["sleep", "600"], stateDir: box.stateDir("busy") });
    await expect(box.tmux.forget("busy")).rejects.toMatchObject({ code: "SESSION_EXISTS" });
    await box.tmux.forget("old");
    expect((await box.tmux.list()).map((s) => s.name)).toEqual(["busy"]);
    expect(() => tmuxRaw(box.socket, ["has-session", "-t", "=old:"])).toThrow();
    expect(await readFile(path.join(box.stateDir("old"), "output.log"), "utf8")).toBe("kept\n");
    expect(await box.tmux.status({ stateDir: box.stateDir("old") })).toMatchObject({ state: "exited", exitCode: 0 });
  });

  it("stops waiting when the caller aborts", async () => {
    await box.tmux.start({ name: "long", cwd: box.dir, argv: ["sleep", "600"], stateDir: box.stateDir("long") });
    const controller = new AbortController();
    const waiting = box.tmux.waitForExit("long", { signal: controller.signal });
    controller.abort(new Error("runner stopping"));
    await expect(waiting).rejects.toThrow("runner stopping");
  });
});

describe("setup errors", () => {
  it("says clearly when tmux is not installed", async () => {
    const tmux = new Tmux({ socket: box.socket, home: box.home, tmuxBin: "/nonexistent/tmux" });
    await expect(
      tmux.start({ name: "x", cwd: box.dir, argv: ["true"], stateDir: box.stateDir("x") }),
    ).rejects.toMatchObject({ code: "TMUX_NOT_FOUND", message: expect.stringMatching(/tmux is not installed/) });
  });

  it("creates the socket directory with mode 0700", async () => {
    const socket = path.join(box.dir, "new", "dir", "sock");
    const tmux = new Tmux({ socket, home: box.home });
    await tmux.start({ name: "sock", cwd: box.dir, argv: ["true"], stateDir: box.stateDir("sock") });
    await tmux.waitForExit("sock");
    await tmux.killServer();
    expect((await stat(path.dirname(socket))).mode & 0o777).toBe(0o700);
  });

  it.skipIf(process.getuid?.() !== 0)("refuses a socket directory owned by another user (needs root to chown)", async () => {
    const foreign = path.join(box.dir, "foreign");
    await mkdir(foreign, { mode: 0o777 });
    await chown(foreign, 65534, 65534);
    const tmux = new Tmux({ socket: path.join(foreign, "sock"), home: box.home });
    await expect(
      tmux.start({ name: "x", cwd: box.dir, argv: ["true"], stateDir: box.stateDir("x") }),
    ).rejects.toMatchObject({ code: "SOCKET_NOT_USABLE", message: expect.stringMatching(/belongs to user id 65534/) });
  });

  it("refuses a missing working directory before starting anything", async () => {
    await expect(
      box.tmux.start({ name: "x", cwd: path.join(box.dir, "missing"), argv: ["true"], stateDir: box.stateDir("x") }),
    ).rejects.toThrow(/cwd must be an existing directory; got ".*missing"/);
  });

  it("resolves a relative cwd against the caller's directory", async () => {
    await writeFile(path.join(box.dir, "marker"), "");
    const rel = path.relative(process.cwd(), box.dir);
    await box.tmux.start({ name: "rel", cwd: rel, argv: ["ls", "marker"], stateDir: box.stateDir("rel") });
    expect(await box.tmux.waitForExit("rel")).toMatchObject({ exitCode: 0 });
  });
});

describe("the perl launcher", () => {
  it("says what to install when no perl is on PATH, before starting anything", async () => {
    const saved = process.env.PATH;
    process.env.PATH = path.join(box.dir, "empty-bin");
    try {
      await expect(box.tmux.start({ name: "noperl", cwd: box.dir, argv: ["true"], stateDir: box.stateDir("noperl") })).rejects.toMatchObject({
        code: "PERL_NOT_FOUND",
        message: expect.stringContaining("apt-get install perl-base"),
      });
    } finally {
      process.env.PATH = saved;
    }
    expect(await box.tmux.list()).toEqual([]);
    await expect(stat(box.stateDir("noperl"))).rejects.toThrow(/ENOENT/); // no environment left on disk
  });

  it("refuses NUL bytes in argv and hook (exec cannot pass them) with an example of the right form", async () => {
    await expect(box.tmux.start({ name: "nul", cwd: box.dir, argv: ["echo", "a\0b"], stateDir: box.stateDir("nul") })).rejects.toMatchObject({
      code: "INVALID_SPEC",
      message: expect.stringContaining('argv must be a non-empty array of strings without NUL bytes, for example ["sh", "-c", "npm test"]'),
    });
    await expect(box.tmux.start({ name: "nul", cwd: box.dir, argv: ["true"], hook: ["x\0"], stateDir: box.stateDir("nul") })).rejects.toMatchObject({
      code: "INVALID_SPEC",
    });
  });
});
