import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { parseQuotaSignal, type QuotaSignal } from "@csess/agents";
import { STATE_FILES } from "@csess/tmux";
import { record, type RunContext } from "./context.js";
import { inFlight } from "./state.js";

/**
 * Reads what the running agents say about their quota (claude rate_limit_event, codex rate-limit
 * snapshots) as their logs grow, journals each change of a provider's gauge, and hands every signal to
 * the scheduler (a warning stops growth and spaces launches, a rejection pauses until the reset).
 */
export class QuotaWatch {
  private readonly read = new Map<string, { offset: number; partial: string }>();

  constructor(
    private readonly ctx: RunContext,
    private readonly report: (signal: QuotaSignal & { taskId: string }) => void,
  ) {}

  /** Reads the new output of every running attempt (cheap: only bytes not read before). */
  poll(): void {
    for (const t of this.ctx.state.tasks.values()) {
      const attempt = t.final ? undefined : inFlight(t);
      if (attempt) this.pollLog(t.id, join(attempt.stateDir, STATE_FILES.log));
    }
  }

  private pollLog(taskId: string, file: string): void {
    const seen = this.read.get(file) ?? { offset: 0, partial: "" };
    this.read.set(file, seen);
    const text = seen.partial + readFrom(file, seen);
    const lines = text.split("\n");
    seen.partial = lines.pop() ?? "";
    for (const line of lines) {
      const signal = parseQuotaSignal(line);
      if (signal) this.signal({ ...signal, taskId });
    }
  }

  private signal(signal: QuotaSignal & { taskId: string }): void {
    const last = this.ctx.state.quota[signal.provider];
    const resetAt = signal.resetAt === undefined ? undefined : new Date(signal.resetAt).toISOString();
    if (!last || last.status !== signal.status || last.usedPercent !== signal.usedPercent || last.resetAt !== resetAt) {
      record(this.ctx, {
        type: "quota", provider: signal.provider, status: signal.status, taskId: signal.taskId,
        ...(signal.usedPercent === undefined ? {} : { usedPercent: signal.usedPercent }), ...(resetAt === undefined ? {} : { resetAt }),
      });
    }
    this.report(signal);
  }
}

/** The bytes of `file` after `seen.offset` (at most 1 MiB a poll), advancing the offset. */
function readFrom(file: string, seen: { offset: number }): string {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return "";
  }
  try {
    const size = fstatSync(fd).size;
    if (size < seen.offset) seen.offset = 0; // a new attempt's log under the same name
    const length = Math.min(size - seen.offset, 1024 * 1024);
    if (length <= 0) return "";
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, seen.offset);
    seen.offset += length;
    return buffer.toString("utf8");
  } finally {
    closeSync(fd);
  }
}
