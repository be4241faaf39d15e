import { existsSync } from "node:fs";
import path from "node:path";
import { PACKAGE_ROOT } from "./package-root.js";

export interface PathAddition {
  dir: string;
  why: string;
}

/**
 * macOS: Homebrew's and npm's usual global bin folders. A shell started by launchd, an IDE or cron
 * often lacks them, so a codex or claude installed there would not be found by csess or its agents.
 */
const MACOS_BIN_DIRS = ["/opt/homebrew/bin", "/usr/local/bin"];

/** The folders csess appends to PATH (for itself and every agent) that exist and are missing from `env`. */
export function agentPathAdditions(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): PathAddition[] {
  if (platform !== "darwin") return [];
  const have = new Set((env.PATH ?? "").split(path.delimiter));
  return MACOS_BIN_DIRS.filter((dir) => !have.has(dir) && existsSync(dir)).map((dir) => ({
    dir,
    why: "macOS: Homebrew / npm global bin, often missing from the PATH of non-login shells",
  }));
}

/** What this process added to its PATH (reported by `csess doctor`). */
export const addedToPath: PathAddition[] = [];

/** Appends the missing folders to `env.PATH` (the environment agents inherit); safe to call again. */
export function extendAgentPath(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): void {
  const additions = agentPathAdditions(env, platform);
  if (additions.length === 0) return;
  env.PATH = [env.PATH, ...additions.map((a) => a.dir)].filter(Boolean).join(path.delimiter);
  addedToPath.push(...additions);
}

/**
 * The codex / claude CLI that a csess clone installs for its demo and tests (devDependencies):
 * not used by `csess run`, but worth pointing at when the CLI is missing from PATH.
 */
export function cloneAgentBin(kind: string): string | undefined {
  const file = path.join(PACKAGE_ROOT, "node_modules", ".bin", kind);
  return existsSync(file) ? file : undefined;
}
