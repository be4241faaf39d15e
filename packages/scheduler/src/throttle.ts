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
  /** When the signalling agent was launched (unknown for a quota report). */
  launchedAt?: number;
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
/** How long a warning holds growth after it was said (an agent's own warning also holds while that agent runs). */
const WARNING_HOLD_MS = 60_000;
/** A cut keeps this share of the load the limit hit at (0.85: 8 -> 6, 7 -> 5, 5 -> 4), never below the safe level. */
const CUT_FACTOR = 0.85;
/** Each limit signal at a load multiplies the clean completions needed before probing that load again. */
const PROBE_BACKOFF = 4;
/** At most PROBE_BACKOFF^this (16) times `increaseAfter` completions before a probe. */
const MAX_PROBE_BACKOFFS = 2;
/** Jitter on a pause of the provider's own Retry-After / "try again in Ns": up to +20 %. */
const RETRY_AFTER_JITTER = 0.2;

/**
 * The adaptive part: when starts may happen and how many agents may run. Slow start (one agent,
 * one more per launch that stays clean), fleet-wide pauses on limit signals (the provider's own
 * reset time, else backoff; old load does not escalate it), a cut for every signal at a load the
 * limit allows that does not fall below the highest level that held, additive increase after clean
 * completions (rarer after each failed probe), and quota warnings that stop growth and space starts out.
 */
export class Throttle {
  private current: number;
  /** Slow start ends at the first limit or warning. */
  private slowStarting: boolean;
  private backoffLevel = 0;
  /** When the last pause window that escalated the backoff opened. */
  private reactedAt = Number.NEGATIVE_INFINITY;
  private startedSinceDecrease = true;
  private lastChangeAt = Number.NEGATIVE_INFINITY;
  private lastSignalAt = Number.NEGATIVE_INFINITY;
  private cleanSinceChange = 0;
  /** Highest level that has had K clean completions since a limit last hit at or below it. */
  private safeLevel = 0;
  /** Limit signals per load (agents running) within the limit; each multiplies the wait before probing that level. */
  private failures: number[] = [];
  private warningUntil = Number.NEGATIVE_INFINITY;
  /** Tasks whose agent's last quota report was `warning` (held until it says `ok` or ends). */
  private readonly warned = new Set<string>();

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
    const needed = this.s.increaseAfter * PROBE_BACKOFF ** Math.min(this.failures[from + 1] ?? 0, MAX_PROBE_BACKOFFS);
    if (this.cleanSinceChange < needed || from >= this.s.parallel || this.warning()) return;
    this.safeLevel = Math.max(this.safeLevel, from);
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
    // An agent launched before the last reaction is old load that no pause could hold back: its signal
    // is paused for as the provider says, and does not escalate the backoff. A signal inside an open
    // window backs off at that window's level, not the next one's.
    const old = signal.launchedAt !== undefined && signal.launchedAt < this.reactedAt;
    const until = this.pauseEnd(signal, now, old ? 0 : openWindow ? this.backoffLevel : Math.max(0, this.backoffLevel - 1));
    if (openWindow && !old) {
      this.backoffLevel++;
      this.reactedAt = now;
    }
    const long = until - now > this.s.longPauseMs;
    if (gate.pauseUntil(until)) {
      this.s.emit({ type: "paused-until", at: now, until, limit: signal.limit, taskId: signal.taskId, extended: !openWindow, long });
    }
    this.cleanSinceChange = 0;
    if (cut) this.decrease(Math.max(1, agents));
    return { until: gate.pausedUntil() ?? until, long };
  }

  /**
   * A quota report from an agent. `warning`: no growth (slow start ends) and launches twice as far
   * apart while that agent runs and for a minute after the last warning, until `ok` (from that agent,
   * or from any when the report names none). `rejected`: a limit with the exact reset.
   */
  onQuota(signal: QuotaSignal, agents: number): { until: number; long: boolean } | undefined {
    const now = this.s.clock.now();
    if (signal.status === "ok") {
      this.warningUntil = Number.NEGATIVE_INFINITY;
      if (signal.taskId === undefined) this.warned.clear();
      else this.warned.delete(signal.taskId);
      return undefined;
    }
    if (signal.status === "rejected") {
      const limit = { limit: "rate-limited" as const, taskId: signal.taskId ?? signal.provider };
      return this.onLimit(signal.resetAt === undefined ? limit : { ...limit, resetAt: signal.resetAt }, agents, signal.resetAt === undefined);
    }
    this.warningUntil = Math.max(this.warningUntil, now + WARNING_HOLD_MS);
    if (signal.taskId !== undefined) this.warned.add(signal.taskId);
    this.slowStarting = false;
    return undefined;
  }

  /** The agent of `taskId` ended: its last quota report no longer holds. */
  onAgentEnded(taskId: string): void {
    this.warned.delete(taskId);
  }

  private warning(): boolean {
    return this.warned.size > 0 || this.warningUntil > this.s.clock.now();
  }

  /**
   * Cut from the load the signal came at (not the limit: fewer may have run) by CUT_FACTOR, never below
   * the safe level. A load above the limit says nothing new: the limit already excludes it (agents
   * launched before a cut are draining). Every signal at a load the limit allows does: a burst drains
   * down to what the provider holds, one cut per signal, with no launch in between. A load at or below
   * the safe level right after a cut is the echo of the congestion just cut for (an emptied bucket);
   * after a launch it means the provider's capacity shrank: forget the safe level and the failures.
   */
  private decrease(load: number): void {
    const from = this.current;
    if (load > from) return;
    if (load <= this.safeLevel) {
      if (!this.startedSinceDecrease) return;
      this.safeLevel = 0;
      this.failures = [];
    }
    this.failures[load] = (this.failures[load] ?? 0) + 1;
    const to = Math.max(1, this.safeLevel, Math.floor(load * CUT_FACTOR));
    this.startedSinceDecrease = false;
    this.change(from, Math.min(from, to), "rate-limit");
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
