import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { describeParsed } from "../src/describe.js";
import { parseFresh } from "../src/parse.js";
import { facts, propertyRuns, readCase, shippedReading } from "./fixtures.js";

// Micromark only (scan: false): this file is about the cuts; scan.property.test.ts covers the line scanner.
const whole = (text: string) => shippedReading(() => facts(parseFresh(text, { chunkChars: Infinity, scan: false })));
const finest = (text: string) => shippedReading(() => facts(parseFresh(text, { chunkChars: 1, scan: false })));

// Blocks that run on across blank lines and column-1 lines, to tempt the chunker into bad cuts.
const piece = fc.constantFrom(
  "- [ ] a", "- [x] b", "  - [ ] nested", "* [X] c", "1. [ ] d", "# H1", "## H2 (after: a)", "Setext\n===",
  "para", "> - [ ] q", "> quote", "```", "~~~~", "    - [ ] indented code", "<!--", "-->", "<div>", "</div>",
  "<pre>", "</pre>", "---", "| a |\n|---|\n| - [ ] t |", "[x]: /url", "\t- [ ] tab", "  text", "- [ ]", "\uFEFF- [ ] z",
  // lines micromark reads differently when "interrupting" (e.g. after indented code and a blank line)
  "2. [ ] two", "10) [x] ten", "-", "1.", "<x-y>", "===", "     code",
);
const doc = fc
  .tuple(fc.array(fc.tuple(piece, fc.constantFrom("\n", "\n\n", "\n  \n")), { maxLength: 40 }), fc.constantFrom("\n", "\r\n", "\r"), fc.boolean(), fc.constantFrom("", "\uFEFF", "\uFEFF\uFEFF"))
  .map(([parts, eol, frontMatter, bom]) => {
    const text = bom + (frontMatter ? "---\na: 1\n\n# yaml comment\n---\n\n" : "") + parts.map(([p, sep]) => p + sep).join("");
    return text.replace(/\n/g, eol);
  });

describe("chunked parsing equals a whole-document parse", { timeout: 120_000 }, () => {
  test("on random PRDs cut at every allowed place", () => {
    fc.assert(fc.property(doc, (text) => {
      expect(finest(text)).toEqual(whole(text));
    }), { numRuns: propertyRuns(1500) });
  });

  test("on the edge-case fixtures", () => {
    for (const name of ["everything.md", "everything-crlf.md", "everything-cr.md", "everything-bom-crlf.md"]) {
      expect(finest(readCase(name)), name).toEqual(whole(readCase(name)));
    }
  });

  test("an HTML comment with blank lines and headings inside does not leak tasks", () => {
    const text = "# A\n\n<!--\n\n## Hidden\n\n- [ ] hidden\n\n-->\n\n- [ ] shown\n";
    const doc = parseFresh(text, { chunkChars: 1 });
    expect(doc.tasks.map((r) => [r.task.title, r.task.section, r.task.line])).toEqual([["shown", "A", 11]]);
  });

  test("an unclosed fence inside a list item at a chunk's end ends with the item, as in the whole text", () => {
    const text = "  1. [ ] Add\n        ``` Add\n\nAdd\n";
    expect(finest(text)).toEqual(whole(text));
    expect(describeParsed(parseFresh(text, { chunkChars: 1 }))[0]!.sectionText).toBe("Add"); // not hidden as part of the item
  });

  test("no cut before a line read differently after indented code (micromark's interrupt state)", () => {
    const text = "123456789. [ ] Add\n\n     Add\n\n123456789. [ ] Add\n";
    expect(finest(text)).toEqual(whole(text));
    expect(parseFresh(text, { chunkChars: 1 }).tasks).toHaveLength(2);
  });

  test("an unclosed fence swallows the rest, as on GitHub", () => {
    const text = "- [ ] before\n\n```\n\n- [ ] inside\n\n# Not a heading\n";
    expect(parseFresh(text, { chunkChars: 1 }).tasks.map((r) => r.task.title)).toEqual(["before"]);
  });
});
