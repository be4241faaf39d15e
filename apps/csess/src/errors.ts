/**
 * An error the user can fix (bad input, missing file, wrong setup). The CLI prints its message
 * as one line without a stack trace and exits with `exitCode` (2 by the CLI contract).
 */
export class UserError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = "UserError";
    this.exitCode = exitCode;
  }
}

/**
 * The packages' errors that are the user's to fix, by class name: the session's tmux setup
 * (`TmuxError`), the repository (`RepoError`), the task plan (`CycleError`, `PlanInputError`).
 * Matched by name so the CLI's edge loads no package before a command needs it.
 */
const PACKAGE_USER_ERRORS = new Set(["TmuxError", "RepoError", "CycleError", "PlanInputError"]);

/**
 * The one place package errors become user errors (the CLI's edge, src/cli.ts): a `UserError` as it
 * is, a package's user-fixable error as one line (the scheduler puts "Expected: ..." on a line of its
 * own), anything else undefined (a bug: its stack trace is worth seeing). Call sites that know more
 * (which PRD, which flag) still throw their own `UserError` with that context.
 */
export function toUserError(error: unknown): UserError | undefined {
  if (error instanceof UserError) return error;
  if (error instanceof Error && PACKAGE_USER_ERRORS.has(error.name)) return new UserError(error.message.trim().replace(/\s*\n\s*/g, " "));
  return undefined;
}
