import { createLogUpdate } from "log-update";
import pc from "picocolors";
import { formatQuotaGauge } from "./quota-gauge.js";

export interface ViewRow {
  id: string;
  title: string;
  state: string;
  iteration: number;
  maxIterations: number;
  elapsedMs: number;
  lastLine: string;
}

export interface ViewSnapshot {
  runId: string;
  done: number;
  total: number;
  concurrency: number;
  parallel: number;
  pausedUntil?: Date;
  /** The fleet's quota gauge per provider (last known used percent and reset). */
  quota?: Record<string, { status: string; usedPercent?: number; resetAt?: string }>;
  rows: ViewRow[];
}

/** What the runner reports while it works: a live screen on a TTY, one line per event otherwise. */
export interface ProgressView {
  /** A notable event (task started, finished, rate limit, ...). */
  event(kind: string, fields: Record<string, unknown>, text: string): void;
  /** Redraw from a fresh snapshot (TTY only; no-op for line output). */
  refresh(snapshot: ViewSnapshot): void;
  stop(): void;
}

const STATE_COLOR: Record<string, (s: string) => string> = {
  running: pc.cyan,
  verified: pc.green,
  failed: pc.red,
  conflict: pc.red,
  "claimed-unverified": pc.yellow,
  "rate-limited": pc.magenta,
  waiting: pc.magenta,
  merging: pc.cyan,
  checking: pc.cyan,
  queued: pc.dim,
  skipped: pc.dim,
};

function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function clip(text: string, width: number): string {
  return text.length > width ? text.slice(0, Math.max(0, width - 1)) + "…" : text;
}

function renderSnapshot(s: ViewSnapshot, width: number): string {
  const pause = s.pausedUntil && s.pausedUntil.getTime() > Date.now()
    ? pc.magenta(`  paused until ${s.pausedUntil.toLocaleTimeString()} (rate limit)`)
    : "";
  const gauge = s.quota ? formatQuotaGauge(s.quota) : "";
  const header = `${pc.bold(`csess ${s.runId}`)}  ${s.done}/${s.total} done  concurrency ${s.concurrency}/${s.parallel}${gauge ? `  quota ${gauge}` : ""}${pause}`;
  const lines = [header];
  for (const row of s.rows) {
    const color = STATE_COLOR[row.state] ?? (/^(paused|requeued)/.test(row.state) ? pc.magenta : /^waiting/.test(row.state) ? pc.dim : (x: string) => x);
    const head = `${color(row.state.padEnd(24))} ${row.id.padEnd(6)} it ${row.iteration}/${row.maxIterations} ${elapsed(row.elapsedMs).padStart(6)}  `;
    // Clip the plain text before colouring it, so escape codes never count toward (or get cut by) the width.
    const room = Math.max(20, width - 50);
    const title = clip(row.title, room);
    const said = row.lastLine && title.length + 4 < room ? clip(row.lastLine, room - title.length - 3) : "";
    lines.push(head + title + (said ? pc.dim(`  › ${said}`) : ""));
  }
  lines.push(pc.dim("Ctrl-C stops new starts; running agents keep going in tmux (csess status / csess resume)."));
  return lines.join("\n");
}

class LiveView implements ProgressView {
  private readonly log = createLogUpdate(process.stderr, { showCursor: true });
  private last?: ViewSnapshot;

  event(_kind: string, _fields: Record<string, unknown>, text: string): void {
    // Notable events scroll above the live block so they stay in the terminal history.
    this.log.clear();
    process.stderr.write(text + "\n");
    if (this.last) this.refresh(this.last);
  }

  refresh(snapshot: ViewSnapshot): void {
    this.last = snapshot;
    this.log(renderSnapshot(snapshot, process.stderr.columns ?? 100));
  }

  stop(): void {
    this.log.done();
  }
}

class LineView implements ProgressView {
  constructor(private readonly json: boolean) {}

  event(kind: string, fields: Record<string, unknown>, text: string): void {
    if (this.json) process.stdout.write(JSON.stringify({ event: kind, at: new Date().toISOString(), ...fields }) + "\n");
    else process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${text}\n`);
  }

  refresh(): void {}

  stop(): void {}
}

export function createView(options: { json: boolean }): ProgressView {
  if (!options.json && process.stderr.isTTY && process.env.CI !== "true") return new LiveView();
  return new LineView(options.json);
}
