import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import { defaultHome } from "@csess/tmux";
import { writeFileAtomicSync } from "./write-atomic.js";

const HEADING = "## Active Long-Running Processes";

export interface NoteEntry {
  session: string;
  /** Empty when the finish does not know it: the start's line keeps it. */
  command: string;
  cwd: string;
  startedAt: Date;
  /** Set when the session finished. */
  exitCode?: number | null;
  endedAt?: Date;
}

/**
 * Where the daily notes go unless told otherwise: never into the user's repository, but the OpenClaw
 * workspace's memory folder when there is one (`$OPENCLAW_WORKSPACE_DIR`, else `~/.openclaw/workspace`),
 * else a per-user folder, `$CSESS_HOME/notes` (`~/.csess/notes`).
 */
export function defaultNotesPattern(env: NodeJS.ProcessEnv = process.env): string {
  const openclaw = env.OPENCLAW_WORKSPACE_DIR || join(homedir(), ".openclaw", "workspace");
  if (existsSync(openclaw)) return join(openclaw, "memory", "{date}.md");
  return join(defaultHome(env), "notes", "{date}.md");
}

/** `memory/{date}.md` -> `memory/2026-11-21.md`, relative to `root` unless absolute. */
export function notesPath(pattern: string, root: string, date = new Date()): string {
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const path = pattern.replaceAll("{date}", day);
  return isAbsolute(path) ? path : join(root, path);
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

function time(date: Date): string {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

function formatEntry(entry: NoteEntry): string {
  const state =
    entry.endedAt === undefined
      ? "running"
      : `finished ${time(entry.endedAt)}, exit ${entry.exitCode ?? "unknown"}`;
  const command = entry.command.replace(/\s+/g, " ").slice(0, 160);
  return `- \`${entry.session}\` (started ${time(entry.startedAt)}, ${state}) in \`${entry.cwd}\`: \`${command.replaceAll("`", "'")}\``;
}

/**
 * Keeps the daily notes' "Active Long-Running Processes" section up to date: adds a line when a
 * session starts and rewrites that line when it finishes. Everything else in the file is kept as
 * written. Writes are atomic (tmp + rename) and serialised within this process.
 */
export class DailyNotes {
  private queue: Promise<void> = Promise.resolve();
  /** What this process recorded per session, so a finish can keep the start's command and directory. */
  private readonly known = new Map<string, NoteEntry>();

  constructor(private readonly file: string) {}

  get path(): string {
    return this.file;
  }

  record(update: NoteEntry): Promise<void> {
    const before = this.known.get(update.session);
    const entry: NoteEntry = before
      ? { ...before, ...update, command: update.command || before.command, cwd: update.cwd || before.cwd, startedAt: before.startedAt }
      : update;
    this.known.set(entry.session, entry);
    this.queue = this.queue.then(() => this.write(entry)).catch(() => {
      // Notes are a convenience: a failure to write them must never stop a run.
    });
    return this.queue;
  }

  private write(entry: NoteEntry): void {
    let text = "";
    try {
      text = readFileSync(this.file, "utf8");
    } catch {
      text = `# ${this.file.split("/").at(-1)?.replace(/\.md$/, "") ?? "Notes"}\n`;
    }
    const updated = upsertEntry(text, entry.session, formatEntry(entry));
    mkdirSync(dirname(this.file), { recursive: true });
    writeFileAtomicSync(this.file, updated);
  }
}

/** Replaces the line for `session` in the section, or appends it (creating the section). */
export function upsertEntry(text: string, session: string, line: string): string {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((l) => l.trim() === HEADING);
  if (start === -1) {
    while (lines.length > 0 && lines.at(-1) === "") lines.pop();
    lines.push("", HEADING, "", line, "");
    return lines.join(eol);
  }
  let end = lines.findIndex((l, i) => i > start && /^#{1,2} /.test(l));
  if (end === -1) end = lines.length;
  const marker = `- \`${session}\` `;
  const existing = lines.findIndex((l, i) => i > start && i < end && l.startsWith(marker));
  if (existing !== -1) {
    lines[existing] = line;
  } else {
    let insertAt = end;
    while (insertAt - 1 > start && lines[insertAt - 1] === "") insertAt -= 1;
    if (insertAt === start + 1) {
      lines.splice(insertAt, 0, "", line);
    } else {
      lines.splice(insertAt, 0, line);
    }
  }
  return lines.join(eol);
}
