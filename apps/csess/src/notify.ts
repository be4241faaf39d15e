import { which } from "@csess/agents/exec";
import { UserError } from "./errors.js";

/**
 * The completion hook as a shell command: the user's own --notify or $CSESS_NOTIFY, else a notifier found
 * on PATH. Session values reach it only as environment variables, so they are never parsed as shell code.
 */
export function notifyCommand(option: string | false | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (option === false) return undefined;
  if (option !== undefined) {
    if (option.trim() === "") throw new UserError(`--notify expects a shell command, for example --notify 'notify-send done'; got an empty string`);
    return option;
  }
  if (env.CSESS_NOTIFY) return env.CSESS_NOTIFY;
  if (which("openclaw", env)) {
    return `openclaw system event --text "$CSESS_SESSION finished (exit $CSESS_EXIT_CODE) in $CSESS_CWD" --mode now`;
  }
  if (which("notify-send", env)) {
    return `notify-send "csess: $CSESS_SESSION finished" "exit $CSESS_EXIT_CODE in $CSESS_CWD"`;
  }
  return undefined;
}

