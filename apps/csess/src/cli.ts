import { Command, CommanderError } from "commander";
import { extendAgentPath } from "./agent-path.js";
import { toUserError } from "./errors.js";
import { VERSION } from "./package-root.js";
import { registerRun } from "./commands/run.js";
import { registerReport } from "./commands/report.js";
import { registerStop } from "./commands/stop.js";
import { registerDemo } from "./commands/demo.js";
import { registerSessionEnded } from "./commands/session-ended.js";
import { registerTasks } from "./commands/tasks.js";
import { registerExec } from "./commands/exec.js";
import { registerStatus } from "./commands/status.js";
import { registerLogs } from "./commands/logs.js";
import { registerAttach } from "./commands/attach.js";
import { registerKill } from "./commands/kill.js";
import { registerVerify } from "./commands/verify.js";
import { registerDoctor } from "./commands/doctor.js";
import { registerCompletion } from "./commands/completion.js";
import { registerDiff } from "./commands/diff.js";


/** Each command lives in its own module under ./commands and registers itself here. */
const commands: Array<(program: Command) => void> = [registerRun, registerReport, registerStop, registerDemo, registerSessionEnded, registerTasks, registerExec, registerStatus, registerLogs, registerAttach, registerKill, registerVerify, registerDoctor, registerDiff, registerCompletion];

export function buildProgram(): Command {
  const program = new Command("csess")
    .description(
      "Run AI coding agents in persistent tmux sessions and turn a PRD checklist into parallel, verified work.",
    )
    .version(VERSION, "-V, --version")
    // picocolors reads --no-color and NO_COLOR itself; declared here so every command accepts it.
    .option("--no-color", "no colors in the output (as NO_COLOR=1 does)")
    // Usage errors read like every other csess error: one line, "csess: " first (subcommands inherit this).
    .configureOutput({
      outputError: (text, write) => write(`csess: ${text.trim().replace(/^error: /, "").replace(/\s*\n\s*/g, " ")} (run with --help for usage)\n`),
    })
    .exitOverride();
  for (const register of commands) register(program);
  return program;
}

/** Runs the CLI and returns the process exit code: 0 ok, 1 work not verified, 2 usage/setup error. */
export async function main(argv: string[]): Promise<number> {
  extendAgentPath(process.env);
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit through here with code 0; usage errors were already printed.
      return error.exitCode === 0 ? 0 : 2;
    }
    const userError = toUserError(error);
    if (!userError) throw error;
    process.stderr.write(`csess: ${userError.message}\n`);
    return userError.exitCode;
  }
}
