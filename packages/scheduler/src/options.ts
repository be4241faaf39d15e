/** Option checks shared by `plan` and `createScheduler`: a clear error before anything starts. */
export function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a whole number from 1 up, e.g. 3; received ${String(value)}`);
  }
  return value;
}

export function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new RangeError(`${name} must be a number of milliseconds from 0 up, e.g. 5000; received ${String(value)}`);
  }
  return value;
}

export const DEFAULT_STAGGER_MS = 3000;
export const DEFAULT_MAX_ITERATIONS = 3;
export const DEFAULT_ITERATION_ESTIMATE_MS = 10 * 60_000;
