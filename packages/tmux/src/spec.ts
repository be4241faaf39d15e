import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";
import { TmuxError } from "./errors.js";
import { validateSessionName } from "./names.js";
import type { SessionSpec } from "./types.js";

/** A spec with absolute paths and its defaults filled in. */
export type CheckedSpec = SessionSpec & { killGraceMs: number };

const DEFAULT_KILL_GRACE_MS = 5000;

/** Validates a spec before anything is written or started; paths become absolute. */
export async function checkSpec(spec: SessionSpec): Promise<CheckedSpec> {
  validateSessionName(spec.name);
  if (!Array.isArray(spec.argv) || spec.argv.length === 0 || !spec.argv.every((a) => typeof a === "string" && !a.includes("\0")) || spec.argv[0] === "") {
    throw invalid(`argv must be a non-empty array of strings without NUL bytes, for example ["sh", "-c", "npm test"]`, spec.argv);
  }
  if (spec.hook !== undefined && (!Array.isArray(spec.hook) || spec.hook.length === 0 || !spec.hook.every((a) => typeof a === "string" && !a.includes("\0")))) {
    throw invalid(`hook must be a non-empty argv array without NUL bytes, for example ["notify-send", "done"]`, spec.hook);
  }
  for (const [key, value] of Object.entries(spec.env ?? {})) {
    if (typeof value !== "string" || key === "" || key.includes("=") || key.includes("\0") || value.includes("\0")) {
      throw invalid(`env must map variable names (no "=" or NUL) to strings, for example { CSESS_TASK_ID: "t1" }`, { [key]: value });
    }
  }
  for (const key of ["timeoutMs", "stallMs", "killGraceMs"] as const) {
    const value = spec[key];
    if (value !== undefined && !(typeof value === "number" && Number.isFinite(value) && value > 0)) {
      throw invalid(`${key} must be a positive number of milliseconds, for example 1800000 for 30 minutes`, value);
    }
  }
  if (typeof spec.stateDir !== "string" || spec.stateDir === "") {
    throw invalid(`stateDir must be a directory path, for example ".csess/runs/r1/tasks/t1/iter-1"`, spec.stateDir);
  }
  const cwd = path.resolve(spec.cwd);
  const cwdStat = await stat(cwd).catch(() => undefined);
  if (!cwdStat?.isDirectory()) {
    throw invalid(`cwd must be an existing directory`, spec.cwd);
  }
  const stdinFile = spec.stdinFile === undefined ? undefined : path.resolve(spec.stdinFile);
  if (stdinFile !== undefined) {
    await access(stdinFile, constants.R_OK).catch(() => {
      throw invalid(`stdinFile must be a readable file, for example the prompt file`, spec.stdinFile);
    });
  }
  return {
    ...spec,
    cwd,
    stateDir: path.resolve(spec.stateDir),
    ...(stdinFile === undefined ? {} : { stdinFile }),
    killGraceMs: spec.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
  };
}

function invalid(expected: string, received: unknown): TmuxError {
  return new TmuxError("INVALID_SPEC", `invalid session spec: ${expected}; got ${JSON.stringify(received)}`);
}
