import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { vi } from "vitest";
import { Tmux } from "@csess/tmux";
import { main } from "../src/cli.js";
import { removeTree } from "@csess/test-kit";

/**
 * A private csess home and tmux socket for CLI tests, set through CSESS_HOME / CSESS_TMUX_SOCKET so the
 * user's ~/.csess and ~/.tmux are never touched; `cleanup` kills that tmux server and removes the dir.
 */
export interface CliSandbox {
  dir: string;
  tmux: Tmux;
  /** Runs `csess ARGS...` in this process; returns its exit code and what it printed. */
  csess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  cleanup(): Promise<void>;
}

export async function makeCliSandbox(): Promise<CliSandbox> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "csc-"));
  const saved = { home: process.env.CSESS_HOME, socket: process.env.CSESS_TMUX_SOCKET, notify: process.env.CSESS_NOTIFY, notes: process.env.CSESS_NOTES, path: process.env.PATH };
  process.env.CSESS_HOME = path.join(dir, "home");
  process.env.CSESS_TMUX_SOCKET = path.join(dir, "sock");
  process.env.CSESS_NOTES = "off"; // sessions started from the csess checkout must not write its memory/ notes
  delete process.env.CSESS_NOTIFY;
  const tmux = new Tmux();
  return {
    dir,
    tmux,
    async csess(...args) {
      let stdout = "";
      let stderr = "";
      const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((stdout += String(chunk)), true));
      const err = vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((stderr += String(chunk)), true));
      try {
        const code = await main(["node", "csess", ...args]);
        return { code, stdout, stderr };
      } finally {
        out.mockRestore();
        err.mockRestore();
        process.exitCode = undefined;
      }
    },
    async cleanup() {
      await tmux.killServer().catch(() => undefined);
      restore("CSESS_HOME", saved.home);
      restore("CSESS_TMUX_SOCKET", saved.socket);
      restore("CSESS_NOTIFY", saved.notify);
      restore("CSESS_NOTES", saved.notes);
      restore("PATH", saved.path);
      await removeTree(dir); // launchers killed with the server may still write their exit file for a moment
    },
  };
}

function restore(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}
