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
