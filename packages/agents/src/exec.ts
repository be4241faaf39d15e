import { execFile } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join, resolve } from "node:path";

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Set when the program could not be started (e.g. ENOENT) or timed out. */
  error?: string;
}

/** Runs a program without a shell and collects its output; never throws. */
export function run(file: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 15_000): Promise<RunResult> {
  return new Promise((done) => {
    execFile(file, args, { env, timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
      if (!error) return done({ code: 0, stdout, stderr });
      const e = error as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
      if (typeof e.code === "number") return done({ code: e.code, stdout, stderr });
      done({ code: null, stdout, stderr, error: e.killed ? `timed out after ${timeoutMs} ms` : (e.code ?? e.message) });
    });
  });
}

/** Finds an executable like `command -v`: an explicit path is checked as is, a bare name on PATH. */
export function which(name: string, env: NodeJS.ProcessEnv): string | undefined {
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
