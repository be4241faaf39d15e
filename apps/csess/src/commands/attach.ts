import { UserError } from "../errors.js";
import { executorForSession, sessionNamed } from "./tmux-shared.js";

/** `csess attach NAME`: this terminal on the session's pane, here or on its ssh host. */
export async function attachCommand(typed: string): Promise<void> {
  const name = sessionNamed(typed);
  const tmux = await executorForSession(name);
  await tmux.status(name); // unknown names fail here, listing the known ones
  if (!process.stdin.isTTY || !process.stdout.isTTY) {
    throw new UserError(`csess attach needs a terminal (stdin and stdout must be a TTY); to read ${name}'s output here use: csess logs ${name}`);
  }
  process.exitCode = await tmux.attach(name);
}
