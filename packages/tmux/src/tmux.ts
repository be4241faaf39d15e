import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TmuxError } from "./errors.js";
import { launchFile, perlPath } from "./launch.js";
import { followFile, readLastLines } from "./logs.js";
import { defaultHome, defaultSocketPath, prepareSocket } from "./paths.js";
import { formatArgv } from "./quote.js";
import { checkSpec } from "./spec.js";
import {
  readExitInfo,
  readRegistry,
  readRegistryEntry,
  readSessionRecord,
  removeRegistryEntry,
  stateFile,
  stopOrphanedCommand,
  waitForLauncherInfo,
  writeFileAtomic,
  writeRegistryEntry,
  type SessionRecord,
} from "./state.js";
import { listPaneStates, paneState, runTmux, type PaneState } from "./tmux-cli.js";
import type {
  ExitOutcome,
  SessionHandle,
  SessionRef,
  SessionSpec,
  SessionStatus,
  TmuxOptions,
} from "./types.js";
import { waitForSessionExit } from "./wait.js";
import type { Executor } from "./executor.js";

/**
 * The launcher tmux runs (a perl script): beside this module, in `src/` for the tests, in `dist/` when
 * this package is built or bundled into an app that copies `launcher.pl` beside its chunks.
 */
const LAUNCHER = fileURLToPath(new URL("./launcher.pl", import.meta.url));

interface Resolved {
  stateDir: string;
  record: SessionRecord;
}

export interface StatusOptions {
  /** Report a running session as `stalled` after this long without output (default: the session's own stallMs). */
  stallMs?: number;
}

/** Sessions on one tmux socket, found again by name through the registry under `home`. */
export class Tmux implements Executor {
  readonly host = "local";
  readonly socket: string;
  readonly home: string;
  readonly tmuxBin: string;
  /** The sessions this object started, by state directory: waited for even if session.json is deleted meanwhile. */
  private readonly started = new Map<string, SessionRecord>();

  constructor(options: TmuxOptions = {}) {
    this.socket = path.resolve(options.socket ?? defaultSocketPath());
    this.home = path.resolve(options.home ?? defaultHome());
    this.tmuxBin = options.tmuxBin ?? "tmux";
  }

  /** A local session keeps its files in its state directory itself. */
  sessionDir(localStateDir: string): Promise<string> {
    return Promise.resolve(path.resolve(localStateDir));
  }

  /** Starts the command in a new detached session and returns at once. */
  async start(input: SessionSpec): Promise<SessionHandle> {
    const spec = await checkSpec(input);
    const perl = perlPath();
    await prepareSocket(this.socket);
    await this.makeRoomFor(spec.name);
    const { stateDir, name } = spec;
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await rm(stateFile(stateDir, "exit"), { force: true });
    await rm(stateFile(stateDir, "launcher"), { force: true });
    await writeFile(stateFile(stateDir, "log"), "", { mode: 0o600 });
    const record: SessionRecord = {
      version: 1,
      name,
      socket: this.socket,
      tmuxBin: this.tmuxBin,
      channel: `csess-${name}-${randomBytes(6).toString("hex")}`,
      cwd: spec.cwd,
      argv: spec.argv,
      ...(spec.stdinFile === undefined ? {} : { stdinFile: spec.stdinFile }),
      ...(spec.hook === undefined ? {} : { hook: spec.hook }),
      ...(spec.timeoutMs === undefined ? {} : { timeoutMs: spec.timeoutMs }),
      ...(spec.stallMs === undefined ? {} : { stallMs: spec.stallMs }),
      killGraceMs: spec.killGraceMs,
      meta: spec.meta ?? {},
      startedAt: new Date().toISOString(),
    };
    await writeFileAtomic(stateFile(stateDir, "launch"), launchFile(record, { ...spec.env, CSESS_SESSION: name }), 0o600);
    await writeFileAtomic(stateFile(stateDir, "session"), JSON.stringify(record, null, 2) + "\n");
    const target = `=${name}:`;
    const newSession = [
      "new-session", "-d", "-s", name, "-x", "200", "-y", "50", "-e", `CSESS_STATE_DIR=${stateDir}`,
      "--", perl, LAUNCHER, ";",
      "set-option", "-t", target, "@csess-channel", record.channel, ";",
      "set-option", "-w", "-t", target, "remain-on-exit", "on", ";",
      // Wakes waiters if the launcher itself is killed (it signals the channel on every normal path).
      "set-hook", "-t", target, "pane-died", `wait-for -S ${record.channel}`,
    ];
    for (let attempt = 1; ; attempt++) {
      try {
        await runTmux(this.tmuxBin, this.socket, newSession);
        break;
      } catch (error) {
        // A server being killed just as we connected: the next attempt starts a fresh one.
        if (error instanceof TmuxError && error.code === "SERVER_NOT_RUNNING" && attempt < 3) {
          await new Promise((r) => setTimeout(r, 100 * attempt));
          continue;
        }
        if (error instanceof TmuxError && /duplicate session/.test(error.message)) throw foreignSession(name, this.socket);
        throw error;
      }
    }
    await writeRegistryEntry(this.home, { name, socket: this.socket, stateDir });
    this.started.set(path.resolve(stateDir), record);
    return {
      name,
      socket: this.socket,
      stateDir,
      logFile: stateFile(stateDir, "log"),
      exitFile: stateFile(stateDir, "exit"),
      startedAt: record.startedAt,
    };
  }

  /**
   * Resolves when the session ends (at once if it already has), or with `dead` when it vanished without an
   * exit — also for a state directory where `start` never got to write the session (a crash in between).
   */
  async waitForExit(ref: SessionRef, options: { signal?: AbortSignal } = {}): Promise<ExitOutcome> {
    if (typeof ref !== "string") {
      // Read once: a command may delete its own state directory while it runs (the launcher writes the exit file anyway).
      const record = (await readSessionRecord(ref.stateDir)) ?? this.started.get(path.resolve(ref.stateDir));
      if (record) return waitForSessionExit(ref.stateDir, record, options.signal, this.startedHere(ref.stateDir, record));
      const exit = await readExitInfo(ref.stateDir);
      return exit ? { state: "exited", ...exit } : { state: "dead", detail: `no session was started in ${ref.stateDir} (it holds no session.json)` };
    }
    const { stateDir, record } = await this.resolve(ref);
    return waitForSessionExit(stateDir, record, options.signal, this.startedHere(stateDir, record));
  }

  /** Whether this object started the session `record` describes (then it was alive: see waitForSessionExit). */
  private startedHere(stateDir: string, record: SessionRecord): boolean {
    return this.started.get(path.resolve(stateDir))?.channel === record.channel;
  }

  /** Every registered session (from any process: `csess exec`, the runner), oldest first. */
  async list(options: StatusOptions = {}): Promise<SessionStatus[]> {
    const entries = await readRegistry(this.home);
    const panesBySocket = new Map<string, Map<string, PaneState>>();
    for (const socket of new Set(entries.map((e) => e.socket))) {
      panesBySocket.set(socket, await listPaneStates(this.tmuxBin, socket));
    }
    const statuses: SessionStatus[] = [];
    for (const entry of entries) {
      const record = await readSessionRecord(entry.stateDir);
      if (!record) continue; // its state directory was deleted: nothing left to show
      const pane = panesBySocket.get(entry.socket)?.get(entry.name);
      statuses.push(await describe(entry.stateDir, record, pane, options));
    }
    return statuses.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  async status(ref: SessionRef, options: StatusOptions = {}): Promise<SessionStatus> {
    const { stateDir, record } = await this.resolve(ref);
    return describe(stateDir, record, await paneState(this.tmuxBin, record.socket, record.name), options);
  }

  /** The last `lines` lines of the session's output log (on disk: readable after the server is gone). */
  async tail(ref: SessionRef, lines: number): Promise<string> {
    const { stateDir } = await this.resolve(ref);
    return readLastLines(stateFile(stateDir, "log"), lines);
  }

  /**
   * Streams the session's output as it is written, until the session ends; resolves like `waitForExit`.
   * Starts with the last `lines` lines (default none), or at byte `fromOffset` of the log when given.
   */
  async follow(
    ref: SessionRef,
    onOutput: (chunk: Buffer) => void,
    options: { lines?: number; fromOffset?: number; signal?: AbortSignal } = {},
  ): Promise<ExitOutcome> {
    const { stateDir, record } = await this.resolve(ref);
    const logFile = stateFile(stateDir, "log");
    let offset = options.fromOffset;
    if (offset === undefined) {
      offset = (await stat(logFile)).size;
      const tail = await readLastLines(logFile, options.lines ?? 0, offset);
      if (tail !== "") onOutput(Buffer.from(tail));
    }
    return followFile(logFile, offset, onOutput, waitForSessionExit(stateDir, record, options.signal, this.startedHere(stateDir, record)));
  }

  /** What the pane shows now, with `lines` lines of its scrollback (needs the tmux session). */
  async capturePane(ref: SessionRef, lines: number): Promise<string> {
    const { record } = await this.resolve(ref);
    const text = await runTmux(this.tmuxBin, record.socket, ["capture-pane", "-p", "-J", "-t", `=${record.name}:`, "-S", `-${lines}`]);
    return text.replace(/\n+$/, "\n"); // the unused rows below the last output
  }

  /**
   * Stops the command (SIGTERM to its process group, SIGKILL after the grace; the exit records `killed`)
   * and closes the tmux session. The registry entry and state directory stay, so status still shows it.
   */
  async kill(ref: SessionRef): Promise<SessionStatus> {
    const { stateDir, record } = await this.resolve(ref);
    const pane = await paneState(this.tmuxBin, record.socket, record.name);
    const ours = pane !== undefined && pane.channel === record.channel;
    if (ours && !pane.dead && !(await readExitInfo(stateDir))) {
      // The launcher kills the command's group and writes the exit; before it is ready a signal would only kill it.
      const launcher = await waitForLauncherInfo(stateDir, 10_000);
      process.kill(launcher?.pid ?? pane.pid, "SIGTERM");
      await waitForSessionExit(stateDir, record, AbortSignal.timeout(record.killGraceMs + 10_000)).catch(() => undefined);
    }
    if (ours) {
      await runTmux(this.tmuxBin, record.socket, ["kill-session", "-t", `=${record.name}:`]).catch(() => undefined);
    }
    const final = await describe(stateDir, record, undefined, {});
    if (final.state === "dead") await stopOrphanedCommand(stateDir);
    return final;
  }

  /**
   * Drops a session that has ended from tmux and from the registry (status no longer lists it); its state
   * directory is left alone. Refuses a running session: kill it first.
   */
  async forget(ref: SessionRef): Promise<void> {
    const { stateDir, record } = await this.resolve(ref);
    const pane = await paneState(this.tmuxBin, record.socket, record.name);
    const status = await describe(stateDir, record, pane, {});
    if (status.state === "running" || status.state === "stalled") {
      throw new TmuxError("SESSION_EXISTS", `session ${record.name} is still running: kill it before forgetting it`);
    }
    if (status.attachable) await runTmux(this.tmuxBin, record.socket, ["kill-session", "-t", `=${record.name}:`]).catch(() => undefined);
    const entry = await readRegistryEntry(this.home, record.name);
    if (entry && path.resolve(entry.stateDir) === path.resolve(stateDir)) await removeRegistryEntry(this.home, record.name);
  }

  /** Hands this process's terminal to `tmux attach` (or switches client inside the same server); resolves with its exit code. */
  async attach(ref: SessionRef): Promise<number> {
    const status = await this.status(ref);
    if (!status.attachable) {
      const serverRunning = await this.serverRunning(status.socket);
      const why = serverRunning
        ? "its tmux session was closed"
        : `no tmux server is running on socket ${status.socket} (it was killed, or the machine restarted)`;
      throw new TmuxError(
        serverRunning ? "SESSION_GONE" : "SERVER_NOT_RUNNING",
        `cannot attach to session ${status.name}: it is ${status.state} and ${why}; its output is kept in ${status.logFile}`,
      );
    }
    const insideSameServer = process.env.TMUX?.split(",")[0] === status.socket;
    const args = insideSameServer
      ? ["-S", status.socket, "switch-client", "-t", `=${status.name}:`]
      : ["-S", status.socket, "attach-session", "-t", `=${status.name}:`];
    const env = { ...process.env };
    delete env.TMUX; // attaching from inside another tmux nests, on purpose
    return new Promise((resolve, reject) => {
      const child = spawn(this.tmuxBin, args, { stdio: "inherit", env });
      child.on("error", reject);
      child.on("exit", (code) => resolve(code ?? 1));
    });
  }

  /** Stops the tmux server on this socket (every session on it becomes `dead` unless already exited). */
  async killServer(): Promise<void> {
    await runTmux(this.tmuxBin, this.socket, ["kill-server"]).catch((error: unknown) => {
      if (!(error instanceof TmuxError && error.code === "SERVER_NOT_RUNNING")) throw error;
    });
  }

  private async serverRunning(socket: string): Promise<boolean> {
    return runTmux(this.tmuxBin, socket, ["list-sessions"]).then(
      () => true,
      (error: unknown) => !(error instanceof TmuxError && error.code === "SERVER_NOT_RUNNING"),
    );
  }

  private async resolve(ref: SessionRef): Promise<Resolved> {
    if (typeof ref !== "string") {
      const record = await readSessionRecord(ref.stateDir);
      if (!record) {
        throw new TmuxError("UNKNOWN_SESSION", `no csess session in ${ref.stateDir}: expected a state directory holding session.json`);
      }
      return { stateDir: ref.stateDir, record };
    }
    const entry = await readRegistryEntry(this.home, ref);
    const record = entry && (await readSessionRecord(entry.stateDir));
    if (!entry || !record) {
      const known = (await readRegistry(this.home)).map((e) => e.name);
      throw new TmuxError(
        "UNKNOWN_SESSION",
        `unknown session ${JSON.stringify(ref)}: ` +
          (known.length === 0 ? `no csess sessions are registered in ${this.home}` : `known sessions: ${known.join(", ")}`),
      );
    }
    return { stateDir: entry.stateDir, record };
  }

  /**
   * A name may be reused once its session has ended; never while it runs or for a tmux session csess did
   * not start. A name csess has no record of is not looked up here (one tmux call fewer per start):
   * `new-session` itself refuses it if tmux has it, and `start` says so.
   */
  private async makeRoomFor(name: string): Promise<void> {
    const entry = await readRegistryEntry(this.home, name);
    const record = entry && (await readSessionRecord(entry.stateDir));
    if (!entry || !record) return;
    const pane = await paneState(this.tmuxBin, entry.socket, name);
    const current = await describe(entry.stateDir, record, pane, {});
    if (current.state === "running" || current.state === "stalled") {
      throw new TmuxError(
        "SESSION_EXISTS",
        `session ${name} is still running (socket ${entry.socket}): choose another name, or stop it first with kill`,
      );
    }
    if (entry.socket !== this.socket) {
      const here = await paneState(this.tmuxBin, this.socket, name);
      if (here !== undefined) throw foreignSession(name, this.socket);
      return;
    }
    if (pane === undefined) return;
    if (pane.channel !== record.channel) throw foreignSession(name, this.socket);
    await runTmux(this.tmuxBin, this.socket, ["kill-session", "-t", `=${name}:`]);
  }
}

function foreignSession(name: string, socket: string): TmuxError {
  return new TmuxError(
    "SESSION_EXISTS",
    `a tmux session named ${name} already exists on socket ${socket} and was not started by csess here (or was started at the same moment): choose another name`,
  );
}

async function describe(
  stateDir: string,
  record: SessionRecord,
  pane: PaneState | undefined,
  options: StatusOptions,
): Promise<SessionStatus> {
  const logFile = stateFile(stateDir, "log");
  const exit = await readExitInfo(stateDir);
  const log = await stat(logFile).catch(() => undefined);
  const lastOutputAt = log && log.size > 0 ? log.mtime.toISOString() : record.startedAt;
  const attachable = pane !== undefined && pane.channel === record.channel;
  let state: SessionStatus["state"] = exit ? "exited" : attachable && !pane.dead ? "running" : "dead";
  const stallMs = options.stallMs ?? record.stallMs;
  if (state === "running" && stallMs !== undefined && Date.now() - Date.parse(lastOutputAt) > stallMs) state = "stalled";
  return {
    name: record.name,
    state,
    ...(exit ? { exitCode: exit.exitCode, reason: exit.reason, endedAt: exit.endedAt } : {}),
    cwd: record.cwd,
    command: formatArgv(record.argv),
    argv: record.argv,
    startedAt: record.startedAt,
    lastOutputAt,
    attachable,
    socket: record.socket,
    stateDir,
    logFile,
    meta: record.meta,
  };
}
