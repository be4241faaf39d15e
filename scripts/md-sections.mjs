// @ts-check
// Named generated sections of a markdown file (BENCHMARKS.md): each writer replaces only its own
// sections, between `<!-- <id>:start -->` and `<!-- <id>:end -->`, and keeps everything else as it is
// (sections other tools write, such as scripts/mutate.mjs's `mutate:<package>` and
// scripts/bench-tests.mjs's `tests:suite`). A section not there yet is appended at the end.
import { readFileSync, writeFileSync } from "node:fs";

const markers = (/** @type {string} */ id) => ({ start: `<!-- ${id}:start -->`, end: `<!-- ${id}:end -->` });

/** The text with section `id` holding `body` (replaced in place, or appended). */
export function replaceSection(/** @type {string} */ text, /** @type {string} */ id, /** @type {string} */ body) {
  const { start, end } = markers(id);
  const block = `${start}\n${body.trim()}\n${end}`;
  const from = text.indexOf(start);
  const to = text.indexOf(end, from);
  if (from === -1 || to === -1) return `${text.trimEnd()}\n\n${block}\n`;
  return text.slice(0, from) + block + text.slice(to + end.length);
}

/** The ids of the sections in the text, in order. */
export function sectionIds(/** @type {string} */ text) {
  return [...text.matchAll(/<!-- (\S+):start -->/g)].map((m) => m[1] ?? "");
}

/** Replaces (or appends) section `id` of the file with `body`. */
export function writeSection(/** @type {string} */ file, /** @type {string} */ id, /** @type {string} */ body) {
  writeFileSync(file, replaceSection(readFileSync(file, "utf8"), id, body));
}
