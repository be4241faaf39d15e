import type { RunFlags } from "../run/config.js";
import { resumeRun, startRun } from "../run/start.js";
import { UserError } from "../errors.js";

export interface RunOptions extends RunFlags {
  prd?: string;
  json?: boolean;
  dryRun?: boolean;
  socket?: string;
}

/** `csess run [PRD.md]`: the PRD as the argument or `--prd` (once), then the run. */
export async function runCommand(positional: string | undefined, options: RunOptions): Promise<void> {
  const { json = false, dryRun = false, socket, prd: named, ...flags } = options;
  if (positional !== undefined && named !== undefined && positional !== named) {
    throw new UserError(`give the PRD once: as an argument or with --prd; received ${positional} and --prd ${named}`);
  }
  const prd = positional ?? named ?? "PRD.md";
  process.exitCode = await startRun({ prd, flags, json, dryRun, socket, cwd: process.cwd() });
}

/** `csess resume [RUN]`. */
export async function resumeCommand(run: string | undefined, options: { json?: boolean; socket?: string }): Promise<void> {
  process.exitCode = await resumeRun({ run, json: options.json ?? false, socket: options.socket, cwd: process.cwd() });
}
