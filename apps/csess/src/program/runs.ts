// The commands about runs: their names, arguments, options and help, registered at start-up; each
// action's module (and what it imports: the runner, git, tmux, the PRD parser) is imported only when
// the command runs, so `csess --help` and the light commands start close to a bare node.
import { Option, type Command } from "commander";
import { DEFAULTS } from "../run/settings.js";
import type { RunOptions } from "../commands/run.js";
import type { VerifyOptions } from "../commands/verify.js";
import { collect } from "./parsers.js";

const SOCKET_HELP = "tmux socket (default $CSESS_TMUX_SOCKET, else ~/.tmux/sock)";
const JSON_EVENTS_HELP = "one JSON event per line on stdout, the report as the last line";

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
    .option("--socket <path>", SOCKET_HELP)
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
    .option("--json", JSON_EVENTS_HELP)
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
    .action(async (prd: string | undefined, options: RunOptions) => (await import("../commands/run.js")).runCommand(prd, options));

  program
    .command("resume")
    .description("continue a run after a crash, kill -9 or Ctrl-C: no task lost, none run twice")
    .argument("[RUN]", "run id (default: the newest run)")
    .option("--socket <path>", SOCKET_HELP)
    .option("--json", JSON_EVENTS_HELP)
    .action(async (run: string | undefined, options: { json?: boolean; socket?: string }) => (await import("../commands/run.js")).resumeCommand(run, options));
}

export function registerReport(program: Command): void {
  program
    .command("report")
    .description("the reconciliation report of a run: what the PRD claims against what git shows")
    .argument("[RUN]", "run id (default: the newest run)")
    .option("--json", "the report as JSON (tasks with id, title, checked, verdict, commits, iterations, evidence, ...)")
    .option("--md", "the report as markdown, for a pull request")
    .option("--html", "write report.html (one self-contained file: timeline, verdicts, evidence, tokens and cost) in the run's folder and print its path")
    .action(async (run: string | undefined, options: { json?: boolean; md?: boolean; html?: boolean }) => (await import("../commands/report.js")).reportCommand(run, options));
}

export function registerStop(program: Command): void {
  program
    .command("stop")
    .description("stop a run: its runner and its agents' sessions; worktrees with unmerged work are kept")
    .argument("[RUN]", "run id (default: the newest run)")
    .option("--socket <path>", SOCKET_HELP)
    .addHelpText("after", "\nA stopped run can still be continued with csess resume RUN (killed iterations count as failed ones).")
    .action(async (run: string | undefined, options: { socket?: string }) => (await import("../commands/stop.js")).stopCommand(run, options));
}

export function registerVerify(program: Command): void {
  program
    .command("verify")
    .description("check a PRD's checkboxes against git history: what the PRD claims vs what the commits show")
    .argument("[PRD.md]", "markdown file with - [ ] task items", "PRD.md")
    .option("--since <REF>", "only count commits after REF (a branch, tag or hash)")
    .option("--fix", "untick claimed-unverified tasks and tick done-unclaimed ones with strong evidence (one character each)")
    .option("--json", "print the report as JSON for machines")
    .option("--md", "print the report as markdown (for a pull request)")
    .addHelpText(
      "after",
      [
        "",
        "Evidence for a task: a `Csess-Task: <id>` commit trailer or a branch named after the task (strong),",
        "or a commit subject matching the task's words (weak, with a score). Commits that only change the PRD",
        "do not count. Verdicts: verified, claimed-unverified, done-unclaimed, pending.",
        "",
        "Exit status: 0 when the PRD and git agree, 1 when a task is ticked without evidence",
        "(claimed-unverified; after --fix, whether any remain), 2 on usage or setup errors.",
        "",
        "Examples:",
        "  csess verify PRD.md",
        "  csess verify PRD.md --since v1.4.0 --md > verification.md",
        "  csess verify PRD.md --fix",
        "  csess verify PRD.md --json | jq '.tasks[] | select(.verdict == \"claimed-unverified\") | .title'",
      ].join("\n"),
    )
    .action(async (prd: string, options: VerifyOptions) => (await import("../commands/verify.js")).verifyCommand(prd, options));
}

export function registerDiff(program: Command): void {
  program
    .command("diff")
    .description("what a task's branch changes against the commit it started from")
    .argument("<TASK>", "task id (as csess report shows it) or the task's branch")
    .option("--run <RUN>", "look in this run (default: the newest run that ran the task)")
    .option("--stat", "only the diffstat")
    .addHelpText("after", "\nExamples:\n  csess diff k3m9qa\n  csess diff k3m9qa --stat\n  csess diff csess/1121-1432-k3/add-login-k3m9qa")
    .action(async (task: string, options: { run?: string; stat?: boolean }) => (await import("../commands/diff.js")).diffCommand(task, options));
}
