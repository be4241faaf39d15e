import { randomBytes } from "node:crypto";
import path from "node:path";
import { defaultHome, formatArgv, sanitizeSessionName } from "@csess/tmux";
import { UserError } from "../errors.js";
import { DailyNotes } from "../notes.js";
import { agentTaskCommand } from "./exec-agent.js";
import { execNotesFile, sessionEndedHook } from "./session-ended.js";
import { notifyCommand } from "../notify.js";
import { openTmux } from "./tmux-shared.js";

export interface ExecOptions {
  agent?: string;
  model?: string;
  name?: string;
  cwd?: string;
  notify?: string | false;
  notes?: string | false;
  timeout?: number;
  stall?: number;
  socket?: string;
  json?: boolean;
}

/** `csess exec`: any command, or one agent task, in a persistent session. */
export function execCommand(argv: string[], options: ExecOptions): Promise<void> {
  return exec(argv, options);
}

async function exec(argv: string[], options: ExecOptions): Promise<void> {
  if (options.model !== undefined && options.agent === undefined) throw new UserError(`--model is for --agent codex|claude; received --model ${options.model} without --agent`);
  const tmux = openTmux(options);
  const name = sanitizeSessionName(options.name ?? `${options.agent ?? path.basename(argv[0] ?? "cmd")}-${randomBytes(2).toString("hex")}`);
  const cwd = path.resolve(options.cwd ?? process.cwd());
  const stateDir = path.join(defaultHome(), "exec", name);
  const command = options.agent === undefined
    ? { argv }
    : await agentTaskCommand({ kind: options.agent, text: argv.join(" "), name, cwd, stateDir, ...(options.model === undefined ? {} : { model: options.model }) });
  const notify = notifyCommand(options.notify);
  const notesFile = await execNotesFile(cwd, options.notes);
  const hook = sessionEndedHook(notesFile, notify);
  const handle = await tmux.start({
    name,
    cwd,
    ...command,
    stateDir,
    ...(hook === undefined ? {} : { hook }),
    ...(options.timeout === undefined ? {} : { timeoutMs: options.timeout }),
    ...(options.stall === undefined ? {} : { stallMs: options.stall }),
    meta: { source: "csess exec" },
  });
  if (notesFile) await new DailyNotes(notesFile).record({ session: name, command: formatArgv(command.argv), cwd, startedAt: new Date(handle.startedAt) });
  if (options.json) {
    const { socket, stateDir, logFile, startedAt } = handle;
    process.stdout.write(JSON.stringify({ name, socket, stateDir, logFile, startedAt }) + "\n");
    return;
  }
  process.stdout.write(
    `started session ${name} in ${cwd}\n` +
      `  follow:  csess logs ${name} -f\n` +
      `  attach:  csess attach ${name}   (detach with Ctrl-b d)\n` +
      `  status:  csess status\n` +
      `  stop:    csess kill ${name}\n`,
  );
}
