import { execFile, spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";

// How csess runs and finds programs: the agent probes here, and (through `@csess/agents/exec`) the
// app's doctor checks and notification hooks. The user's --check has its own runner (@csess/verify
// runCheck: a shell in its own process group, a combined tail); git and tmux have their own wrappers.

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started (e.g. ENOENT) or timed out. */
  error?: string;
}

/**
 * "pipe": collect stdout and stderr. "ignore" / "inherit": collect nothing, and settle when the program
 * exits (or times out), even if something it started still holds its output open.
 */
export type RunStdio = "pipe" | "ignore" | "inherit";

/** Runs a program without a shell, SIGTERM after `timeoutMs` (0: no limit); never throws. */
export function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env, timeoutMs = 15_000, stdio: RunStdio = "pipe"): Promise<RunResult> {
  const timedOut = `timed out after ${timeoutMs} ms`;
  if (stdio !== "pipe") {
    return new Promise((done) => {
      const child = spawn(file, args, { env, stdio });
      const timer = timeoutMs > 0 ? setTimeout(() => { child.kill(); done({ code: null, stdout: "", stderr: "", error: timedOut }); }, timeoutMs) : undefined;
      const settle = (result: RunResult) => { clearTimeout(timer); done(result); };
      child.on("error", (error: NodeJS.ErrnoException) => settle({ code: null, stdout: "", stderr: "", error: error.code ?? error.message }));
      child.on("exit", (code) => settle({ code, stdout: "", stderr: "" }));
    });
  }
  return new Promise((done) => {
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
      if (!error) return done({ code: 0, stdout, stderr });
      const e = error as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
      if (typeof e.code === "number") return done({ code: e.code, stdout, stderr });
      done({ code: null, stdout, stderr, error: e.killed ? timedOut : (e.code ?? e.message) });
    });
  });
}

/** Finds an executable like `command -v`: an explicit path is checked as is, a bare name on PATH. */
export function which(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = name.includes("/") ? [isAbsolute(name) ? name : resolve(name)]
    : (env.PATH ?? "").split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return undefined;
}
