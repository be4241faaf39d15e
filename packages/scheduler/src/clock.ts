/** Where the scheduler gets time from. Injected so tests and the benchmark run in virtual time. */
export interface Clock {
  /** Milliseconds since the epoch (or any fixed origin; only differences and reset times matter). */
  now(): number;
  /** Resolves after `ms` (immediately for ms <= 0), or early, without error, when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted || ms <= 0) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
    }),
};

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

/** Lets every pending promise callback run (setImmediate comes after the microtask queue drains). */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Virtual time. Nothing happens until you `advance` it (or `runUntil` a promise settles, which jumps
 * from timer to timer). Between timers, pending promise callbacks are allowed to run, so code that
 * awaits `sleep` observes exactly the time it asked for.
 */
export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: Timer[] = [];

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted || ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer: Timer = {
        at: this.current + ms,
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((t) => t !== timer);
        resolve();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.insert(timer);
    });
  }

  /** Number of sleeps not yet due. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order, settling between them. */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await settle();
    for (;;) {
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.fireNext();
      await settle();
    }
    this.current = target;
    await settle();
  }

  /**
   * Runs virtual time until `promise` settles: whenever nothing else can happen, jumps to the next
   * timer. Rejects if the promise can never settle (no timers left) instead of hanging.
   */
  async runUntil<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    const observed = promise.finally(() => {
      settled = true;
    });
    observed.catch(() => {});
    await settle();
    while (!settled) {
      if (this.timers.length === 0) {
        await settle();
        if (settled) break;
        if (this.timers.length === 0) throw new Error("FakeClock.runUntil: deadlock, nothing scheduled and the promise is still pending");
        continue;
      }
      this.fireNext();
      await settle();
    }
    return observed;
  }

  private fireNext(): void {
    const timer = this.timers.shift();
    if (!timer) return;
    this.current = Math.max(this.current, timer.at);
    timer.fire();
  }

  private insert(timer: Timer): void {
    // Binary search keeps timers ordered by due time, then by creation (FIFO for equal times).
    let lo = 0;
    let hi = this.timers.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const t = this.timers[mid]!;
      if (t.at < timer.at || (t.at === timer.at && t.seq < timer.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.timers.splice(lo, 0, timer);
  }
}
