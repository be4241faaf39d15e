import { sanitizeSessionName, validateSessionName, type SessionStatus } from "@csess/tmux";
import { UserError } from "../errors.js";
export { openTmux } from "../tmux.js";

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

/** Parses a duration given in minutes (decimals allowed) into milliseconds. */
export function minutes(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) {
      throw new UserError(`${flag} expects a positive number of minutes, for example ${flag} 30 or ${flag} 0.5; got ${JSON.stringify(value)}`);
    }
    return Math.round(n * 60_000);
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
