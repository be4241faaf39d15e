import { TmuxError } from "./errors.js";

const VALID_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/;

/**
 * Turns any text into a valid session name: characters other than ASCII letters, digits, `_` and `-`
 * become `-` (tmux forbids `.` and `:`; the name is also a file name and a wait-for channel).
 */
export function sanitizeSessionName(raw: string): string {
  const cleaned = raw
    .replace(/[^A-Za-z0-9_-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+/, "")
    .slice(0, 64)
    .replace(/-+$/, "");
  return cleaned === "" ? "session" : cleaned;
}

/** Throws unless `name` is already a valid session name (use `sanitizeSessionName` to make one). */
export function validateSessionName(name: string): void {
  if (VALID_NAME.test(name)) return;
  throw new TmuxError(
    "INVALID_NAME",
    `invalid session name ${JSON.stringify(name)}: expected 1-64 ASCII letters, digits, "_" or "-", ` +
      `not starting with "-" (for example ${JSON.stringify(sanitizeSessionName(name))})`,
  );
}
