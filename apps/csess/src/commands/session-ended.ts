import { readFileSync } from "node:fs";
import path from "node:path";
import { run } from "@csess/agents/exec";
import { formatArgv } from "@csess/tmux";
import { DailyNotes, defaultNotesPattern, notesPath } from "../notes.js";
import { BIN } from "../package-root.js";
import { findRepoRoot } from "../repo-root.js";

/**
 * The completion hook `csess exec` gives its sessions: the daily notes line of the session is marked
 * finished, then the user's notification command runs. Values arrive as CSESS_* variables only.
 */
export function sessionEndedHook(notes: string | undefined, notify: string | undefined): string[] | undefined {
  if (!notes) return notify === undefined ? undefined : ["sh", "-c", notify];
  return [process.execPath, BIN, "_session-ended", "--notes", notes, ...(notify === undefined ? [] : ["--notify", notify])];
}

/**
 * The daily notes file for a session started in `cwd`: `--notes`, else `$CSESS_NOTES` ("off" for none),
 * else the per-user default (`defaultNotesPattern`). A relative pattern is inside the repository
 * around `cwd`, and gives no notes outside a repository.
 */
export async function execNotesFile(cwd: string, pattern: string | false | undefined): Promise<string | undefined> {
  const chosen = pattern ?? (process.env.CSESS_NOTES || defaultNotesPattern());
  if (chosen === false || chosen === "off") return undefined;
  if (path.isAbsolute(chosen)) return notesPath(chosen, cwd);
  try {
    return notesPath(chosen, await findRepoRoot(cwd));
  } catch {
    return undefined;
  }
}

/** The hidden `_session-ended` hook: marks the session finished in the daily notes, then notifies. */
export async function sessionEndedCommand(options: { notes: string; notify?: string }): Promise<void> {
  const session = process.env.CSESS_SESSION ?? "";
  const logFile = process.env.CSESS_LOG_FILE ?? "";
  let started = new Date();
  let command = "";
  try {
    const spec = JSON.parse(readFileSync(path.join(path.dirname(logFile), "session.json"), "utf8")) as { argv: string[]; startedAt: string };
    started = new Date(spec.startedAt);
    command = formatArgv(spec.argv);
  } catch {
    // No session file: the line keeps what the start wrote, with the end added.
  }
  const code = Number(process.env.CSESS_EXIT_CODE);
  await new DailyNotes(options.notes).record({
    session, command, cwd: process.env.CSESS_CWD ?? "", startedAt: started,
    exitCode: Number.isFinite(code) ? code : null, endedAt: new Date(),
  });
  if (options.notify) await run("sh", ["-c", options.notify], process.env, 0, "inherit");
}
