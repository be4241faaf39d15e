import { executorForSession, sessionNamed } from "./tmux-shared.js";

/** `csess kill NAME`: the command stopped, the tmux session closed, the log kept. */
export async function killCommand(typed: string): Promise<void> {
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
}
