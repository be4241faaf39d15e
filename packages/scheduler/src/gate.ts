import type { Clock } from "./clock.js";

/**
 * The fleet-wide start gate: callers pass one at a time, in arrival order, and each start is at
 * least `staggerMs` after the previous one and not before the end of the current pause.
 */
export class StartGate {
  private lastStart = Number.NEGATIVE_INFINITY;
  private pauseEnd = Number.NEGATIVE_INFINITY;
  private turn: Promise<void> = Promise.resolve();

  constructor(
    private readonly clock: Clock,
    private readonly staggerMs: number,
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
   * Waits for this caller's turn, then for the stagger gap and any pause, then calls `tryStart`.
   * `tryStart` runs synchronously at the instant of the start and returns whether something started
   * (only then does the next gap count from now). Resolves false when it did not start or `signal`
   * aborted while waiting.
   */
  async pass(tryStart: () => boolean, signal: AbortSignal): Promise<boolean> {
    const previous = this.turn;
    let release!: () => void;
    this.turn = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      for (;;) {
        if (signal.aborted) return false;
        const now = this.clock.now();
        const at = Math.max(this.lastStart + this.staggerMs, this.pauseEnd);
        if (now >= at) {
          if (!tryStart()) return false;
          this.lastStart = now;
          return true;
        }
        // A pause that grows while we sleep is seen on the next lap.
        await this.clock.sleep(at - now, signal);
      }
    } finally {
      release();
    }
  }
}
