import { join } from "node:path";
import { openRepo } from "@csess/verify";
import { readJournal } from "./journal.js";
import { isAlive, listRuns, runDir, RunLock } from "./rundir.js";
import { inFlight, replay } from "./state.js";

export interface RunSummaryRow {
  runId: string;
  prd: string;
  /** running: its runner is alive; interrupted: runner gone before the end (csess resume); stopped; finished. */
  state: "running" | "interrupted" | "stopped" | "finished";
  verified: number;
  settled: number;
  total: number;
  activeSessions: string[];
  startedAt: string;
  exitCode: number | null;
  /** The fleet's quota gauge: per provider, the last status, used percent and reset time its agents reported. */
  quota: Record<string, { status: string; usedPercent?: number; resetAt?: string; at: string }>;
}

/** The runs of the repository around `cwd`, newest last; none when cwd is not in a git repo. */
export async function summarizeRuns(cwd: string): Promise<RunSummaryRow[]> {
  let root: string;
  try {
    root = (await openRepo(cwd)).root;
  } catch {
    return [];
  }
  return listRuns(root).flatMap((runId) => {
    try {
      const state = replay(readJournal(join(runDir(root, runId), "events.jsonl")));
      const tasks = [...state.tasks.values()];
      const alive = !state.finished && state.pids.some(isAlive) && RunLock.holder(root, state.start.prdPath)?.runId === runId;
      return [{
        runId,
        prd: state.start.prdPath,
        state: alive ? "running" : state.finished ? (state.stopped ? "stopped" : "finished") : state.stopped === "stopped by user" ? "stopped" : "interrupted",
        verified: tasks.filter((t) => t.final?.verdict === "verified").length,
        settled: tasks.filter((t) => t.final).length,
        total: tasks.length,
        activeSessions: tasks.flatMap((t) => (t.final ? [] : inFlight(t)?.session ?? [])),
        startedAt: state.start.at,
        exitCode: state.finished?.exitCode ?? null,
        quota: state.quota,
      } satisfies RunSummaryRow];
    } catch {
      return [];
    }
  });
}
