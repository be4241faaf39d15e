import { randomBytes } from "node:crypto";
import { mkdir, readdir, rename, rm, writeFile } from "node:fs/promises";
import { mkdirSync, readFileSync, renameSync, watch, writeFileSync } from "node:fs";
import path from "node:path";
import type { ExitInfo } from "./types.js";

/** File names inside a session's state directory. */
export const STATE_FILES = {
  session: "session.json",
  launch: "launch",
  log: "output.log",
  exit: "exit.json",
  launcher: "launcher.json",
} as const;

/** Written by the launcher once its signal handlers are installed and the command is spawned. */
export interface LauncherInfo {
  pid: number;
  commandPid?: number;
}

/** What the launcher needs to run the command, and what `status` shows. Written once by `start`. */
export interface SessionRecord {
  version: 1;
  name: string;
  socket: string;
  tmuxBin: string;
  /** tmux wait-for channel signalled when the session ends (unique per start, so never stale). */
  channel: string;
  cwd: string;
  argv: string[];
  stdinFile?: string;
  hook?: string[];
  timeoutMs?: number;
  stallMs?: number;
  killGraceMs: number;
  meta: Record<string, string>;
  startedAt: string;
}

/** A registry entry: `<home>/sessions/<name>.json`, so any process can find a session by name. */
export interface RegistryEntry {
  name: string;
  socket: string;
  stateDir: string;
}

export function stateFile(stateDir: string, file: keyof typeof STATE_FILES): string {
  return path.join(stateDir, STATE_FILES[file]);
}

/** Writes via a temporary file and rename, so readers see the old content or the new, never a torn file. */
export async function writeFileAtomic(file: string, content: string, mode = 0o644): Promise<void> {
  const tmp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(tmp, content, { mode });
  await rename(tmp, file);
}

/**
 * Synchronous twin of `writeFileAtomic` for the launcher (no event loop turns in between). The folder
 * is made when missing, and made again when it vanishes between the write and the rename: the command
 * beside the launcher may delete its own state folder at any moment.
 */
export function writeFileAtomicSync(file: string, content: string, mode = 0o644): void {
  for (let attempt = 1; ; attempt++) {
    const tmp = `${file}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      writeFileSync(tmp, content, { mode });
      renameSync(tmp, file);
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT" || attempt === 5) throw error;
    }
  }
}

/**
 * A small state file, read at once: fs/promises' readFile is an open, a stat, reads and a close, each
 * waiting for a turn of the event loop, which in a runner busy starting sessions comes late each time.
 */
async function readJson<T>(file: string): Promise<T | undefined> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  return JSON.parse(text) as T;
}

export function readSessionRecord(stateDir: string): Promise<SessionRecord | undefined> {
  return readJson<SessionRecord>(stateFile(stateDir, "session"));
}

/** The launcher's pids once it is ready, waiting (fs.watch, bounded) for it to get there. */
export function waitForLauncherInfo(stateDir: string, timeoutMs: number): Promise<LauncherInfo | undefined> {
  return new Promise((resolve) => {
    const file = stateFile(stateDir, "launcher");
    const done = (info: LauncherInfo | undefined) => {
      clearTimeout(timer);
      watcher.close();
      resolve(info);
    };
    const check = () => void readJson<LauncherInfo>(file).then((info) => info && done(info), () => undefined);
    const watcher = watch(stateDir, check);
    const timer = setTimeout(() => done(undefined), timeoutMs);
    check();
  });
}

/**
 * Stops what is left of a dead session's command: its process group, when the launcher that owned it
 * is gone (killed with SIGKILL, say) and nothing else will. Without this an agent could keep working in a
 * worktree that a runner is about to hand to the next attempt.
 */
export async function stopOrphanedCommand(stateDir: string): Promise<void> {
  const info = await readJson<LauncherInfo>(stateFile(stateDir, "launcher")).catch(() => undefined);
  if (info?.commandPid === undefined) return;
  try {
    process.kill(-info.commandPid, "SIGKILL");
  } catch {
    // the group is gone already
  }
}

export function readExitInfo(stateDir: string): Promise<ExitInfo | undefined> {
  return readJson<ExitInfo>(stateFile(stateDir, "exit"));
}

function registryDir(home: string): string {
  return path.join(home, "sessions");
}

export async function writeRegistryEntry(home: string, entry: RegistryEntry): Promise<void> {
  await mkdir(registryDir(home), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path.join(registryDir(home), `${entry.name}.json`), JSON.stringify(entry) + "\n");
}

export function readRegistryEntry(home: string, name: string): Promise<RegistryEntry | undefined> {
  return readJson<RegistryEntry>(path.join(registryDir(home), `${name}.json`));
}

export async function removeRegistryEntry(home: string, name: string): Promise<void> {
  await rm(path.join(registryDir(home), `${name}.json`), { force: true });
}

export async function readRegistry(home: string): Promise<RegistryEntry[]> {
  let files: string[];
  try {
    files = await readdir(registryDir(home));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const entries = await Promise.all(
    files
      .filter((f) => f.endsWith(".json"))
      .sort()
      // An entry edited into invalid JSON by hand hides only itself, not the whole list.
      .map((f) => readJson<RegistryEntry>(path.join(registryDir(home), f)).catch(() => undefined)),
  );
  return entries.filter((e): e is RegistryEntry => e !== undefined && typeof e.stateDir === "string");
}
