import { join } from "node:path";
import { STATE_FILES } from "@csess/tmux";
import type { RunState, TaskState } from "./state.js";

/** One agent start of a task: an iteration, or a rate-limited attempt that was requeued. */
export interface TimelineAttempt {
  iteration: number;
  attempt: number;
  start: string;
  /** null while the agent is still running. */
  end: string | null;
  /** The agent's outcome class (success, failed, rate-limited, usage-limit, timeout, dead, ...); null while running. */
  outcome: string | null;
  exitCode: number | null;
  /** When csess had judged the attempt by git (and run the check, if any); null when it was not judged. */
  judgedAt: string | null;
  verified: boolean | null;
  /** The agent's output log. */
  log: string;
}

export interface TimelineTask {
  id: string;
  attempts: TimelineAttempt[];
  merge: { start: string; end: string | null; status: string | null } | null;
  finishedAt: string | null;
}

/** What happened when, for the Gantt chart of `report.html` (and anyone reading report.json). */
export interface RunTimeline {
  start: string;
  /** The run's end, or its last event while it is still going. */
  end: string;
  /** Fleet-wide pauses of new starts after rate / usage limits (overlapping ones merged). */
  pauses: Array<{ from: string; to: string; taskIds: string[]; limit: string }>;
  /** Each rate / usage limit an agent hit (the 429 markers). */
  limits: Array<{ at: string; taskId: string; kind: string }>;
  /** The concurrency limit over time, starting with --parallel at the run's start. */
  concurrency: Array<{ at: string; value: number }>;
  tasks: TimelineTask[];
}

function taskTimeline(task: TaskState): TimelineTask {
  return {
    id: task.id,
    attempts: task.attempts.map((a) => ({
      iteration: a.iteration,
      attempt: a.attempt,
      start: a.startedAt,
      end: a.ended?.at ?? null,
      outcome: a.ended?.outcome.class ?? null,
      exitCode: a.ended?.exitCode ?? null,
      judgedAt: a.evidence?.at ?? null,
      verified: a.evidence?.verified ?? null,
      log: join(a.stateDir, STATE_FILES.log),
    })),
    merge: task.mergeStartedAt || task.merge
      ? { start: task.mergeStartedAt ?? task.merge?.at ?? "", end: task.merge?.at ?? null, status: task.merge?.status ?? null }
      : null,
    finishedAt: task.final?.at ?? null,
  };
}

/** The scheduler's pauses; for journals written before csess recorded them, the limits' stated reset times. */
function pausesOf(state: RunState): RunTimeline["pauses"] {
  const decided = state.pauses.length
    ? state.pauses.map((p) => ({ from: p.at, to: p.until, taskId: p.taskId, limit: p.limit }))
    : state.limits.flatMap((l) => (l.resetAt ? [{ from: l.at, to: l.resetAt, taskId: l.taskId, limit: l.kind }] : []));
  const merged: RunTimeline["pauses"] = [];
  for (const p of [...decided].sort((a, b) => a.from.localeCompare(b.from))) {
    const last = merged.at(-1);
    if (last && p.from <= last.to) {
      // An extension of the pause already in force (another agent hit the limit during it).
      if (p.to > last.to) last.to = p.to;
      if (!last.taskIds.includes(p.taskId)) last.taskIds.push(p.taskId);
    } else {
      merged.push({ from: p.from, to: p.to, taskIds: [p.taskId], limit: p.limit });
    }
  }
  return merged;
}

export function buildTimeline(state: RunState): RunTimeline {
  return {
    start: state.start.at,
    end: state.finished?.at ?? state.lastEventAt,
    pauses: pausesOf(state),
    limits: state.limits.map(({ at, taskId, kind }) => ({ at, taskId, kind })),
    concurrency: [{ at: state.start.at, value: state.start.config.parallel }, ...state.concurrencyChanges],
    tasks: [...state.tasks.values()].map(taskTimeline),
  };
}
