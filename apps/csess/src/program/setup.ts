// The commands about the PRD and the machine: their names, arguments, options and help, registered at
// start-up; each action's module (the PRD parser, agent probes, the demo) is imported only when it runs.
import path from "node:path";
import type { Command } from "commander";
import type { DemoOptions } from "../commands/demo.js";
import { DEMO_DIR } from "../package-root.js";

export function registerTasks(program: Command): void {
  program
    .command("tasks")
    .description("list the PRD's checklist tasks with their stable ids")
    .argument("<PRD.md>", "markdown file with - [ ] task items")
    .option("--json", "print {\"tasks\":[...]} for machines")
    .addHelpText(
      "after",
      "\nExamples:\n  csess tasks PRD.md\n  csess tasks PRD.md --json | jq '.tasks[] | select(.checked == false) | .id'",
    )
    .action(async (prd: string, options: { json?: boolean }) => (await import("../commands/tasks.js")).tasksCommand(prd, options));
}

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description("check tmux, git, the agent CLIs (versions, flags csess will pass, auth), PATH and notifications")
    .option("--agent <kind>", "check only this agent: codex, claude or custom")
    .option("--json", "print the report as JSON")
    .option("--host <dest>", "check an ssh host instead: reachability, tmux, git, node and the agent CLI there")
    .option("--ssh-config <file>", "with --host: ssh config file (ssh -F FILE)")
    .addHelpText("after", "\nExit status: 0 when a usable setup exists, 1 otherwise.\n\nExamples:\n  csess doctor\n  csess doctor --agent claude --json | jq '.agents[0].flags'\n  csess doctor --host build1 --agent codex")
    .action(async (options: { agent?: string; json?: boolean; host?: string; sshConfig?: string }) => (await import("../commands/doctor.js")).doctorCommand(options));
}

export function registerDemo(program: Command): void {
  program
    .command("demo")
    .description("run the bundled demo: a throw-away repo, the real Codex CLI (or Claude Code), a local scripted model server (no API key, no network)")
    .option("--dir <path>", "where to create the demo repository (default: a new temp directory)")
    .option("--parallel <n>", "agents at once", "3")
    .option("--agent <kind>", "codex or claude (both real CLIs, installed with the workspace)", "codex")
    .option("--json", "one JSON event per line, the report last")
    .addHelpText("after", `\nThe demo PRD (${path.join(DEMO_DIR, "PRD.md")}) has one task whose agent lies (ticks without\ncommitting) and one that hits HTTP 429; the report shows both for what they are.`)
    .action(async (options: DemoOptions) => (await import("../commands/demo.js")).demoCommand(options));
}

export function registerCompletion(program: Command): void {
  program
    .command("completion")
    .description("print the shell completion script for bash, zsh or fish")
    .argument("<shell>", "bash, zsh or fish")
    .addHelpText("after", '\nExamples:\n  eval "$(csess completion bash)"     # in ~/.bashrc\n  eval "$(csess completion zsh)"      # in ~/.zshrc\n  csess completion fish > ~/.config/fish/completions/csess.fish')
    .action(async (shell: string) => (await import("../commands/completion.js")).completionCommand(program, shell));
}
