import type { Clock } from "./clock.js";
import type { StartGate } from "./gate.js";
import type { LimitKind, SchedulerEvent } from "./types.js";

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

interface ThrottleSettings {
  clock: Clock;
  random: () => number;
  gate: StartGate;
  parallel: number;
  increaseAfter: number;
  backoff: Required<BackoffOptions>;
  longPauseMs: number;
  emit: (event: SchedulerEvent) => void;
  /** Reads and sets the live concurrency limit (p-limit's `concurrency`). */
  concurrency: { get(): number; set(value: number): void };
}

/**
 * The adaptive part: fleet-wide pauses on rate-limit signals, multiplicative decrease of concurrency
 * (once per congestion episode), additive increase after clean completions.
 */
export class Throttle {
  private backoffLevel = 0;
  private startedSinceDecrease = true;
  private lastChangeAt = Number.NEGATIVE_INFINITY;
  private decreasedInWindow = false;
  private cleanSinceChange = 0;
  /** Highest level that has had K clean completions since a limit last hit at or below it. */
  private safeLevel = 0;
  /** Probes of the level above `safeLevel` that hit a limit; each doubles the wait before the next. */
  private failedProbes = 0;

  constructor(private readonly s: ThrottleSettings) {}

  /** Handles a signal; returns the end of the pause and whether it is a long one. */
  onLimit(signal: LimitSignal): { until: number; long: boolean } {
    const { clock, gate } = this.s;
    const now = clock.now();
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
    if (!this.decreasedInWindow && this.startedSinceDecrease) {
      this.decreasedInWindow = true;
      this.decrease();
    }
    return { until: gate.pausedUntil() ?? until, long };
  }

  /**
   * Halve, but not below the safe level when the limit hit above it (a failed probe: wait twice as
   * long before the next). A limit at or below the safe level means the provider's capacity shrank:
   * forget the safe level and halve.
   */
  private decrease(): void {
    const from = this.s.concurrency.get();
    if (from > this.safeLevel) {
      if (from === this.safeLevel + 1) this.failedProbes++;
    } else {
      this.safeLevel = 0;
      this.failedProbes = 0;
    }
    const to = Math.max(1, this.safeLevel, Math.floor(from / 2));
    this.startedSinceDecrease = false;
    this.change(from, to, "rate-limit");
  }

  /** A new iteration started (re-attached ones do not count: they add no load). */
  onStart(): void {
    this.startedSinceDecrease = true;
  }

  /** An iteration ended without a rate limit while `load` iterations (itself included) were running. */
  onClean(attemptStartedAt: number): void {
    this.backoffLevel = 0;
    const from = this.s.concurrency.get();
    // Only attempts started at the current level say that this level is safe.
    if (attemptStartedAt < this.lastChangeAt) return;
    this.cleanSinceChange++;
    const needed = this.s.increaseAfter * 2 ** Math.min(this.failedProbes, 4);
    if (this.cleanSinceChange < needed || from >= this.s.parallel) return;
    if (from > this.safeLevel) {
      this.safeLevel = from;
      this.failedProbes = 0;
    }
    this.change(from, from + 1, "clean-completions");
  }

  private change(from: number, to: number, reason: "rate-limit" | "clean-completions"): void {
    const at = this.s.clock.now();
    this.lastChangeAt = at;
    this.cleanSinceChange = 0;
    if (to === from) return;
    this.s.concurrency.set(to);
    this.s.emit({ type: "concurrency-changed", at, from, to, reason });
  }

  /** Reset time if given, else full-jitter exponential backoff; never shorter than Retry-After. */
  private pauseEnd(signal: LimitSignal, now: number, level: number): number {
    const floor = now + Math.max(0, signal.retryAfterMs ?? 0);
    if (signal.resetAt !== undefined && signal.resetAt > now) return Math.max(signal.resetAt, floor);
    const { baseMs, capMs } = this.s.backoff;
    const ceiling = Math.min(capMs, baseMs * 2 ** level);
    return Math.max(now + Math.round(this.s.random() * ceiling), floor);
  }
}
