/** One unit of work as the runner hands it to `plan` (see README "Dependencies and the PRD"). */
export interface SchedulerTask {
  id: string;
  /** Ids that must be verified (or already done) before this task may start. */
  deps?: string[];
  /**
   * `group`: the sum of its dependencies (a parent with nothing of its own to do). It never runs an
   * agent; it becomes verified when all its dependencies are. Default `agent`.
   */
  kind?: TaskKind;
  /** Iterations already spent on this task in an earlier run (from the replayed journal). */
  iterationsUsed?: number;
  /** Already verified (checked in the PRD, or verified in an earlier run): never started again. */
  done?: boolean;
  /**
   * An iteration of this task is still running from before a crash. It starts first and skips the
   * start gate (no new agent is launched: the callback re-attaches, see `IterationContext.reattach`).
   */
  attached?: boolean;
  /** The host the attached iteration runs on (with `SchedulerOptions.hosts`). */
  host?: string;
}

export type TaskKind = "agent" | "group";

/** What one iteration (one agent run) ended with, as the runner classified it. */
export type IterationResult =
  | { kind: "verified" }
  /** Not verified yet: another iteration if any remain, else the task fails. */
  | { kind: "again"; reason?: string }
  /** Give up on this task now (dependents are skipped). */
  | { kind: "failed"; reason?: string }
  /** Provider said 429. Does not use an iteration; the task goes back to the front of the queue. */
  | { kind: "rate-limited"; retryAfterMs?: number; resetAt?: number | Date }
  /** Account usage limit (often hours away). Same handling, plus the `longPause` policy. */
  | { kind: "usage-limit"; resetAt?: number | Date; retryAfterMs?: number }
  /** The host stopped answering: it gets no more work, and the task goes back to the front of the queue (no iteration spent). */
  | { kind: "host-lost"; host: string; reason?: string };

export interface IterationContext {
  /** 1-based iteration number, counting iterations used in earlier runs. */
  iteration: number;
  /** 1-based attempt of this iteration (a rate-limited attempt is retried as the next attempt). */
  attempt: number;
  /** True when this call should re-attach to an iteration that was already running (see `attached`). */
  reattach: boolean;
  /** Aborted by `stop({ abortRunning: true })`: end the agent and return promptly. */
  signal: AbortSignal;
  /** The host to run on (with `SchedulerOptions.hosts`; a re-attached iteration gets the host it runs on). */
  host?: string;
  /**
   * Resolves when this attempt may launch its agent: no fleet-wide pause, the stagger since the last
   * launch has passed, and fewer agents run than the concurrency limit. Await it right before starting
   * the agent (with the worktree ready). The launch is counted (stagger, adaptive concurrency) when it
   * resolves. Without `launchGate: true` the scheduler passed the gate before calling back, and this
   * resolves at once unless a pause began since. Resolves false (launch nothing) when the run stops.
   */
  startGate(): Promise<boolean>;
  /**
   * The agent process ended: its slot is free for another task now, while this callback goes on
   * landing its work (merge, check, tick). Dependents still wait for the callback's result.
   * Calling it again (or not at all) is harmless: the slot is freed when the callback returns anyway.
   */
  agentEnded(): void;
}

/**
 * What an agent CLI said about its provider's quota (claude `rate_limit_event`, codex rate-limit
 * snapshots), structurally the same as @csess/agents' `QuotaSignal`. `warning`: stop growing and space
 * starts out; `rejected`: pause every start until `resetAt`; `ok`: the warning is over.
 */
export interface QuotaSignal {
  provider: string;
  status: "ok" | "warning" | "rejected";
  /** 0..100 of the tightest window, when stated. */
  usedPercent?: number;
  /** When the window resets, ms since the epoch. */
  resetAt?: number;
  /** The task whose agent said so, if known. */
  taskId?: string;
}

export type RunIteration = (taskId: string, context: IterationContext) => Promise<IterationResult>;

/** Final state of a task at the end of `run`. Matches the report verdicts of the same names. */
export type TaskState = "verified" | "failed" | "skipped" | "rate-limited" | "pending";

export interface TaskSummary {
  id: string;
  kind: TaskKind;
  state: TaskState;
  /** Iterations used in total, including earlier runs. */
  iterations: number;
  /** Callback invocations in this run (iterations + rate-limited retries). */
  attempts: number;
  /** Rate-limit and usage-limit signals this task reported in this run. */
  rateLimits: number;
  /** Why it failed, was skipped or is still pending. */
  reason?: string;
}

export interface RunSummary {
  tasks: TaskSummary[];
  counts: Record<TaskState, number>;
  /** Set when the run ended before every task was settled. */
  stopped?: { reason: StopReason; resumeAt?: number };
  startedAt: number;
  endedAt: number;
}

export type StopReason = "stop-called" | "usage-limit" | "no-hosts";
export type LimitKind = "rate-limited" | "usage-limit";

/** Everything the scheduler decides, as it happens; `at` is `clock.now()`. Journal and show these. */
export type SchedulerEvent =
  | { type: "queued"; at: number; taskId: string; iteration: number; front: boolean }
  | { type: "started"; at: number; taskId: string; iteration: number; attempt: number; reattach: boolean; running: number; concurrency: number }
  | { type: "launched"; at: number; taskId: string; iteration: number; attempt: number; agents: number; concurrency: number }
  | { type: "finished"; at: number; taskId: string; iteration: number; attempt: number; result: IterationResult["kind"]; durationMs: number; reason?: string }
  | { type: "rate-limited"; at: number; taskId: string; iteration: number; attempt: number; limit: LimitKind; retryAfterMs?: number; resetAt?: number }
  | { type: "paused-until"; at: number; until: number; limit: LimitKind; taskId: string; extended: boolean; long: boolean }
  | { type: "resumed"; at: number }
  | { type: "concurrency-changed"; at: number; from: number; to: number; reason: ConcurrencyReason }
  | { type: "quota"; at: number; provider: string; status: QuotaSignal["status"]; usedPercent?: number; resetAt?: number; taskId?: string }
  | { type: "task-done"; at: number; taskId: string; state: TaskState; iterations: number; attempts: number; rateLimits: number; reason?: string }
  | { type: "stopped"; at: number; reason: StopReason; resumeAt?: number }
  | { type: "host-down"; at: number; host: string; taskId: string; reason?: string };

/** Why the limit moved: `rate-limit` / `quota-warning` (down), `clean-completions` / `clean-starts` (up: slow start). */
export type ConcurrencyReason = "rate-limit" | "quota-warning" | "clean-completions" | "clean-starts";
