import { sanitizeSessionName, Tmux, TmuxError, validateSessionName, type SessionStatus } from "@csess/tmux";
import { UserError } from "../errors.js";

/** The sessions of this user: socket from --socket, else $CSESS_TMUX_SOCKET, else ~/.tmux/sock; registry in $CSESS_HOME. */
export function openTmux(options: { socket?: string } = {}): Tmux {
  return new Tmux(options.socket === undefined ? {} : { socket: options.socket });
}

/** Runs a session command, turning the package's setup and lookup errors into one-line user errors. */
export async function userErrors<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof TmuxError) throw new UserError(error.message);
    throw error;
  }
}

/** `--json` shape of a session (also used by the runner's status): absent values are null so every key is present. */
export function sessionJson(s: SessionStatus) {
  return {
    name: s.name,
    state: s.state,
    exitCode: s.exitCode ?? null,
    reason: s.reason ?? null,
    cwd: s.cwd,
    command: s.command,
    argv: s.argv,
    startedAt: s.startedAt,
    endedAt: s.endedAt ?? null,
    lastOutputAt: s.lastOutputAt,
    attachable: s.attachable,
    socket: s.socket,
    logFile: s.logFile,
    stateDir: s.stateDir,
    meta: s.meta,
  };
}

/** The session a user names: as typed, or as `csess exec` made it tmux-safe ("build:v1.2" -> "build-v1-2"). */
export function sessionNamed(name: string): string {
  try {
    validateSessionName(name);
    return name;
  } catch {
    return sanitizeSessionName(name);
  }
}
