import { closeSync, existsSync, fdatasync, fstatSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { UserError } from "../errors.js";
import type { JournalEvent } from "./events.js";

/**
 * The run's append-only journal (`events.jsonl`). Each event is written (synchronously, on purpose)
 * before the change it describes takes effect, so replaying the file after a crash (even kill -9)
 * gives the run's true state. The flush to the disk itself runs off the main thread, one `fdatasync`
 * for all the events written in one turn of the event loop: it guards against the machine losing
 * power, where every step is idempotent anyway (a replay finds a merge or a tick already done).
 *
 * The journal also lives in memory: when the file is deleted (alone or with the whole runs folder)
 * or changed by anyone else under a running csess, the next write notices (the open file has no
 * name left, or not the size csess wrote), writes the journal back as csess wrote it and calls
 * `onRestored`, so `report` and `resume` keep working and the run says what happened.
 */
export class Journal {
  readonly path: string;
  /** Told when the file had to be written back; the run warns. */
  onRestored: (path: string, why: string) => void = () => undefined;
  private fd: number;
  private readonly lines: string[] = [];
  private size = 0;
  private flushQueued = false;

  constructor(path: string) {
    this.path = path;
    if (existsSync(path)) this.lines.push(readFileSync(path, "utf8"));
    this.size = Buffer.byteLength(this.lines.join(""));
    this.fd = openSync(path, "a", 0o600);
  }

  append(event: JournalEvent): void {
    const line = JSON.stringify({ ...event, at: event.at ?? new Date().toISOString() }) + "\n";
    const stat = fstatSync(this.fd);
    if (stat.nlink === 0) this.restore("it was deleted");
    else if (stat.size !== this.size) this.restore(`it was changed outside csess (${stat.size} bytes, csess wrote ${this.size})`);
    this.lines.push(line);
    this.size += Buffer.byteLength(line);
    writeSync(this.fd, line);
    this.flushSoon();
  }

  /** One fdatasync on the thread pool for the events of this turn (a closed file is not flushed). */
  private flushSoon(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flushQueued = false;
      if (this.fd !== -1) fdatasync(this.fd, () => undefined);
    });
  }

  private restore(why: string): void {
    closeSync(this.fd);
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    this.fd = openSync(this.path, "w", 0o600);
    writeSync(this.fd, this.lines.join(""));
    this.onRestored(this.path, why);
  }

  close(): void {
    closeSync(this.fd);
    this.fd = -1;
  }
}

/** Reads every complete event; a torn last line (crash mid-write) is ignored. */
export function readJournal(path: string): JournalEvent[] {
  if (!existsSync(path)) return [];
  const events: JournalEvent[] = [];
  const lines = readFileSync(path, "utf8").split("\n");
  for (const [index, line] of lines.entries()) {
    if (line.trim() === "") continue;
    try {
      events.push(JSON.parse(line) as JournalEvent);
    } catch {
      if (index < lines.length - 2) {
        // Only the last line can be torn by a crash: anything else was edited or damaged by hand.
        throw new UserError(
          `${path}:${index + 1}: corrupt journal line (expected one JSON event per line as csess wrote it; received ${JSON.stringify(line.slice(0, 60))}); ` +
            `this run cannot be replayed: read its report.md, or start a new run`,
        );
      }
    }
  }
  return events;
}
