import type { PlannedTask } from "./plan.js";
import type { IterationResult, RunSummary, TaskState, TaskSummary } from "./types.js";

/** A task as the scheduler tracks it through one run. */
export interface TaskRun {
  planned: PlannedTask;
  state: TaskState | "waiting" | "queued" | "running";
  iterationsUsed: number;
  attempt: number;
  attempts: number;
  rateLimits: number;
  lastLimited: boolean;
  reattach: boolean;
  /** The host of the running (or re-attached) iteration. */
  host?: string;
  waitingOn: number;
  dependents: TaskRun[];
  reason?: string;
}

/** The run's outcome per task; tasks still waiting, queued or running say why the run stopped. */
export function summarise(runs: Map<string, TaskRun>, startedAt: number, endedAt: number, stopped: RunSummary["stopped"]): RunSummary {
  const counts: Record<TaskState, number> = { verified: 0, failed: 0, skipped: 0, "rate-limited": 0, pending: 0 };
  const tasks: TaskSummary[] = [];
  for (const task of runs.values()) {
    let state: TaskState;
    let reason = task.reason;
    if (task.state === "waiting" || task.state === "queued" || task.state === "running") {
      state = task.lastLimited ? "rate-limited" : "pending";
      reason =
        stopped?.reason === "usage-limit" ? "run stopped for a usage limit" :
        stopped?.reason === "no-hosts" ? "run stopped: every host stopped answering" :
        "run stopped before this task finished";
    } else state = task.state;
    counts[state]++;
    tasks.push({
      id: task.planned.id,
      kind: task.planned.kind,
      state,
      iterations: task.iterationsUsed,
      attempts: task.attempts,
      rateLimits: task.rateLimits,
      ...(reason === undefined ? {} : { reason }),
    });
  }
  return { tasks, counts, ...(stopped ? { stopped } : {}), startedAt, endedAt };
}

export function checkResult(result: IterationResult): IterationResult {
  const kinds = ["verified", "again", "failed", "rate-limited", "usage-limit", "host-lost"];
  if (typeof result !== "object" || result === null || !kinds.includes(result.kind)) {
    throw new Error(
      `the iteration callback must resolve to { kind: ${kinds.map((k) => `"${k}"`).join(" | ")} }, ` +
        `e.g. { kind: "verified" }; received ${JSON.stringify(result)}`,
    );
  }
  return result;
}

export function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a whole number from 1 up, e.g. 3; received ${String(value)}`);
  }
  return value;
}

export function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a number of milliseconds from 0 up, e.g. 5000; received ${String(value)}`);
  }
  return value;
}
