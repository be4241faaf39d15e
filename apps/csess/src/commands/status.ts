import type { SessionStatus } from "@csess/tmux";
import { renderTable } from "../table.js";
import { formatQuotaGauge } from "../run/quota-gauge.js";
import { summarizeRuns, type RunSummaryRow } from "../run/summary.js";
import { listAllSessions, sessionJson } from "./tmux-shared.js";

const DEFAULT_STALL_MS = 15 * 60_000;

/** `csess status`: the runs of this repository and every csess session (here and on ssh hosts), with health. */
export async function statusCommand(options: { json?: boolean; stall?: number }): Promise<void> {
  const { sessions, unreachable } = await listAllSessions(options.stall ?? DEFAULT_STALL_MS);
  for (const host of unreachable) process.stderr.write(`csess: warning: sessions on ssh host ${host}\n`);
  const runs = await summarizeRuns(process.cwd());
  if (options.json) {
    process.stdout.write(JSON.stringify({ sessions: sessions.map(sessionJson), runs }) + "\n");
    return;
  }
  if (runs.length > 0) process.stdout.write(formatRuns(runs) + "\n");
  process.stdout.write(formatSessions(sessions));
}

function formatRuns(runs: RunSummaryRow[], now = Date.now()): string {
  const table = renderTable(
    ["RUN", "STATE", "VERIFIED", "SETTLED", "STARTED", "PRD", "QUOTA", "ACTIVE SESSIONS"],
    runs.map((r) => [r.runId, r.state, `${r.verified}/${r.total}`, `${r.settled}/${r.total}`, ago(r.startedAt, now), r.prd, formatQuotaGauge(r.quota), r.activeSessions.join(" ")]),
  );
  const hints = runs.some((r) => r.state === "interrupted") ? "\ninterrupted runs continue with: csess resume RUN (or csess stop RUN)" : "";
  return `${table}${hints}\n`;
}

export function formatSessions(sessions: SessionStatus[], now = Date.now()): string {
  if (sessions.length === 0) return "No csess sessions. Start one with: csess exec -- COMMAND\n";
  // The HOST column only once some session runs on an ssh host.
  const hosts = sessions.some((s) => s.host !== undefined);
  const table = renderTable(
    ["NAME", ...(hosts ? ["HOST"] : []), "STATE", "EXIT", "STARTED", "LAST OUTPUT", "DIR", "COMMAND"],
    sessions.map((s) => [
      s.name,
      ...(hosts ? [s.host ?? "local"] : []),
      s.state,
      s.exitCode === undefined ? "" : s.reason && s.reason !== "exit" ? `${s.exitCode} (${s.reason})` : String(s.exitCode),
      ago(s.startedAt, now),
      ago(s.lastOutputAt, now),
      s.cwd,
      s.command,
    ]),
    48,
  );
  return table + "\n";
}

function ago(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, "0")} ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}
