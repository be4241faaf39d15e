import { accessSync, constants } from "node:fs";
import path from "node:path";
import { TmuxError } from "./errors.js";
import type { SessionRecord } from "./state.js";

/**
 * The launcher's input, the `launch` file: NUL-terminated `key=value` entries (argv, env and hook repeat
 * their key), so the perl launcher reads it with one split and no user text needs quoting anywhere. It
 * holds the command's whole environment: the caller's (not the tmux server's, which may date from
 * another login) plus `env`.
 */
export function launchFile(record: SessionRecord, env: Record<string, string>): string {
  const entries: [string, string | number | undefined][] = [
    ...record.argv.map((arg) => ["argv", arg] as [string, string]),
    ...Object.entries({ ...process.env, ...env }).flatMap(([key, value]) => (value === undefined ? [] : [["env", `${key}=${value}`] as [string, string]])),
    ...(record.hook ?? []).map((arg) => ["hook", arg] as [string, string]),
    ["cwd", record.cwd],
    ["stdinFile", record.stdinFile],
    ["timeoutMs", record.timeoutMs],
    ["stallMs", record.stallMs],
    ["killGraceMs", record.killGraceMs],
    ["name", record.name],
    ["socket", record.socket],
    ["tmuxBin", record.tmuxBin],
    ["channel", record.channel],
    ["startedAt", record.startedAt],
    ["startedAtMs", Date.parse(record.startedAt)],
  ];
  return entries.filter(([, value]) => value !== undefined).map(([key, value]) => `${key}=${value}\0`).join("");
}

/** The perl that runs the launcher: the first on PATH (tmux gets its absolute path). */
export function perlPath(): string {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir === "") continue;
    const file = path.join(dir, "perl");
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not in this folder
    }
  }
  throw new TmuxError(
    "PERL_NOT_FOUND",
    `csess starts every session through a small perl script, and no \`perl\` is on PATH (${process.env.PATH ?? "unset"}). ` +
      "Install perl, for example apt-get install perl-base, dnf install perl-interpreter or apk add perl.",
  );
}
