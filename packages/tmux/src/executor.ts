import type { ExitOutcome, SessionHandle, SessionRef, SessionSpec, SessionStatus } from "./types.js";

/** What waiting for a session can end with on any executor: its exit, `dead`, or a host that stopped answering. */
export type ExecutorOutcome = ExitOutcome | { state: "unreachable"; detail: string };

export interface ExecutorStartOptions {
  /**
   * Files (names inside the spec's local `stateDir`, e.g. `prompt.md`) the command needs on its host:
   * a remote executor copies them into the session's directory there first. Locally they are already there.
   */
  copy?: string[];
}

/**
 * Where sessions run: this machine (`Tmux`) or another one over ssh (`SshTmux`). A session's `stateDir`
 * is always a local directory: a remote executor keeps the session's files on its host (see `sessionDir`)
 * and copies the log and the exit file back into `stateDir` when the session ends, so the caller reads
 * them as it reads a local session's.
 */
export interface Executor {
  /** `local`, or the ssh destination. */
  readonly host: string;
  /** The directory on the executor's host where the session mirrored in `localStateDir` keeps its files. */
  sessionDir(localStateDir: string): Promise<string>;
  /** Starts the command (paths in the spec other than `stateDir` are paths on the executor's host). */
  start(spec: SessionSpec, options?: ExecutorStartOptions): Promise<SessionHandle>;
  /** Resolves when the session ends (its files are then in the local `stateDir`), is dead, or its host is unreachable. */
  waitForExit(ref: SessionRef, options?: { signal?: AbortSignal }): Promise<ExecutorOutcome>;
  status(ref: SessionRef): Promise<SessionStatus>;
  tail(ref: SessionRef, lines: number): Promise<string>;
  kill(ref: SessionRef): Promise<SessionStatus>;
  attach(ref: SessionRef): Promise<number>;
}
