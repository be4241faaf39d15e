import { InvalidArgumentError, type Command } from "commander";
import { describeOutcome, executorForSession, sessionNamed, userErrors } from "./tmux-shared.js";

export function registerLogs(program: Command): void {
  program
    .command("logs")
    .description("print a session's output (kept on disk, also after the tmux server is gone)")
    .argument("<name>", "session name (see csess status)")
    .option("-n, --lines <n>", "how many of the last lines", lineCount, 20)
    .option("-f, --follow", "keep printing new output until the session ends")
    .addHelpText("after", "\nExamples:\n  csess logs demo\n  csess logs demo -n 200\n  csess logs demo -f")
    .action((name: string, options: { lines: number; follow?: boolean }) =>
      userErrors(async () => {
        const executor = await executorForSession(sessionNamed(name));
        if (!options.follow) {
          process.stdout.write(await executor.tail(sessionNamed(name), options.lines));
          return;
        }
        const outcome = await executor.follow(sessionNamed(name), (chunk) => process.stdout.write(chunk), { lines: options.lines });
        process.stderr.write(describeOutcome(name, outcome));
      }),
    );
}

function lineCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number of lines such as 20; got ${JSON.stringify(value)}`);
  return n;
}
