export { Tmux, type StatusOptions } from "./tmux.js";
export { TmuxError, type TmuxErrorCode } from "./errors.js";
export { sanitizeSessionName, validateSessionName } from "./names.js";
export { defaultHome, defaultSocketPath, prepareSocket } from "./paths.js";
export { formatArgv } from "./quote.js";
export { STATE_FILES } from "./state.js";
export type {
  ExitInfo,
  ExitOutcome,
  ExitReason,
  SessionHandle,
  SessionRef,
  SessionSpec,
  SessionState,
  SessionStatus,
  TmuxOptions,
} from "./types.js";
export type { Executor, ExecutorOutcome, ExecutorStartOptions } from "./executor.js";
export { SshConnection, shellQuote, type SshOptions, type SshResult } from "./ssh.js";
export { SshTmux, type SshTmuxOptions } from "./ssh-tmux.js";
export { readRemoteLink, readRemoteRegistry, type RemoteLink } from "./remote-registry.js";
