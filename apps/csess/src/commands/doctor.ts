import { delimiter, dirname } from "node:path";
import { AGENT_KINDS, probeAgent, type AgentKind, type AgentProbe } from "@csess/agents";
import { run, which } from "@csess/agents/exec";
import { addedToPath, cloneAgentBin, type PathAddition } from "../agent-path.js";
import { UserError } from "../errors.js";
import { renderTable } from "../table.js";
import { formatHostDoctor, runHostDoctor, type ToolCheck } from "./doctor-host.js";

export interface DoctorReport {
  /** A usable setup: tmux, git, perl and the agent asked for (or codex or claude) are there. */
  ok: boolean;
  tools: ToolCheck[];
  agents: AgentProbe[];
  notifier: ToolCheck;
  path: string[];
  /** Folders csess added to PATH for itself and the agents (macOS: /opt/homebrew/bin, /usr/local/bin). */
  pathAdded: PathAddition[];
}

async function versionOf(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const result = await run(file, args, env, 10_000);
  return result.code === 0 ? /\d+\.\d+(?:\.\d+)?[a-z]?/.exec(result.stdout)?.[0] : undefined;
}

async function tool(name: string, args: string[], env: NodeJS.ProcessEnv, why: string): Promise<ToolCheck> {
  const path = which(name, env);
  if (!path) return { name, ok: false, detail: `not found on PATH: ${why} (apt-get install -y ${name} / brew install ${name})` };
  const version = await versionOf(path, args, env);
  return { name, ok: true, path, ...(version ? { version } : {}), detail: why };
}

/** Everything `csess doctor` checks, for the given environment (the one agents will inherit). */
export async function runDoctor(env: NodeJS.ProcessEnv = process.env, agent?: AgentKind): Promise<DoctorReport> {
  const kinds = agent ? [agent] : AGENT_KINDS;
  const [tmux, git, perl, ...agents] = await Promise.all([
    tool("tmux", ["-V"], env, "runs every agent in a persistent session"),
    tool("git", ["--version"], env, "worktrees, commits as evidence, merges"),
    tool("perl", ["-V:version"], env, "runs each session's launcher (a small script beside csess)"),
    ...kinds.map((kind) => probeAgent(kind, { env, checkAuth: true }).then(withCloneHint)),
  ]);
  const notifierPath = which("openclaw", env) ?? which("notify-send", env);
  const notifier: ToolCheck = notifierPath
    ? { name: "notifier", ok: true, path: notifierPath, detail: `session start/finish notifications via ${notifierPath.split("/").pop()}` }
    : { name: "notifier", ok: null, detail: "no openclaw or notify-send on PATH: no desktop notifications (optional)" };
  const usable = agent ? agents.some((a) => a.found) : agents.some((a) => a.kind !== "custom" && a.found);
  return {
    ok: tmux?.ok === true && git?.ok === true && perl?.ok === true && usable,
    tools: [tmux, git, perl].filter((t): t is ToolCheck => t !== undefined),
    agents: agents as AgentProbe[],
    notifier,
    path: (env.PATH ?? "").split(delimiter).filter(Boolean),
    pathAdded: addedToPath.filter((a) => (env.PATH ?? "").split(delimiter).includes(a.dir)),
  };
}

/** A CLI missing from PATH that this csess clone installed for its demo: say where it is. */
function withCloneHint(probe: AgentProbe): AgentProbe {
  const local = probe.found || probe.kind === "custom" ? undefined : cloneAgentBin(probe.kind);
  if (!local) return probe;
  return { ...probe, error: `${probe.error ?? "not found"}; or use the one this csess clone installed for its demo: export PATH="${dirname(local)}:$PATH"` };
}

function status(ok: boolean | null | undefined): string {
  return ok === true ? "ok" : ok === false ? "MISSING" : "-";
}

export function formatDoctor(report: DoctorReport): string {
  const rows = report.tools.map((t) => [t.name, status(t.ok), t.version ?? "", t.path ?? t.detail]);
  for (const a of report.agents) {
    rows.push([a.kind, a.found ? "ok" : a.kind === "custom" ? "MISSING" : "not found", a.version ?? "", a.path ?? a.error ?? ""]);
  }
  rows.push([report.notifier.name, status(report.notifier.ok), "", report.notifier.path ?? report.notifier.detail]);
  const lines = [renderTable(["CHECK", "STATUS", "VERSION", "PATH / DETAIL"], rows, 90), ""];
  for (const a of report.agents.filter((x) => x.found)) {
    const env = Object.entries(a.env).map(([k, v]) => `${k}=${v} `).join("");
    lines.push(`${a.kind}: csess runs  ${env}${a.path} ${a.flags.join(" ")}${a.kind === "custom" ? " CMD" : ""}`);
    if (a.auth) lines.push(`  auth: ${a.auth.ok === true ? "ok" : a.auth.ok === false ? "NOT LOGGED IN" : "unknown"} (${a.auth.detail})${a.auth.ok === true || !a.auth.advice ? "" : `: ${a.auth.advice}`}`);
    for (const note of a.notes) lines.push(`  - ${note}`);
  }
  for (const a of report.agents.filter((x) => !x.found)) lines.push(`${a.kind}: ${a.error ?? "not found"}`);
  lines.push("", `PATH: ${report.path.join(delimiter)}`);
  for (const added of report.pathAdded) lines.push(`  added by csess: ${added.dir} (${added.why})`);
  lines.push("");
  lines.push(
    report.ok
      ? "Ready: csess can run agents here."
      : "Not ready: csess needs tmux, git, perl and an agent CLI (codex or claude; or use --agent custom --agent-cmd CMD and check it with `csess doctor --agent custom`).",
    "",
  );
  return lines.join("\n");
}

/** `csess doctor`: what csess needs here (or on an ssh host), what it found, and whether it is ready. */
export async function doctorCommand(options: { agent?: string; json?: boolean; host?: string; sshConfig?: string }): Promise<void> {
  if (options.agent !== undefined && !(AGENT_KINDS as readonly string[]).includes(options.agent)) {
    throw new UserError(`--agent must be one of ${AGENT_KINDS.join(", ")} (e.g. --agent codex); received "${options.agent}"`);
  }
  if (options.host !== undefined && options.host !== "local") {
    const agents = options.agent === "custom" ? [] : options.agent ? [options.agent] : ["codex", "claude"];
    const hostReport = await runHostDoctor(options.host, { agents, ...(options.sshConfig ? { sshConfig: options.sshConfig } : {}) });
    process.stdout.write(options.json ? `${JSON.stringify(hostReport, null, 2)}\n` : formatHostDoctor(hostReport));
    if (!hostReport.ok) process.exitCode = 1;
    return;
  }
  const report = await runDoctor(process.env, options.agent as AgentKind | undefined);
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctor(report));
  if (!report.ok) process.exitCode = 1;
}
