import type { Clock } from "./clock.js";
import type { StartGate } from "./gate.js";
import type { ConcurrencyReason, LimitKind, QuotaSignal, SchedulerEvent } from "./types.js";

export interface BackoffOptions {
  /** First backoff ceiling when the provider gave no reset time. Default 15 s. */
  baseMs?: number;
  /** Largest backoff ceiling. Default 10 min. */
  capMs?: number;
}

export interface LimitSignal {
  limit: LimitKind;
  retryAfterMs?: number;
  resetAt?: number;
  taskId: string;
}

export interface ThrottleSettings {
  clock: Clock;
  random: () => number;
  gate: StartGate;
  parallel: number;
  staggerMs: number;
  increaseAfter: number;
  backoff: Required<BackoffOptions>;
  longPauseMs: number;
  /** Start at one agent and grow by one per clean launch (false: start at `parallel`). */
  slowStart: boolean;
  /** How long a launch must run without a limit signal to count as clean in slow start. */
  probeMs: number;
  emit: (event: SchedulerEvent) => void;
  /** Called after the limit moved (waiters at the gate may start now). */
  changed: () => void;
}

/** Gap between starts while a quota warning holds, as a multiple of the stagger (and at least 1 s). */
const WARNING_SPACING = 2;
/** How long a warning holds growth when the agent gave no reset time. */
const WARNING_HOLD_MS = 60_000;
/** A cut keeps this share of the load the limit hit at (0.85: 8 -> 6, 7 -> 5, 5 -> 4), never below the safe level. */
const CUT_FACTOR = 0.85;
/** Jitter on a pause of the provider's own Retry-After / "try again in Ns": up to +20 %. */
const RETRY_AFTER_JITTER = 0.2;

/**
 * The adaptive part: when starts may happen and how many agents may run. Slow start (one agent,
 * one more per launch that stays clean), fleet-wide pauses on limit signals (the provider's own
 * reset time, else backoff), cuts that do not fall far below the highest level that held, additive
 * increase after clean completions, and quota warnings that stop growth and space starts out.
 */
export class Throttle {
  private current: number;
  /** Slow start ends at the first limit or warning. */
  private slowStarting: boolean;
  private backoffLevel = 0;
  private startedSinceDecrease = true;
  private lastChangeAt = Number.NEGATIVE_INFINITY;
  private lastSignalAt = Number.NEGATIVE_INFINITY;
  private decreasedInWindow = false;
  private cleanSinceChange = 0;
  /** Highest level that has had K clean completions since a limit last hit at or below it. */
  private safeLevel = 0;
  /** Probes of the level above `safeLevel` that hit a limit; each doubles the wait before the next. */
  private failedProbes = 0;
  private warningUntil = Number.NEGATIVE_INFINITY;

  constructor(private readonly s: ThrottleSettings) {
    this.slowStarting = s.slowStart && s.parallel > 1;
    this.current = this.slowStarting ? 1 : s.parallel;
  }

  /** Most agents that may run at once right now (1..parallel). */
  get level(): number {
    return this.current;
  }

  /** Least time between two launches right now. */
  gap(): number {
    return this.warning() ? Math.max(1000, this.s.staggerMs * WARNING_SPACING) : this.s.staggerMs;
  }

  /** An agent was launched (re-attached ones do not count: they add no load). */
  onLaunch(): void {
    this.startedSinceDecrease = true;
  }

  /** Slow start: a launch at `launchedAt` ran `probeMs` without any limit signal since. */
  onCleanLaunch(launchedAt: number): void {
    if (!this.slowStarting || this.lastSignalAt >= launchedAt || this.warning()) return;
    if (this.current < this.s.parallel) this.change(this.current, this.current + 1, "clean-starts");
  }

  /** An iteration ended without a rate limit; it was launched at `launchedAt`. */
  onClean(launchedAt: number): void {
    this.backoffLevel = 0;
    const from = this.current;
    // Only attempts launched at the current level say that this level is safe.
    if (launchedAt < this.lastChangeAt || this.slowStarting) return;
    this.cleanSinceChange++;
    const needed = this.s.increaseAfter * 2 ** Math.min(this.failedProbes, 4);
    if (this.cleanSinceChange < needed || from >= this.s.parallel || this.warning()) return;
    if (from > this.safeLevel) {
      this.safeLevel = from;
      this.failedProbes = 0;
    }
    this.change(from, from + 1, "clean-completions");
  }

  /**
   * Handles a limit signal while `agents` agents ran (its own included); returns the end of the pause.
   * `cut: false` pauses without touching concurrency (a quota window that is spent, not too much load).
   */
  onLimit(signal: LimitSignal, agents: number, cut = true): { until: number; long: boolean } {
    const { clock, gate } = this.s;
    const now = clock.now();
    this.lastSignalAt = now;
    this.slowStarting = false;
    const openWindow = gate.pausedUntil() === undefined;
    // A signal inside an open window backs off at that window's level, not the next one's.
    const until = this.pauseEnd(signal, now, openWindow ? this.backoffLevel : Math.max(0, this.backoffLevel - 1));
    if (openWindow) {
      this.decreasedInWindow = false;
      this.backoffLevel++;
    }
    const long = until - now > this.s.longPauseMs;
    if (gate.pauseUntil(until)) {
      this.s.emit({ type: "paused-until", at: now, until, limit: signal.limit, taskId: signal.taskId, extended: !openWindow, long });
    }
    // One decrease per pause window, and none until something new has started since the last one:
    // until then the load has only fallen, and signals repeat the congestion already acted on.
    this.cleanSinceChange = 0;
    if (cut && !this.decreasedInWindow && this.startedSinceDecrease) {
      this.decreasedInWindow = true;
      this.decrease(Math.min(this.current, Math.max(1, agents)));
    }
    return { until: gate.pausedUntil() ?? until, long };
  }

  /**
   * A quota report from an agent. `warning`: no growth (slow start ends) and launches twice as far
   * apart for a minute after the last one, or until `ok`. `rejected`: a limit with the exact reset.
   */
  onQuota(signal: QuotaSignal, agents: number): { until: number; long: boolean } | undefined {
    const now = this.s.clock.now();
    if (signal.status === "ok") {
      this.warningUntil = Number.NEGATIVE_INFINITY;
      return undefined;
    }
    if (signal.status === "rejected") {
      const limit = { limit: "rate-limited" as const, taskId: signal.taskId ?? signal.provider };
      return this.onLimit(signal.resetAt === undefined ? limit : { ...limit, resetAt: signal.resetAt }, agents, signal.resetAt === undefined);
    }
    this.warningUntil = Math.max(this.warningUntil, now + WARNING_HOLD_MS);
    this.slowStarting = false;
    return undefined;
  }

  private warning(): boolean {
    return this.warningUntil > this.s.clock.now();
  }

  /**
   * Cut from the load the signal came at (not the limit: fewer may have run) by CUT_FACTOR, but not below the safe level when the limit
   * hit above it (a failed probe: wait twice as long before the next). A limit at or below the safe
   * level means the provider's capacity shrank: forget the safe level.
   */
  private decrease(load: number): void {
    const from = this.current;
    if (load > this.safeLevel) {
      if (load === this.safeLevel + 1) this.failedProbes++;
    } else {
      this.safeLevel = 0;
      this.failedProbes = 0;
    }
    const to = Math.min(from, Math.max(1, this.safeLevel, Math.floor(load * CUT_FACTOR)));
    this.startedSinceDecrease = false;
    this.change(from, to, "rate-limit");
  }

  private change(from: number, to: number, reason: ConcurrencyReason): void {
    const at = this.s.clock.now();
    this.lastChangeAt = at;
    this.cleanSinceChange = 0;
    if (to === from) return;
    this.current = to;
    this.s.emit({ type: "concurrency-changed", at, from, to, reason });
    this.s.changed();
  }

  /**
   * The provider's reset time if given; else its Retry-After with a little jitter the first time, and
   * full-jitter exponential backoff (never shorter than Retry-After) only when signals repeat.
   */
  private pauseEnd(signal: LimitSignal, now: number, level: number): number {
    const floor = now + Math.max(0, signal.retryAfterMs ?? 0);
    if (signal.resetAt !== undefined && signal.resetAt > now) return Math.max(signal.resetAt, floor);
    if (signal.retryAfterMs !== undefined && level === 0) {
      return floor + Math.round(this.s.random() * RETRY_AFTER_JITTER * signal.retryAfterMs);
    }
    const { baseMs, capMs } = this.s.backoff;
    const ceiling = Math.min(capMs, baseMs * 2 ** level);
    return Math.max(now + Math.round(this.s.random() * ceiling), floor);
  }
}
