/** What to run in a new session. Nothing here ever reaches a shell or the tmux command line. */
export interface SessionSpec {
  /** Session name: letters, digits, `_` and `-`, at most 64 (see `sanitizeSessionName`). Unique per socket. */
  name: string;
  /** Working directory of the command; must exist. */
  cwd: string;
  /** The command as an argv array, run directly (no shell): `["codex", "exec", ...]` or `["sh", "-c", CMD]`. */
  argv: string[];
  /** Variables added on top of the caller's `process.env` (the command sees both). */
  env?: Record<string, string>;
  /** File fed to the command's stdin (e.g. the prompt). Without it stdin is the pane's terminal. */
  stdinFile?: string;
  /** Where the session's files live (created if missing, mode 0700). See README "State directory". */
  stateDir: string;
  /** Completion hook argv, run after the exit file is written, with CSESS_SESSION, CSESS_EXIT_CODE, CSESS_EXIT_REASON, CSESS_CWD, CSESS_LOG_FILE set. */
  hook?: string[];
  /** Kill the command's process group once it has run this long; the exit records reason `timeout`. */
  timeoutMs?: number;
  /** Kill the command's process group after this long without new output; the exit records reason `stalled`. */
  stallMs?: number;
  /** Grace between SIGTERM and SIGKILL when csess kills the command (default 5000). */
  killGraceMs?: number;
  /** Free-form labels (run id, task id, ...) shown by `status`. */
  meta?: Record<string, string>;
}

/** A started session: where to find it again. */
export interface SessionHandle {
  name: string;
  socket: string;
  stateDir: string;
  logFile: string;
  exitFile: string;
  startedAt: string;
}

/** Why the command stopped: on its own, or killed by csess for running too long / going silent / on request. */
export type ExitReason = "exit" | "timeout" | "stalled" | "killed";

/** Contents of the exit file, the source of truth for a finished session. */
export interface ExitInfo {
  /** The command's exit code; 128 + signal number when a signal ended it (137 = SIGKILL). */
  exitCode: number;
  /** Name of the signal that ended the command, if one did. */
  signal?: string;
  reason: ExitReason;
  startedAt: string;
  endedAt: string;
  durationMs: number;
}

/** What `waitForExit` resolves with: the exit, or `dead` when the session vanished without one. */
export type ExitOutcome =
  | ({ state: "exited" } & ExitInfo)
  | { state: "dead"; detail: string };

/**
 * running: the command is alive. stalled: alive but no output for the stall limit. exited: the exit file
 * exists. dead: no exit file and no live session (tmux server killed, machine rebooted, pane closed by hand).
 */
export type SessionState = "running" | "stalled" | "exited" | "dead";

export interface SessionStatus {
  name: string;
  state: SessionState;
  exitCode?: number;
  reason?: ExitReason;
  cwd: string;
  /** The argv, shell-quoted for display (never executed). */
  command: string;
  argv: string[];
  startedAt: string;
  endedAt?: string;
  /** Time of the last byte written to the log (the start time when nothing was written yet). */
  lastOutputAt: string;
  /** Whether tmux still has the session (an exited session stays readable until killed). */
  attachable: boolean;
  socket: string;
  stateDir: string;
  logFile: string;
  meta: Record<string, string>;
  /** The ssh host the session runs on; absent for this machine. */
  host?: string;
}

/** How `Tmux` finds its server and its session registry. */
export interface TmuxOptions {
  /** tmux socket path. Default: `$CSESS_TMUX_SOCKET`, else `~/.tmux/sock`. */
  socket?: string;
  /** csess home holding the session registry. Default: `$CSESS_HOME`, else `~/.csess`. */
  home?: string;
  /** tmux binary. Default `tmux` from PATH. */
  tmuxBin?: string;
}

/** Refers to a session by name, or by its state directory (what a resumed runner knows from its journal). */
export type SessionRef = string | { stateDir: string };
