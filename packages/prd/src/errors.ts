/** A problem in a PRD or in a request against it that the user can fix. */
export class PrdError extends Error {
  override name = "PrdError";
}

/** A task id that the PRD does not contain. */
export class UnknownTaskIdError extends PrdError {
  override name = "UnknownTaskIdError";
  constructor(
    readonly taskId: string,
    /** Nearest tasks, best first, as `id "title"`. */
    readonly suggestions: string[],
    message: string,
  ) {
    super(message);
  }
}
