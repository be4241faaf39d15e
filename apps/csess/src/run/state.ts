import { UserError } from "../errors.js";
import type { EventOf, JournalEvent, PlannedTask, Verdict } from "./events.js";

export interface IterationState {
  iteration: number;
  attempt: number;
  session: string;
  stateDir: string;
  /** The commit the task's branch started from: its own commits are base..branch. */
  base: string;
  /** The ssh host it runs on; undefined for this machine. */
  host?: string;
  startedAt: string;
  ended?: EventOf<"iteration-ended"> & { at: string };
  evidence?: EventOf<"evidence">;
}

export interface TaskState extends PlannedTask {
  worktree?: string;
  branch?: string;
  base?: string;
  /** Every agent start, rate-limited ones included. */
  attempts: IterationState[];
  merge?: EventOf<"merge-ended">;
  mergeStarted: boolean;
  mergeStartedAt?: string;
  ticked?: EventOf<"tick-ended">;
  rateLimits: number;
  final?: { verdict: Verdict; reason: string; at: string };
}

export interface RunState {
  start: EventOf<"run-started"> & { at: string };
  tasks: Map<string, TaskState>;
  pids: number[];
  stopped?: string;
  pausedUntil?: string;
  concurrency?: number;
  /** Fleet-wide pauses the scheduler decided, in order (journals written before the "paused" event have none). */
  pauses: Array<{ at: string; until: string; taskId: string; limit: string }>;
  /** Every rate / usage limit an agent hit, with the reset time when the agent said it. */
  limits: Array<{ at: string; taskId: string; kind: string; resetAt?: string }>;
  /** The concurrency limit over time (its first value is the run's --parallel). */
  concurrencyChanges: Array<{ at: string; value: number }>;
  /** The fleet's quota gauge: the last thing each provider's agents said about its quota. */
  quota: Record<string, { status: "ok" | "warning" | "rejected"; usedPercent?: number; resetAt?: string; at: string }>;
  finished?: { exitCode: number; at: string };
  /** Commits on the integration branch csess did not make, as of the run's end. */
  outsideCommits: Array<{ hash: string; author: string; subject: string }>;
  lastEventAt: string;
}

/** Counted iterations: agent starts that were neither rate-limited nor lost with a dead session. */
export function iterationsUsed(task: TaskState): number {
  return task.attempts.filter((a) => a.ended && !isRateLimited(a) && a.ended.outcome.class !== "dead").length;
}

export function isRateLimited(attempt: IterationState): boolean {
  const cls = attempt.ended?.outcome.class;
  return cls === "rate-limited" || cls === "usage-limit";
}

/** The attempt that was started but whose end is not in the journal (at most one per task). */
export function inFlight(task: TaskState): IterationState | undefined {
  const last = task.attempts.at(-1);
  return last && !last.ended ? last : undefined;
}

/** Rebuilds a run's state from its journal. */
export function replay(events: JournalEvent[]): RunState {
  const first = events[0];
  if (!first || first.type !== "run-started") {
    throw new UserError(
      `not a csess run journal: expected events.jsonl to begin with a "run-started" event as csess writes it; received ${first ? `a "${first.type}" event` : "an empty file"}`,
    );
  }
  const state: RunState = {
    start: first as RunState["start"],
    tasks: new Map(
      first.tasks.map((t) => [t.id, { ...t, attempts: [], mergeStarted: false, rateLimits: 0 }]),
    ),
    pids: [first.pid],
    pauses: [],
    limits: [],
    concurrencyChanges: [],
    outsideCommits: [],
    quota: {},
    lastEventAt: first.at ?? "",
  };
  for (const event of events.slice(1)) applyEvent(state, event);
  return state;
}

/** Applies one event to the state (replay, and the live runner right after journaling it). One case per event type, kept together on purpose. */
export function applyEvent(state: RunState, event: JournalEvent): void {
  const at = event.at ?? "";
  state.lastEventAt = at;
  const task = "taskId" in event ? state.tasks.get(event.taskId) : undefined;
  switch (event.type) {
    case "runner-attached":
      state.pids.push(event.pid);
      state.stopped = undefined; // a resumed run is running again
      return;
    case "iteration-started":
      if (!task) return;
      task.worktree = event.worktree;
      task.branch = event.branch;
      task.base = event.base;
      task.attempts.push({
        iteration: event.iteration,
        attempt: event.attempt,
        session: event.session,
        stateDir: event.stateDir,
        base: event.base,
        ...(event.host === undefined ? {} : { host: event.host }),
        startedAt: at,
      });
      return;
    case "iteration-ended": {
      const attempt = task?.attempts.find((a) => a.attempt === event.attempt);
      if (attempt) attempt.ended = { ...event, at };
      return;
    }
    case "evidence": {
      const attempt = task?.attempts.find((a) => a.attempt === event.attempt);
      if (attempt) attempt.evidence = event;
      return;
    }
    case "rate-limit":
      if (task) task.rateLimits += 1;
      if (event.pausedUntil) state.pausedUntil = event.pausedUntil;
      state.limits.push({ at, taskId: event.taskId, kind: event.kind, resetAt: event.pausedUntil });
      return;
    case "paused":
      state.pauses.push({ at, until: event.until, taskId: event.taskId, limit: event.limit });
      state.pausedUntil = event.until;
      return;
    case "concurrency":
      state.concurrency = event.value;
      state.concurrencyChanges.push({ at, value: event.value });
      return;
    case "quota":
      state.quota[event.provider] = {
        status: event.status, at,
        ...(event.usedPercent === undefined ? {} : { usedPercent: event.usedPercent }), ...(event.resetAt === undefined ? {} : { resetAt: event.resetAt }),
      };
      return;
    case "merge-started":
      if (task) {
        task.mergeStarted = true;
        task.mergeStartedAt = at;
      }
      return;
    case "merge-ended":
      if (task) task.merge = event;
      return;
    case "tick-ended":
      if (task) task.ticked = event;
      return;
    case "task-finished":
      if (task) task.final = { verdict: event.verdict, reason: event.reason, at };
      return;
    case "run-stopped":
      state.stopped = event.reason;
      return;
    case "outside-commits":
      state.outsideCommits = event.commits;
      return;
    case "run-finished":
      state.finished = { exitCode: event.exitCode, at };
      return;
    default:
      return;
  }
}
