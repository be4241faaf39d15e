/** Machine-readable reason of a `TmuxError`, so callers can react without matching message text. */
export type TmuxErrorCode =
  | "TMUX_NOT_FOUND"
  /** No `perl` on PATH: the launcher every session starts through is a perl script. */
  | "PERL_NOT_FOUND"
  | "SERVER_NOT_RUNNING"
  | "SOCKET_NOT_USABLE"
  | "INVALID_NAME"
  | "INVALID_SPEC"
  | "SESSION_EXISTS"
  | "UNKNOWN_SESSION"
  | "SESSION_GONE"
  | "TMUX_FAILED"
  /** An ssh host did not answer (the connection, not the remote command, failed). */
  | "HOST_UNREACHABLE";

/** Every error this package throws on purpose; `message` says what was wrong and what was expected. */
export class TmuxError extends Error {
  readonly code: TmuxErrorCode;
  constructor(code: TmuxErrorCode, message: string) {
    super(message);
    this.name = "TmuxError";
    this.code = code;
  }
}
