import { SshConnection } from "@csess/tmux";
import { renderTable } from "../table.js";

/** One tool csess needs, here or on a host: found where, which version, and why csess needs it. */
export interface ToolCheck {
  name: string;
  /** true: fine; false: missing and required; null: missing but optional. */
  ok: boolean | null;
  path?: string;
  version?: string;
  detail: string;
}

export interface HostDoctorReport {
  host: string;
  /** Reachable over ssh, with tmux, git, node and the agent CLI there. */
  ok: boolean;
  reachable: boolean;
  /** ssh's own words when it could not connect. */
  error?: string;
  connectMs?: number;
  tools: ToolCheck[];
}

/** What runs on a host for csess: its remote CLI needs node, the session launcher perl; sessions tmux; work travels by git. */
const REQUIRED: { name: string; args: string; why: string }[] = [
  { name: "tmux", args: "-V", why: "runs the agents in persistent sessions there" },
  { name: "git", args: "--version", why: "the task's worktree there; the branch comes back with git fetch" },
  { name: "node", args: "--version", why: "runs csess's remote CLI there (copied on first use)" },
  { name: "perl", args: "-V:version", why: "runs each session's launcher there (copied on first use)" },
];

/** Checks an ssh host as a run would use it: BatchMode ssh, then tmux, git, node, perl and the agent on its login PATH. */
export async function runHostDoctor(host: string, options: { sshConfig?: string; agents: string[] }): Promise<HostDoctorReport> {
  const ssh = new SshConnection({ host, ...(options.sshConfig ? { configFile: options.sshConfig } : {}) });
  const tools = [...REQUIRED, ...options.agents.map((name) => ({ name, args: "--version", why: "the agent CLI" }))];
  // One round trip: "name<TAB>path<TAB>first line of its version" per tool, path empty when missing.
  const script = 'for t in "$@"; do n=${t%%:*}; a=${t#*:}; p=$(command -v "$n" 2>/dev/null || true); v=""; [ -n "$p" ] && v=$("$p" $a 2>&1 | head -n 1); printf "%s\\t%s\\t%s\\n" "$n" "$p" "$v"; done';
  const started = Date.now();
  const result = await ssh.run(["sh", "-c", script, "sh", ...tools.map((t) => `${t.name}:${t.args}`)], { timeoutMs: 60_000 });
  if (result.code !== 0) {
    return { host, ok: false, reachable: false, error: result.stderr.trim() || `ssh exited ${result.code}`, tools: [] };
  }
  const found = new Map(result.stdout.trim().split("\n").map((line) => {
    const [name = "", path = "", version = ""] = line.split("\t");
    return [name, { path, version: /\d+\.\d+(?:\.\d+)?[a-z]?/.exec(version)?.[0] }] as const;
  }));
  const checks: ToolCheck[] = tools.map((t) => {
    const f = found.get(t.name);
    return f?.path
      ? { name: t.name, ok: true, path: f.path, ...(f.version ? { version: f.version } : {}), detail: t.why }
      : { name: t.name, ok: false, detail: `not on ${host}'s login PATH: ${t.why}` };
  });
  // Every required tool, and one of the agents asked about (none for a custom agent).
  const agentChecks = checks.slice(REQUIRED.length);
  const ok = checks.slice(0, REQUIRED.length).every((c) => c.ok) && (agentChecks.length === 0 || agentChecks.some((c) => c.ok));
  return { host, ok, reachable: true, connectMs: Date.now() - started, tools: checks };
}

export function formatHostDoctor(report: HostDoctorReport): string {
  if (!report.reachable) {
    return `ssh ${report.host}: cannot connect (BatchMode, as csess runs it): ${report.error}\n` +
      `Check it with: ssh ${report.host} true — csess needs key or agent authentication, no password prompt.\n`;
  }
  const rows = [["ssh", "ok", "", `${report.host} answered in ${report.connectMs} ms`]];
  for (const t of report.tools) rows.push([t.name, t.ok ? "ok" : "MISSING", t.version ?? "", t.path ?? t.detail]);
  return `${renderTable(["CHECK", "STATUS", "VERSION", "PATH / DETAIL"], rows, 90)}\n\n` +
    (report.ok ? `Ready: csess can run agents on ${report.host}.\n` : `Not ready: install what is MISSING on ${report.host} (on its login PATH).\n`);
}
