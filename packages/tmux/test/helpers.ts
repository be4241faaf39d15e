import { execFileSync } from "node:child_process";
import { watch } from "node:fs";
import { access, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Tmux } from "../src/index.js";
import { removeTree } from "@csess/test-kit";

/** A private tmux socket and csess home in a fresh temp dir; `cleanup` kills that server and removes the dir. */
export interface Sandbox {
  dir: string;
  socket: string;
  home: string;
  tmux: Tmux;
  stateDir(name: string): string;
  cleanup(): Promise<void>;
}

export async function makeSandbox(): Promise<Sandbox> {
  // Short path: tmux socket paths are limited to about 100 bytes.
  const dir = await mkdtemp(path.join(os.tmpdir(), "cst-"));
  const socket = path.join(dir, "sock");
  const home = path.join(dir, "home");
  const tmux = new Tmux({ socket, home });
  return {
    dir,
    socket,
    home,
    tmux,
    stateDir: (name) => path.join(dir, "state", name),
    async cleanup() {
      await tmux.killServer().catch(() => undefined);
      await removeTree(dir); // launchers killed with the server may still write their exit file for a moment
    },
  };
}

/** Resolves once `file` exists (fs.watch on its directory, no sleep loop); rejects after `ms`. */
export function waitForFile(file: string, ms = 30_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const watcher = watch(path.dirname(file), () => void check());
    const timer = setTimeout(() => {
      watcher.close();
      reject(new Error(`${file} did not appear within ${ms} ms`));
    }, ms);
    const check = async () => {
      try {
        await access(file);
      } catch {
        return;
      }
      clearTimeout(timer);
      watcher.close();
      resolve();
    };
    void check();
  });
}

/** Re-checks `condition` every 50 ms for at most `ms`; for states nothing signals (a process gone, a pane dead). */
export async function eventually(condition: () => boolean, ms = 20_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return condition();
}

/** Waits (bounded) for a process to disappear; for checks that something was really killed. */
export function waitForProcessGone(pid: number, ms = 20_000): Promise<boolean> {
  return eventually(() => {
    try {
      process.kill(pid, 0);
      return false;
    } catch {
      return true;
    }
  }, ms);
}

export function tmuxRaw(socket: string, args: string[], env?: NodeJS.ProcessEnv): string {
  return execFileSync("tmux", ["-S", socket, ...args], { encoding: "utf8", env, stdio: ["ignore", "pipe", "pipe"] });
}
