import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from "node:fs";
import { UserError } from "../errors.js";
import type { JournalEvent } from "./events.js";

/**
 * The run's append-only journal (`events.jsonl`). Each event is written and fsync'd before the
 * change it describes takes effect, so replaying the file after a crash (even kill -9) gives the
 * run's true state. Writes are synchronous on purpose: an event must be on disk before we go on.
 */
export class Journal {
  readonly path: string;
  private fd: number;

  constructor(path: string) {
    this.path = path;
    this.fd = openSync(path, "a", 0o600);
  }

  append(event: JournalEvent): void {
    const line = JSON.stringify({ ...event, at: event.at ?? new Date().toISOString() }) + "\n";
    writeSync(this.fd, line);
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
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
