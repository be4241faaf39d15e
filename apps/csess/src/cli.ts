import { Command, CommanderError } from "commander";
import { extendAgentPath } from "./agent-path.js";
import { toUserError } from "./errors.js";
import { VERSION } from "./package-root.js";
import { registerDiff, registerReport, registerRun, registerStop, registerVerify } from "./program/runs.js";
import { registerAttach, registerExec, registerKill, registerLogs, registerSessionEnded, registerStatus } from "./program/sessions.js";
import { registerCompletion, registerDemo, registerDoctor, registerTasks } from "./program/setup.js";

/**
 * Every command's name, arguments, options and help (./program), in help order. Each action's module
 * under ./commands is imported only when that command runs: `csess --help` loads none of them.
 */
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
