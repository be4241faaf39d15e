import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { buildInvocation, probeAgent, type AgentKind, type AgentProbe } from "@csess/agents";
import { UserError } from "../errors.js";

/** The flags that make an agent print machine events: `csess exec --agent` keeps its log for people. */
const MACHINE_OUTPUT: Record<string, string[]> = {
  codex: ["--json", "--experimental-json"],
  claude: ["--output-format", "stream-json", "--verbose"],
};

function forPeople(probe: AgentProbe): AgentProbe {
  const drop = new Set(MACHINE_OUTPUT[probe.kind] ?? []);
  return { ...probe, flags: probe.flags.filter((flag) => !drop.has(flag)) };
}

export interface AgentTask {
  kind: string;
  text: string;
  name: string;
  cwd: string;
  stateDir: string;
  model?: string;
}

/**
 * `csess exec --agent codex|claude "task text"`, the seed's single-task recipe: the flags this CLI
 * version accepts (as `csess run` probes them), the task text in a prompt file fed on stdin — never
 * on a command line or through a shell.
 */
export async function agentTaskCommand(task: AgentTask): Promise<{ argv: string[]; env: Record<string, string>; stdinFile: string }> {
  if (task.kind !== "codex" && task.kind !== "claude") {
    throw new UserError(`--agent: expected codex or claude (any other command: csess exec -- CMD...); received "${task.kind}"`);
  }
  if (task.text.trim() === "") throw new UserError('--agent: give the task text, e.g. csess exec --agent codex "Fix the login bug"; received none');
  const probe = await probeAgent(task.kind as AgentKind, { env: process.env });
  if (!probe.found) throw new UserError(`${task.kind}: ${probe.error ?? "not found"}`);
  await mkdir(task.stateDir, { recursive: true, mode: 0o700 });
  const promptFile = path.join(task.stateDir, "prompt.md");
  await writeFile(promptFile, task.text.endsWith("\n") ? task.text : `${task.text}\n`, { mode: 0o600 });
  const invocation = buildInvocation(forPeople(probe), {
    worktree: task.cwd,
    promptFile,
    ...(task.model === undefined ? {} : { model: task.model }),
    ...(task.kind === "codex" ? { lastMessageFile: path.join(task.stateDir, "last-message.md") } : {}),
    env: { taskId: task.name, taskTitle: task.text.split("\n")[0]!.slice(0, 200), runId: "exec", prd: "", iteration: 1 },
  });
  return { argv: invocation.argv, env: invocation.env, stdinFile: invocation.stdinFile };
}
