import { randomBytes } from "node:crypto";
import path from "node:path";
import type { Command } from "commander";
import { defaultHome, formatArgv, sanitizeSessionName } from "@csess/tmux";
import { UserError } from "../errors.js";
import { DailyNotes } from "../notes.js";
import { agentTaskCommand } from "./exec-agent.js";
import { execNotesFile, sessionEndedHook } from "./session-ended.js";
import { notifyCommand } from "../notify.js";
import { minutes, openTmux } from "./tmux-shared.js";

interface ExecOptions {
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

export function registerExec(program: Command): void {
  program
    .command("exec")
    .description("run any long command, or one agent task, in a persistent tmux session; returns at once, notifies when it ends")
    .argument("<command...>", "the command and its arguments (put them after --); with --agent, the task text")
    .option("--agent <kind>", "run one codex or claude task: the text is fed on stdin with the flags this CLI version accepts")
    .option("--model <name>", "with --agent: model passed to the agent CLI")
    .option("--name <name>", "session name (made tmux-safe; default: the command's name and a short id)")
    .option("--cwd <dir>", "working directory (default: the current one)")
    .option(
      "--notify <cmd>",
      "shell command run when it ends, with CSESS_SESSION, CSESS_EXIT_CODE, CSESS_EXIT_REASON, CSESS_CWD, CSESS_LOG_FILE set " +
        "(default: $CSESS_NOTIFY, else openclaw, else notify-send, when installed)",
    )
    .option("--no-notify", "no completion notification")
    .option("--notes <path>", "daily notes file ({date} = YYYY-MM-DD): absolute, or relative to the repository root (default $CSESS_NOTES, else the OpenClaw workspace's memory/, else ~/.csess/notes/{date}.md)")
    .option("--no-notes", "keep no daily notes")
    .option("--timeout <min>", "kill the command after this many minutes", minutes("--timeout"))
    .option("--stall <min>", "kill the command after this many minutes without output", minutes("--stall"))
    .option("--socket <path>", "tmux socket (default: $CSESS_TMUX_SOCKET, else ~/.tmux/sock)")
    .option("--json", "print {name, socket, stateDir, logFile, startedAt}")
    .addHelpText(
      "after",
      "\nExamples:\n" +
        "  csess exec --agent codex 'Fix the login bug'\n" +
        "  csess exec --agent claude --name docs --cwd ~/src/app 'Document the public API in README.md'\n" +
        "  csess exec --timeout 60 -- sh -c 'npm test > test.txt'\n" +
        "  csess exec --notify 'say \"$CSESS_SESSION done\"' -- make release",
    )
    .action((argv: string[], options: ExecOptions) => exec(argv, options));
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
