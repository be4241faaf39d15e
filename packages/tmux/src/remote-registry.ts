import { mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { writeFileAtomic } from "./state.js";
import type { SessionRef } from "./types.js";

/**
 * Where a session started over ssh lives: kept in its local state directory (`remote.json`, what a
 * resumed runner knows from its journal) and in `<home>/remote-sessions/<name>.json` (what `status`,
 * `logs`, `attach` and `kill` find by name).
 */
export interface RemoteLink {
  version: 1;
  name: string;
  host: string;
  configFile?: string;
  /** The host's csess work directory (its tmux socket is `<workDir>/tmux.sock`). */
  workDir: string;
  remoteStateDir: string;
  /** The local mirror: the log and exit file are copied here when the session ends. */
  stateDir: string;
  startedAt: string;
}

const LINK_FILE = "remote.json";

function registryDir(home: string): string {
  return path.join(home, "remote-sessions");
}

async function readLink(file: string): Promise<RemoteLink | undefined> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as RemoteLink;
  } catch {
    return undefined; // edited by hand into invalid JSON: hides only itself
  }
}

export async function writeRemoteLink(home: string, link: RemoteLink): Promise<void> {
  await writeFileAtomic(path.join(link.stateDir, LINK_FILE), JSON.stringify(link, null, 2) + "\n", 0o600);
  await mkdir(registryDir(home), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path.join(registryDir(home), `${link.name}.json`), JSON.stringify(link) + "\n", 0o600);
}

export function readRemoteLink(home: string, ref: SessionRef): Promise<RemoteLink | undefined> {
  return typeof ref === "string"
    ? readLink(path.join(registryDir(home), `${ref}.json`))
    : readLink(path.join(ref.stateDir, LINK_FILE));
}

/** Every session started over ssh from this machine, oldest first. */
export async function readRemoteRegistry(home: string): Promise<RemoteLink[]> {
  const files = await readdir(registryDir(home)).catch(() => [] as string[]);
  const links = await Promise.all(files.filter((f) => f.endsWith(".json")).map((f) => readLink(path.join(registryDir(home), f))));
  return links.filter((l): l is RemoteLink => l !== undefined).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
}
