import { InvalidArgumentError } from "commander";
import { UserError } from "../errors.js";

/** Parses a duration given in minutes (decimals allowed) into milliseconds. */
export function minutes(flag: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) {
      throw new UserError(`${flag} expects a positive number of minutes, for example ${flag} 30 or ${flag} 0.5; got ${JSON.stringify(value)}`);
    }
    return Math.round(n * 60_000);
  };
}

/** Parses a whole number no smaller than `min`; `expected` says what was wanted, with an example. */
export function wholeNumber(expected: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`expected ${expected}; got ${JSON.stringify(value)}`);
    return n;
  };
}

/** A repeatable option's values, in order. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
