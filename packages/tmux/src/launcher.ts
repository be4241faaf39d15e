/**
 * The process tmux runs in a csess pane: `node launcher.js`, with only CSESS_STATE_DIR passed by tmux.
 * It reads the command (argv), environment and stdin file from the state directory, so no user text
 * ever meets a shell or the tmux command line. It tees output to the log, enforces the timeout and stall
 * limits itself (they hold while no orchestrator is alive), writes the exit file atomically (tmux 3.3a
 * loses fast exit statuses), signals the wait-for channel, runs the hook, and keeps the pane open briefly.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { constants } from "node:os";
import { stateFile, writeFileAtomicSync, type LauncherInfo, type SessionRecord } from "./state.js";
import type { ExitInfo, ExitReason } from "./types.js";

/** Long enough for tmux to drain the pty and apply remain-on-exit; the exit file is already written. */
const HOLD_PANE_MS = 500;
/** Output still arriving after the command exited (a background child holding the pipe) is not waited for longer. */
const DRAIN_MS = 1000;
const HOOK_LIMIT_MS = 60_000;

const stateDir = process.env.CSESS_STATE_DIR;
if (!stateDir) {
  process.stderr.write("csess launcher: CSESS_STATE_DIR is not set; this script is started by @csess/tmux\n");
  process.exit(2);
}
const record = JSON.parse(readFileSync(stateFile(stateDir, "session"), "utf8")) as SessionRecord;
const env = JSON.parse(readFileSync(stateFile(stateDir, "env"), "utf8")) as Record<string, string>;
// The caller's environment holds API keys: it lives on disk only until the launcher has it.
rmSync(stateFile(stateDir, "env"), { force: true });
// The command runs inside this pane, whatever tmux the caller was in.
for (const key of ["TMUX", "TMUX_PANE"]) {
  const value = process.env[key];
  if (value === undefined) delete env[key];
  else env[key] = value;
}

const logFile = stateFile(stateDir, "log");
const logFd = openSync(logFile, "a");
let paneAlive = true;
process.stdout.on("error", () => (paneAlive = false));

function output(chunk: Buffer): void {
  if (finished) return;
  writeSync(logFd, chunk);
  if (paneAlive) process.stdout.write(chunk);
  stallTimer?.refresh();
}

let reason: ExitReason = "exit";
/** Set when the pane or the tmux server went away: the session is `dead`, so no exit file is written. */
let orphaned = false;
let terminating = false;
let finished = false;

process.on("SIGTERM", () => terminate("killed"));
process.on("SIGHUP", () => {
  orphaned = true;
  paneAlive = false;
  terminate("killed");
});
// Ctrl-C in an attached pane reaches only our group; pass it on and let the command decide.
process.on("SIGINT", () => killGroup("SIGINT"));

const stallTimer =
  record.stallMs === undefined ? undefined : setTimeout(() => terminate("stalled"), record.stallMs);
const timeoutTimer =
  record.timeoutMs === undefined ? undefined : setTimeout(() => terminate("timeout"), record.timeoutMs);

const child = spawnCommand();
if (child) {
  child.stdout?.on("data", output);
  child.stderr?.on("data", output);
}
// Signal handlers are in place once this file exists: `kill` waits for it before sending SIGTERM.
const launcherInfo: LauncherInfo = { pid: process.pid, ...(child?.pid === undefined ? {} : { commandPid: child.pid }) };
writeFileAtomicSync(stateFile(stateDir, "launcher"), JSON.stringify(launcherInfo) + "\n");

/** Starts the command, or records why it could not start (as a shell would: 127 not found, 126 otherwise). */
function spawnCommand(): ChildProcess | undefined {
  const cannotRun = (why: string, exitCode: number) => {
    output(Buffer.from(`csess: cannot run ${JSON.stringify(record.argv[0])}: ${why}\n`));
    setImmediate(() => void finish(exitCode, undefined));
    return undefined;
  };
  let stdin: number | "inherit" = "inherit";
  if (record.stdinFile !== undefined) {
    try {
      stdin = openSync(record.stdinFile, "r");
    } catch (error) {
      return cannotRun(`cannot read its stdin file: ${(error as Error).message}`, 126);
    }
  }
  // detached: the command gets its own process group, so killing it reaches its children and not us.
  const spawned = spawn(record.argv[0] ?? "", record.argv.slice(1), { cwd: record.cwd, env, stdio: [stdin, "pipe", "pipe"], detached: true });
  if (spawned.pid === undefined) {
    // Node reports a failed spawn asynchronously; the error event says which failure it was.
    spawned.on("error", (error: NodeJS.ErrnoException) => cannotRun(error.message, error.code === "ENOENT" ? 127 : 126));
    return undefined;
  }
  spawned.on("error", (error) => note(`command error: ${error.message}`));
  spawned.on("exit", (code, signal) => {
    const drain = setTimeout(() => void finish(code, signal), DRAIN_MS);
    spawned.on("close", () => {
      clearTimeout(drain);
      void finish(code, signal);
    });
  });
  return spawned;
}

function killGroup(signal: NodeJS.Signals): void {
  if (child?.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is already gone
  }
}

function terminate(why: ExitReason): void {
  if (terminating || finished) return;
  terminating = true;
  reason = why;
  note(`stopping the command (${why}): SIGTERM, SIGKILL in ${record.killGraceMs} ms`);
  killGroup("SIGTERM");
  setTimeout(() => killGroup("SIGKILL"), record.killGraceMs);
}

function note(text: string): void {
  if (paneAlive) process.stdout.write(`\n[csess] ${text}\n`);
}

async function finish(code: number | null, signal: NodeJS.Signals | null | undefined): Promise<void> {
  if (finished) return;
  finished = true;
  clearTimeout(stallTimer);
  clearTimeout(timeoutTimer);
  child?.stdout?.destroy();
  child?.stderr?.destroy();
  closeSync(logFd);
  const exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
  if (!orphaned) {
    const endedAt = new Date();
    const info: ExitInfo = {
      exitCode,
      ...(signal ? { signal } : {}),
      reason,
      startedAt: record.startedAt,
      endedAt: endedAt.toISOString(),
      durationMs: endedAt.getTime() - Date.parse(record.startedAt),
    };
    // The state folder may have been deleted under us (by the command itself): the exit file still lands.
    writeFileAtomicSync(stateFile(stateDir!, "exit"), JSON.stringify(info) + "\n");
  }
  // Wakes waiters at once; for an orphaned session they then see it gone without an exit file (dead).
  await runQuietly([record.tmuxBin, "-S", record.socket, "wait-for", "-S", record.channel], 10_000);
  if (!orphaned && record.hook && record.hook.length > 0) {
    await runQuietly(record.hook, HOOK_LIMIT_MS, {
      CSESS_SESSION: record.name,
      CSESS_EXIT_CODE: String(exitCode),
      CSESS_EXIT_REASON: reason,
      CSESS_CWD: record.cwd,
      CSESS_LOG_FILE: logFile,
      CSESS_STATE_DIR: stateDir!,
    });
  }
  note(`${record.name} exited with code ${exitCode}${reason === "exit" ? "" : ` (${reason})`} at ${new Date().toISOString()}; output in ${logFile}`);
  setTimeout(() => process.exit(exitCode & 0xff), orphaned ? 0 : HOLD_PANE_MS);
}

/** Runs a helper (tmux signal, completion hook) to its end or its time limit; its failure is only reported. */
function runQuietly(argv: string[], limitMs: number, extraEnv: Record<string, string> = {}): Promise<void> {
  return new Promise((resolve) => {
    const helper = spawn(argv[0] ?? "", argv.slice(1), {
      cwd: record.cwd,
      env: { ...env, ...extraEnv },
      // detached: the hook survives the pane closing when it outlives the launcher.
      detached: true,
      stdio: ["ignore", paneAlive ? "inherit" : "ignore", paneAlive ? "inherit" : "ignore"],
    });
    const limit = setTimeout(resolve, limitMs);
    helper.on("error", (error) => {
      note(`${argv[0]} failed: ${error.message}`);
      clearTimeout(limit);
      resolve();
    });
    helper.on("exit", () => {
      clearTimeout(limit);
      resolve();
    });
  });
}
