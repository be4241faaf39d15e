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
