import type { Clock } from "./clock.js";

/** Resolves everyone waiting on the next `poke()` (or when their signal aborts). */
export class Wakeup {
  private waiters: Array<() => void> = [];

  wait(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const done = () => {
        signal.removeEventListener("abort", done);
        resolve();
      };
      this.waiters.push(done);
      signal.addEventListener("abort", done, { once: true });
    });
  }

  poke(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** `start`: start now; `wait`: not yet (e.g. no free slot), ask again after the next wakeup; `give-up`: leave the gate. */
export type GateAnswer = "start" | "wait" | "give-up";

/**
 * The fleet-wide start gate: callers pass one at a time, in arrival order, and each start is at
 * least `gap()` after the previous one and not before the end of the current pause.
 */
export class StartGate {
  private lastStart = Number.NEGATIVE_INFINITY;
  private pauseEnd = Number.NEGATIVE_INFINITY;
  private turn: Promise<void> = Promise.resolve();

  constructor(
    private readonly clock: Clock,
    /** The least time between two starts right now (the stagger, longer while a quota warning holds). */
    private readonly gap: () => number,
    /** Poked whenever the answer of a waiting caller may have changed (a slot freed, the limit moved). */
    private readonly changed: Wakeup,
  ) {}

  /** End of the current pause, or undefined when starts are not paused. */
  pausedUntil(): number | undefined {
    return this.pauseEnd > this.clock.now() ? this.pauseEnd : undefined;
  }

  /** Pauses every start until `until` (never shortens a pause). Returns true if the pause moved. */
  pauseUntil(until: number): boolean {
    if (until <= this.pauseEnd) return false;
    this.pauseEnd = until;
    return true;
  }

  /**
   * Waits for this caller's turn, then for the gap and any pause, then asks `canStart` (synchronously,
   * at the instant of the start). Only a `start` counts for the next gap. Resolves true when it started,
   * false when `canStart` gave up or `signal` aborted.
   */
  async pass(canStart: () => GateAnswer, signal: AbortSignal): Promise<boolean> {
    const previous = this.turn;
    let release!: () => void;
    this.turn = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      for (;;) {
        if (signal.aborted) return false;
        const now = this.clock.now();
        const at = Math.max(this.lastStart + this.gap(), this.pauseEnd);
        if (now < at) {
          // A pause that grows while we sleep is seen on the next lap.
          await this.clock.sleep(at - now, signal);
          continue;
        }
        const answer = canStart();
        if (answer === "give-up") return false;
        if (answer === "wait") {
          await this.changed.wait(signal);
          continue;
        }
        this.lastStart = now;
        return true;
      }
    } finally {
      release();
    }
  }
}
