import type { Command } from "commander";
import { UserError } from "../errors.js";
import { executorForSession, sessionNamed } from "./tmux-shared.js";

export function registerAttach(program: Command): void {
  program
    .command("attach")
    .description("attach this terminal to a session's tmux pane (detach with Ctrl-b d)")
    .argument("<name>", "session name (see csess status)")
    .action(async (typed: string) => {
      const name = sessionNamed(typed);
      const tmux = await executorForSession(name);
      await tmux.status(name); // unknown names fail here, listing the known ones
      if (!process.stdin.isTTY || !process.stdout.isTTY) {
        throw new UserError(`csess attach needs a terminal (stdin and stdout must be a TTY); to read ${name}'s output here use: csess logs ${name}`);
      }
      process.exitCode = await tmux.attach(name);
    });
}
