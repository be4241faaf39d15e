import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describeParsed } from "../src/describe.js";
import type { ParsedPrd } from "../src/parse.js";

const dir = new URL("../../../fixtures/prd-cases/", import.meta.url);

/** Reads an edge-case PRD from fixtures/prd-cases exactly as stored (no newline conversion). */
export function readCase(name: string): string {
  return readFileSync(fileURLToPath(new URL(name, dir)), "utf8");
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
