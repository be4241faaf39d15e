import { Option, type Command } from "commander";
import { DEFAULTS, type RunFlags } from "../run/config.js";
import { resumeRun, startRun } from "../run/start.js";
import { UserError } from "../errors.js";

interface RunOptions extends RunFlags {
  prd?: string;
  json?: boolean;
  dryRun?: boolean;
  socket?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("fan out the PRD's unchecked tasks as parallel Ralph loops, verify by git, merge, tick, report")
    .argument("[PRD.md]", "markdown checklist of tasks (default PRD.md)")
    .option("--prd <file>", "the PRD, as the argument above (for ralphy users)")
    .option("--agent <kind>", `codex, claude or custom (default ${DEFAULTS.agent})`)
    .option("--agent-cmd <cmd>", "with --agent custom: command run by sh -c in the task's worktree, prompt on stdin")
    .option("--agent-arg <arg>", "extra argument for the agent CLI (repeatable), e.g. --agent-arg=-c --agent-arg=model_reasoning_effort=low", collect)
    .option("--model <name>", "model passed to the agent CLI")
    .option("--parallel <n>", `agents running at once, at most (default ${DEFAULTS.parallel})`)
    .option("--stagger <seconds>", `least time between two agent starts, fleet-wide (default ${DEFAULTS.staggerSeconds})`)
    .option("--max-iterations <n>", `fresh-context iterations per task before it fails (default ${DEFAULTS.maxIterations})`)
    .option("--timeout <minutes>", `kill an iteration running longer (default ${DEFAULTS.timeoutMinutes})`)
    .option("--stall <minutes>", `kill an iteration printing nothing for this long (default ${DEFAULTS.stallMinutes})`)
    .option("--check <cmd>", "command that must pass in the task's worktree for the task to count as verified (e.g. \"pnpm test\")")
    .option("--into <branch>", "integration branch to merge verified work into (default: the current branch)")
    .option("--no-commit", "tick verified tasks in the PRD file but do not commit the ticks")
    .option("--notes <path>", "daily notes file ({date} = YYYY-MM-DD): absolute, or relative to the repo root (default $CSESS_NOTES, else the OpenClaw workspace's memory/, else ~/.csess/notes/{date}.md)")
    .option("--no-notes", "keep no daily notes")
    .option("--notify <cmd>", "completion hook run by sh -c after each task and at the end (default: openclaw, else notify-send)")
    .option("--no-notify", "no completion notifications")
    .option("--on-usage-limit <action>", "when a usage limit resets more than 15 min away: wait or stop (default wait)")
    .option("--socket <path>", "tmux socket (default $CSESS_TMUX_SOCKET, else ~/.tmux/sock)")
    .option("--slow-start", "start one agent, then add more while starts go clean (default for codex and claude)")
    .option("--no-slow-start", "start up to --parallel agents at once, --stagger apart (default for custom agents)")
    .option("--host <dest[:slots]>", "run on this machine (local) or an ssh host, at most SLOTS at once (repeatable; default slots 3)", collect)
    .option("--ssh-config <file>", "ssh config file for every ssh call (ssh -F FILE)")
    .option("--host-timeout <seconds>", "requeue a host's tasks elsewhere once it has not answered this long (default 60)")
    // Benchmarks' baseline only: every ssh call opens its own connection.
    .addOption(new Option("--no-ssh-reuse", "no ssh connection reuse (ControlMaster)").hideHelp())
    // Benchmarks' baseline only: no pause and no concurrency cut on rate limits.
    .addOption(new Option("--no-adapt", "do not adapt to rate limits (a rate limit spends an iteration)").hideHelp())
    .option("--dry-run", "print the plan (order, waves, stagger) and exit")
    .option("--json", "one JSON event per line on stdout, the report as the last line")
    .addHelpText("after", `
Each unchecked task runs in its own git worktree (branch csess/<run>/<task>) and tmux session
(csess-<run>-<task>). A task is verified only by commits on its branch (and --check, if given);
verified branches are merged one at a time into the integration branch, then its box is ticked.
Settings also come from csess.config.json, .csessrc or a "csess" key in package.json (flags win).

Exit codes: 0 every task verified, 1 some task not verified, 2 usage or setup error.

Examples:
  csess run                                   # PRD.md, codex, 3 at a time
  csess run docs/PRD.md --agent claude --parallel 4 --check "pnpm test"
  csess run --agent custom --agent-cmd "./scripts/agent.sh" --max-iterations 1
  csess run --host local:2 --host build1:4 --host build2:4 --parallel 8
  csess run --prd docs/PRD.md --dry-run`)
    .action(async (positional: string | undefined, options: RunOptions) => {
      const { json = false, dryRun = false, socket, prd: named, ...flags } = options;
      if (positional !== undefined && named !== undefined && positional !== named) {
        throw new UserError(`give the PRD once: as an argument or with --prd; received ${positional} and --prd ${named}`);
      }
      const prd = positional ?? named ?? "PRD.md";
      process.exitCode = await startRun({ prd, flags, json, dryRun, socket, cwd: process.cwd() });
    });

  program
    .command("resume")
    .description("continue a run after a crash, kill -9 or Ctrl-C: no task lost, none run twice")
    .argument("[RUN]", "run id (default: the newest run)")
    .option("--socket <path>", "tmux socket (default $CSESS_TMUX_SOCKET, else ~/.tmux/sock)")
    .option("--json", "one JSON event per line on stdout, the report as the last line")
    .action(async (run: string | undefined, options: { json?: boolean; socket?: string }) => {
      process.exitCode = await resumeRun({ run, json: options.json ?? false, socket: options.socket, cwd: process.cwd() });
    });
}
