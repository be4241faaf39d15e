import type { Clock, IterationResult, QuotaSignal } from "../src/index.js";
import { seededRandom } from "../src/testing.js";

/** A provider's request quota: a token bucket refilled at `perMinute`, holding at most `burst`. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  /** Every request over quota (each one a 429 with Retry-After). */
  rejected = 0;
  accepted = 0;

  constructor(
    private readonly clock: Clock,
    readonly perMinute: number,
    readonly burst: number,
  ) {
    this.tokens = burst;
    this.updatedAt = clock.now();
  }

  /** How much of the bucket is spent (0..100): what a provider's rate-limit headers report. */
  usedPercent(): number {
    const now = this.clock.now();
    const tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) * this.perMinute) / 60_000);
    return Math.round((1 - tokens / this.burst) * 100);
  }

  /** Takes one token, or says how long until one is available (the 429's Retry-After). */
  request(): { ok: true } | { ok: false; retryAfterMs: number } {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) * this.perMinute) / 60_000);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.accepted++;
      return { ok: true };
    }
    this.rejected++;
    return { ok: false, retryAfterMs: Math.ceil(((1 - this.tokens) * 60_000) / this.perMinute) };
  }
}

export interface SimTask {
  id: string;
  /** Agent working time for the whole task when never throttled. */
  workMs: number;
  /** Model requests the task makes, spread evenly over its work. */
  requests: number;
}

export interface Workload {
  name: string;
  seed: number;
  tasks: SimTask[];
  perMinute: number;
  burst: number;
}

/** Requests one agent makes per minute of work (one model turn every 10 s). */
export const REQUESTS_PER_WORK_MINUTE = 6;

/** `count` tasks of 2..20 minutes (log-uniform, so most are short and a few are long). */
export function makeTasks(seed: number, count: number): SimTask[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const minutes = 2 * 10 ** random();
    const workMs = Math.round(minutes * 60_000);
    return { id: `t${String(i + 1).padStart(2, "0")}`, workMs, requests: Math.max(1, Math.round(minutes * REQUESTS_PER_WORK_MINUTE)) };
  });
}

/** codex-like quick internal retries after a 429, before the agent gives up and exits rate-limited. */
const QUICK_RETRY_DELAYS_MS = [200, 400, 800, 1600, 3200];

/** Warning agents report `warning` once the bucket is this spent (like claude's allowed_warning). */
export const WARN_AT_PERCENT = 50;

/**
 * One agent iteration: work, request, work, request... Over-quota requests are retried quickly five
 * times; if all fail the agent exits rate-limited (its work so far is lost: the next iteration starts
 * with a fresh context). With `report`, the agent also says how spent the quota is whenever its view
 * changes (`warning` at WARN_AT_PERCENT, `ok` below), as claude's rate_limit_event does.
 */
export async function runAgent(
  task: SimTask,
  provider: TokenBucket,
  clock: Clock,
  random: () => number,
  report?: (signal: QuotaSignal) => void,
): Promise<IterationResult> {
  const gap = task.workMs / task.requests;
  let said: QuotaSignal["status"] | undefined;
  for (let i = 0; i < task.requests; i++) {
    await clock.sleep(gap);
    let answer = provider.request();
    if (report) {
      const usedPercent = provider.usedPercent();
      const status = usedPercent >= WARN_AT_PERCENT ? "warning" : "ok";
      if (status !== said) report({ provider: "sim", status, usedPercent, taskId: task.id });
      said = status;
    }
    for (const delay of QUICK_RETRY_DELAYS_MS) {
      if (answer.ok) break;
      await clock.sleep(delay * (0.9 + 0.2 * random()));
      answer = provider.request();
    }
    if (!answer.ok) return { kind: "rate-limited", retryAfterMs: answer.retryAfterMs };
  }
  return { kind: "verified" };
}
