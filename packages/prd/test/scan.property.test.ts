import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { scanSimplePiece } from "../src/fast-scan.js";
import { parseFresh, type ParseOptions } from "../src/parse.js";
import { facts, propertyRuns, readCase, shippedReading } from "./fixtures.js";

// The line scanner (src/fast-scan.ts) must read every piece it accepts exactly as micromark does.
// These PRDs are made of the lines it accepts and of their near-misses (tabs, ordered markers, wide
// or missing marker spaces, closing "#", setext and thematic-break lines, fences, HTML, quotes,
// tables, definitions, lazy and over-indented lines), so both its yes and its no are exercised.

const word = fc.constantFrom(
  "Add", "login", "x", "42", "😀", "ünï", "日本", "`code`", "*em*", "**bold**", "_u_", "[link](x)", "<b>", "#", "##",
  "]", "[ ]", "- [ ]", "(after: k3m9qa)", "www.example.com", "a@b.co", "1.", "2)", "|", "\\", "&amp;", "\u00a0",
  "---", "===", "***", "```", "~~~", "<!--", "-->", ":", "!", "'q'", "\"q\"", "(p)", "@me", "$5", "%", "/path", "\uFEFF",
);
const text = fc.tuple(fc.array(word, { minLength: 1, maxLength: 4 }), fc.constantFrom("", "", "", " ", "  ", "\t"))
  .map(([words, trailing]) => words.join(" ") + trailing);
const indent = fc.constantFrom("", "", "", "  ", "  ", "    ", " ", "   ", "     ", "      ", "        ", "\t", " \t");
const marker = fc.constantFrom("-", "-", "-", "*", "+", "1.", "2)", "1234567890.", "1", "1 .");
const gap = fc.constantFrom(" ", " ", " ", "  ", "    ", "     ", "\t", "");
const box = fc.constantFrom("[ ]", "[ ]", "[x]", "[X]", "[\t]", "[]", "[y]", "[  ]", "[x]done");

const line = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(indent, marker, gap, box, text).map(([i, m, g, b, t]) => `${i}${m}${g}${b} ${t}`) },
  { weight: 3, arbitrary: fc.tuple(indent, marker, gap, text).map(([i, m, g, t]) => `${i}${m}${g}${t}`) },
  { weight: 2, arbitrary: fc.tuple(indent, marker, box).map(([i, m, b]) => `${i}${m} ${b}`) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom("#", "##", "###", "######", "#######"), fc.constantFrom(" ", "  ", "", "\t"), text, fc.constantFrom("", "", " #", " ##  ", "#"))
    .map(([h, g, t, close]) => `${h}${g}${t}${close}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(" ", "  ", "    "), text).map(([i, t]) => `${i}# ${t}`) },
  { weight: 6, arbitrary: fc.tuple(indent, text).map(([i, t]) => i + t) },
  { weight: 4, arbitrary: fc.constantFrom("", "", "  ", "\t") },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      "---", "===", "***", "* * *", "- - -", "___", "```", "~~~", "<div>", "</div>", "<!--", "-->", "> quote", "> - [ ] q",
      "| a | b |", "|---|---|", "a | b", "--- | ---", "[x]: /url", "[^1]: note", "    code", "\uFEFF- [ ] z", "Setext", "#nospace",
      "  ---", "  ===", "- ---", "-", "- ", "*", "1. [ ] one", "2) [x] two", "10. [ ] ten", "- \t[ ] tab gap", "\u0000", "a\u0007b",
    ),
  },
);

/** Lines the scanner accepts (in some contexts): safe starts, spaces only. */
const safeWord = fc.constantFrom("Add", "login", "42", "😀", "ünï", "`code`", "**bold**", "_u_", "(p)", "\"q\"", "'q'", "@me", ":", "!x", "&amp;", "$5", "/p");
const plainText = fc.tuple(safeWord, fc.array(word, { maxLength: 3 }), fc.constantFrom("", "", "", " ", "  "))
  .map(([first, rest, trailing]) => [first, ...rest].join(" ") + trailing);
const plainIndent = fc.constantFrom("", "", "", "", "  ", "  ", "  ", " ", "   ", "    ", "     ", "      ");
const plainMarker = fc.constantFrom("-", "-", "-", "*", "+", "1.", "1.", "2.", "1)", "3)", "10.", "01.", "123456789.");
const plainLine = fc.oneof(
  { weight: 8, arbitrary: fc.tuple(plainIndent, plainMarker, fc.constantFrom(" ", " ", "  ", "    "), fc.constantFrom("[ ]", "[x]", "[X]"), plainText)
    .map(([i, m, g, b, t]) => `${i}${m}${g}${b} ${t}`) },
  { weight: 2, arbitrary: fc.tuple(plainIndent, plainMarker, plainText).map(([i, m, t]) => `${i}${m} ${t}`) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom("#", "##", "###"), plainText).map(([h, t]) => `${h} ${t}`) },
  { weight: 5, arbitrary: fc.tuple(plainIndent, plainText).map(([i, t]) => i + t) },
  { weight: 4, arbitrary: fc.constantFrom("", "", "  ") },
);

/** Mostly plain lines with a few near-misses, or near-misses throughout. */
const prd = fc
  .tuple(
    fc.oneof(
      { weight: 3, arbitrary: fc.array(fc.oneof({ weight: 60, arbitrary: plainLine }, { weight: 1, arbitrary: line }), { maxLength: 60 }) },
      { weight: 1, arbitrary: fc.array(line, { maxLength: 40 }) },
    ),
    fc.constantFrom("\n", "\n", "\r\n", "\r"),
    fc.boolean(),
  )
  .map(([lines, eol, finalEol]) => lines.join(eol) + (finalEol ? eol : ""));

const micromarkWhole = (source: string) => shippedReading(() => facts(parseFresh(source, { chunkChars: Infinity, scan: false })));
const withScanner = (source: string, options: ParseOptions) => shippedReading(() => facts(parseFresh(source, { ...options, scan: true })));

describe("the line scanner reads exactly what micromark reads", { timeout: 180_000 }, () => {
  test("on random PRDs of plain lines and near-misses, at every chunk size", () => {
    const stats = { scanned: 0, micromark: 0 };
    fc.assert(
      fc.property(prd, fc.constantFrom(1, 64, 4096), (source, chunkChars) => {
        expect(withScanner(source, { chunkChars, stats })).toEqual(micromarkWhole(source));
      }),
      { numRuns: propertyRuns(3000) },
    );
    // The comparison means something only if the scanner read a fair share of the text (about a
    // fifth here: the near-misses send many pieces to micromark; the next test has fewer).
    expect(stats.scanned).toBeGreaterThan((stats.scanned + stats.micromark) / 6);
  });

  test("on random PRDs of plain lines only", () => {
    const stats = { scanned: 0, micromark: 0 };
    const plainPrd = fc.tuple(fc.array(plainLine, { maxLength: 60 }), fc.constantFrom("\n", "\r\n", "\r"))
      .map(([lines, eol]) => lines.join(eol) + eol);
    fc.assert(
      fc.property(plainPrd, (source) => {
        expect(withScanner(source, { stats })).toEqual(micromarkWhole(source));
      }),
      { numRuns: propertyRuns(1000) },
    );
    // About a third: these lines include declines too ("2." after a paragraph, indented code after a blank).
    expect(stats.scanned).toBeGreaterThan((stats.scanned + stats.micromark) / 4);
  });

  test("every piece it accepts, on its own, equals micromark's reading of that piece", () => {
    let accepted = 0;
    fc.assert(
      fc.property(prd, (source) => {
        if (!scanSimplePiece(source, 0, source.length)) return;
        accepted++;
        expect(withScanner(source, { chunkChars: Infinity })).toEqual(micromarkWhole(source));
      }),
      { numRuns: propertyRuns(3000) },
    );
    expect(accepted).toBeGreaterThan(propertyRuns(3000) / 30); // 100 in a full run
  });

  test("on the edge-case fixtures", () => {
    for (const name of ["everything.md", "everything-crlf.md", "everything-cr.md", "everything-bom-crlf.md", "mixed-line-endings.md"]) {
      expect(withScanner(readCase(name), { chunkChars: 1 }), name).toEqual(micromarkWhole(readCase(name)));
    }
  });

  test("a typical PRD goes through the scanner entirely", () => {
    const lines = ["# Plan", "", "Intro with `code`, *emphasis* and a [link](https://example.com).", ""];
    for (let i = 0; i < 300; i++) {
      if (i % 50 === 0) lines.push("", `## Part ${i / 50 + 1}`, "", "Context for this part.", "");
      lines.push(`${i % 4 === 3 ? "  " : ""}- [${i % 7 ? " " : "x"}] Task ${i}: do \`thing${i}\` (after: Task ${i - 1})`);
      if (i % 10 === 1) lines.push("  More detail on the next line.");
      if (i % 10 === 2) lines.push("  - a plain note under the task");
    }
    const source = lines.join("\n") + "\n";
    const stats = { scanned: 0, micromark: 0 };
    expect(withScanner(source, { stats })).toEqual(micromarkWhole(source));
    expect(stats).toEqual({ scanned: source.length, micromark: 0 });
  });
});
