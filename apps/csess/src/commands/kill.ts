import type { Command } from "commander";
import { executorForSession, sessionNamed } from "./tmux-shared.js";

export function registerKill(program: Command): void {
  program
    .command("kill")
    .description("stop a session's command (SIGTERM, then SIGKILL) and close its tmux session; its log stays")
    .argument("<name>", "session name (see csess status)")
    .action(async (typed: string) => {
      const name = sessionNamed(typed);
      const tmux = await executorForSession(name);
      const before = await tmux.status(name);
      const after = await tmux.kill(name);
      const what =
        before.state === "running" || before.state === "stalled"
          ? `killed ${name} (exit ${after.exitCode ?? "unknown"})`
          : before.state === "exited"
            ? `${name} had already exited (exit ${before.exitCode}); closed its tmux session`
            : `${name} was already dead; nothing to stop`;
      process.stdout.write(`${what}; output kept in ${after.logFile}\n`);
    });
}
