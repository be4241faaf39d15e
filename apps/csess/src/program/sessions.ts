// The commands about sessions: their names, arguments, options and help, registered at start-up; each
// action's module (tmux, git, notes) is imported only when the command runs.
import type { Command } from "commander";
import type { ExecOptions } from "../commands/exec.js";
import type { LogsOptions } from "../commands/logs.js";
import { minutes, wholeNumber } from "./parsers.js";

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
    .action(async (argv: string[], options: ExecOptions) => (await import("../commands/exec.js")).execCommand(argv, options));
}

/** The hook `csess exec` gives its sessions (see commands/session-ended.ts); not for people. */
export function registerSessionEnded(program: Command): void {
  program
    .command("_session-ended", { hidden: true })
    .requiredOption("--notes <file>")
    .option("--notify <cmd>")
    .action(async (options: { notes: string; notify?: string }) => (await import("../commands/session-ended.js")).sessionEndedCommand(options));
}

export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("list the runs of this repository and all csess sessions (csess exec and the runner's tasks) with their health")
    .option("--json", 'print {"sessions":[{name,state,exitCode,reason,cwd,command,startedAt,meta,...}],"runs":[{runId,prd,state,verified,total,quota,...}]}')
    .option("--stall <min>", "call a running session stalled after this many minutes without output (default 15)", minutes("--stall"))
    .addHelpText(
      "after",
      "\nStates: running, stalled (running, silent too long), exited (see EXIT), dead (gone without an exit:\n" +
        "the tmux server was killed or the machine restarted).\n\nExamples:\n  csess status\n  csess status --json | jq '.sessions[] | select(.state == \"dead\") | .name'",
    )
    .action(async (options: { json?: boolean; stall?: number }) => (await import("../commands/status.js")).statusCommand(options));
}

export function registerLogs(program: Command): void {
  program
    .command("logs")
    .description("print a session's output, or a run task's (kept on disk, also after the tmux server is gone)")
    .argument("<name>", "session name (see csess status), or a task id of a run in this repository (see csess tasks)")
    .option("-n, --lines <n>", "how many of the last lines", wholeNumber("a whole number of lines such as 20", 0), 20)
    .option("-f, --follow", "keep printing new output until the session ends")
    .option("--iteration <n>", "with a task id: that iteration's output (default: the latest)", wholeNumber("an iteration number (1, 2, ...) such as 2", 1))
    .option("--run <run>", "with a task id: the run (default: the newest run with that task)")
    .addHelpText("after", "\nExamples:\n  csess logs demo\n  csess logs demo -n 200\n  csess logs demo -f\n  csess logs k3x9q2 --iteration 2")
    .action(async (name: string, options: LogsOptions) => (await import("../commands/logs.js")).logsCommand(name, options));
}

export function registerAttach(program: Command): void {
  program
    .command("attach")
    .description("attach this terminal to a session's tmux pane (detach with Ctrl-b d)")
    .argument("<name>", "session name (see csess status)")
    .action(async (name: string) => (await import("../commands/attach.js")).attachCommand(name));
}

export function registerKill(program: Command): void {
  program
    .command("kill")
    .description("stop a session's command (SIGTERM, then SIGKILL) and close its tmux session; its log stays")
    .argument("<name>", "session name (see csess status)")
    .action(async (name: string) => (await import("../commands/kill.js")).killCommand(name));
}
