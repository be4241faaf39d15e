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
  /** When the attempt that hit the limit started. */
  attemptStartedAt: number;
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
  private lastDecreaseAt = Number.NEGATIVE_INFINITY;
  private decreasedInWindow = false;
  private cleanSinceChange = 0;

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
    // One decrease per pause window, and only for an attempt that started after the last decrease:
    // attempts launched under the old, higher concurrency report the same congestion again.
    if (!this.decreasedInWindow && signal.attemptStartedAt >= this.lastDecreaseAt) {
      this.decreasedInWindow = true;
      this.lastDecreaseAt = now;
      this.cleanSinceChange = 0;
      const from = this.s.concurrency.get();
      const to = Math.max(1, Math.floor(from / 2));
      if (to !== from) {
        this.s.concurrency.set(to);
        this.s.emit({ type: "concurrency-changed", at: now, from, to, reason: "rate-limit" });
      }
    }
    return { until: gate.pausedUntil() ?? until, long };
  }

  /** An iteration ended without a rate limit. */
  onClean(attemptStartedAt: number): void {
    this.backoffLevel = 0;
    // Only attempts started at the current level say that this level is safe.
    if (attemptStartedAt < this.lastDecreaseAt) return;
    this.cleanSinceChange++;
    const from = this.s.concurrency.get();
    if (this.cleanSinceChange < this.s.increaseAfter || from >= this.s.parallel) return;
    this.cleanSinceChange = 0;
    this.s.concurrency.set(from + 1);
    this.s.emit({ type: "concurrency-changed", at: this.s.clock.now(), from, to: from + 1, reason: "clean-completions" });
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
