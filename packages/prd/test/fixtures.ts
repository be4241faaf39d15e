import fc from "fast-check";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describeParsed } from "../src/describe.js";
import type { ParsedPrd } from "../src/parse.js";

/** The repository root, found upwards (not a fixed `../..`: `pnpm mutate` runs these tests from a copy of the package one level deeper). */
function workspaceRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
  throw new Error(`no pnpm-workspace.yaml above ${from}: the prd tests read fixtures/prd-cases from the repository`);
}

const dir = join(workspaceRoot(import.meta.dirname), "fixtures", "prd-cases");

/** Reads an edge-case PRD from fixtures/prd-cases exactly as stored (no newline conversion). */
export function readCase(name: string): string {
  return readFileSync(join(dir, name), "utf8");
}

/**
 * How many random cases a property test tries. `pnpm mutate` runs the suite once per mutant (over a
 * thousand times), so its Stryker config scales the counts down with PRD_PROPERTY_RUNS_SCALE.
 */
export function propertyRuns(runs: number): number {
  // A fixed seed under `pnpm mutate`: a mutant's fate must not depend on which random PRDs a run drew.
  if (process.env.PRD_PROPERTY_SEED) fc.configureGlobal({ ...fc.readConfigureGlobal(), seed: Number(process.env.PRD_PROPERTY_SEED) });
  const scale = Number(process.env.PRD_PROPERTY_RUNS_SCALE ?? 1);
  return Math.max(10, Math.round(runs * scale));
}

/** Where the text differs: the first and one-past-last differing UTF-16 index, or undefined. */
export function diffRange(a: string, b: string): { start: number; endA: number; endB: number } | undefined {
  if (a === b) return undefined;
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return { start, endA, endB };
}

/** Everything the rest of the package reads from a parse. */
export function facts(doc: ParsedPrd) {
  return {
    tasks: doc.tasks.map(({ parent, ...record }) => ({ ...record, parent: parent?.task.id })),
    headings: doc.headings,
    frontMatter: doc.frontMatter,
    details: (() => {
      try {
        return describeParsed(doc);
      } catch (error) {
        return String(error);
      }
    })(),
  };
}

/** The error `fn` throws (the test fails when it throws none). */
export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}

/**
 * Skips an example on which mdast's development build (vitest runs tests with `--conditions development`)
 * asserts: devlop's checks are gone from the build csess ships, which parses e.g. "*\n[ ] Add" (no task).
 */
export function shippedReading<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if ((error as Error).name.startsWith("Assertion") && String((error as Error).stack).includes("devlop")) fc.pre(false);
    throw error;
  }
}
