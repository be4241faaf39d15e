import type { Plan, PlannedTask } from "./plan.js";
import type { IterationResult, RunSummary, SchedulerEvent, TaskState, TaskSummary } from "./types.js";

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

/**
 * The tasks of one run: dependencies, the ready queue (requeued rate-limited tasks in front), and
 * how each task settles. It decides nothing about time or slots.
 */
export class TaskBook {
  readonly runs = new Map<string, TaskRun>();
  readonly ready: TaskRun[] = [];
  unsettled = 0;

  constructor(
    plan: Plan,
    private readonly settings: { maxIterations: number; emit: (event: SchedulerEvent) => void; now: () => number; queued: () => void },
  ) {
    for (const planned of plan.tasks) {
      this.runs.set(planned.id, {
        planned, state: "waiting", iterationsUsed: planned.iterationsUsed, attempt: 0, attempts: 0, rateLimits: 0,
        lastLimited: false, reattach: planned.attached, ...(planned.host === undefined ? {} : { host: planned.host }),
        waitingOn: 0, dependents: [],
      });
    }
  }

  /** Wires dependencies, settles what needs no run, then releases the first wave. */
  begin(): void {
    for (const task of this.runs.values()) {
      const { planned } = task;
      if (planned.status === "done") {
        task.state = "verified";
        continue;
      }
      this.unsettled++;
      for (const dep of planned.deps) {
        const depRun = this.runs.get(dep)!;
        if (depRun.planned.status === "done") continue;
        task.waitingOn++;
        depRun.dependents.push(task);
      }
    }
    for (const task of this.runs.values()) {
      if (task.state === "waiting" && task.planned.status === "exhausted") this.settle(task, "failed", task.planned.reason);
    }
    for (const task of this.runs.values()) {
      if (task.state === "waiting" && task.waitingOn === 0) this.release(task);
    }
  }

  enqueue(task: TaskRun, front: boolean): void {
    task.state = "queued";
    if (front) {
      // Ahead of fresh work, behind tasks limited earlier: they retry in the order they were stopped.
      const at = this.ready.findIndex((t) => !t.lastLimited);
      this.ready.splice(at === -1 ? this.ready.length : at, 0, task);
    } else this.ready.push(task);
    this.settings.emit({ type: "queued", at: this.settings.now(), taskId: task.planned.id, iteration: task.iterationsUsed + 1, front });
    this.settings.queued();
  }

  /** The attempt used one of the task's iterations: settle the task or queue its next iteration. */
  spend(task: TaskRun, result: Extract<IterationResult, { kind: "verified" | "failed" | "again" }>): void {
    task.iterationsUsed++;
    task.attempt = 0;
    if (result.kind === "verified") this.settle(task, "verified");
    else if (result.kind === "failed") this.settle(task, "failed", result.reason ?? "the iteration reported failure");
    else if (task.iterationsUsed >= this.settings.maxIterations) {
      this.settle(task, "failed", `not verified after ${task.iterationsUsed} iterations${result.reason ? ` (${result.reason})` : ""}`);
    } else this.enqueue(task, false);
  }

  settle(task: TaskRun, state: TaskState, reason?: string): void {
    task.state = state;
    if (reason !== undefined) task.reason = reason;
    this.unsettled--;
    this.settings.emit({
      type: "task-done", at: this.settings.now(), taskId: task.planned.id, state, iterations: task.iterationsUsed,
      attempts: task.attempts, rateLimits: task.rateLimits, ...(reason === undefined ? {} : { reason }),
    });
    if (state === "verified") {
      for (const dependent of task.dependents) if (--dependent.waitingOn === 0) this.release(dependent);
    } else {
      for (const dependent of task.dependents) {
        if (dependent.state === "waiting") this.settle(dependent, "skipped", `dependency ${task.planned.id} ${state}`);
      }
    }
  }

  private release(task: TaskRun): void {
    if (task.planned.kind === "group") this.settle(task, "verified");
    else this.enqueue(task, false);
  }

  summarise(startedAt: number, endedAt: number, stopped: RunSummary["stopped"]): RunSummary {
    const counts: Record<TaskState, number> = { verified: 0, failed: 0, skipped: 0, "rate-limited": 0, pending: 0 };
    const tasks: TaskSummary[] = [];
    for (const task of this.runs.values()) {
      let state: TaskState;
      let reason = task.reason;
      if (task.state === "waiting" || task.state === "queued" || task.state === "running") {
        state = task.lastLimited ? "rate-limited" : "pending";
        reason = STOPPED_REASON[stopped?.reason ?? "stop-called"];
      } else state = task.state;
      counts[state]++;
      tasks.push({
        id: task.planned.id, kind: task.planned.kind, state, iterations: task.iterationsUsed, attempts: task.attempts,
        rateLimits: task.rateLimits, ...(reason === undefined ? {} : { reason }),
      });
    }
    return { tasks, counts, ...(stopped ? { stopped } : {}), startedAt, endedAt };
  }
}

const STOPPED_REASON: Record<NonNullable<RunSummary["stopped"]>["reason"], string> = {
  "stop-called": "run stopped before this task finished",
  "usage-limit": "run stopped for a usage limit",
  "no-hosts": "run stopped: every host stopped answering",
};
