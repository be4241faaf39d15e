import { Tmux } from "@csess/tmux";

/** The sessions of this user: socket from --socket, else $CSESS_TMUX_SOCKET, else ~/.tmux/sock; registry in $CSESS_HOME. */
export function openTmux(options: { socket?: string } = {}): Tmux {
  return new Tmux(options.socket ? { socket: options.socket } : {}); // an empty --socket means the default too
}
