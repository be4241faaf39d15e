import { describe, expect, test } from "vitest";
import { scanSimplePiece } from "../src/fast-scan.js";
import { parsePrd } from "../src/index.js";
import { parseFresh } from "../src/parse.js";
import { facts } from "./fixtures.js";

// More pieces for the line scanner, in the style of scan-pieces.test.ts: each plain construct it must
// read itself (a decline is correct but slow), and each near-miss it must leave to micromark because
// reading it as the plain construct would be wrong. Every piece is also checked against micromark.
const micromark = (source: string) => facts(parseFresh(source, { chunkChars: Infinity, scan: false }));
const scanned = (source: string) => {
  const stats = { scanned: 0, micromark: 0 };
  const result = facts(parseFresh(source, { chunkChars: Infinity, stats }));
  return { result, stats };
};

const accepted: Array<[string, string]> = [
  ["a blank line holding a tab between tasks", "- [ ] a\n\t\n- [ ] b\n \t \n"],
  ["ordered tasks numbered 10 and 0 (digits 0 and 9 in the number)", "10. [ ] ten\n11. [x] eleven\n\n0. [ ] zero\n9. [ ] nine\n"],
  ["a word and a dot before a box-like text is a paragraph", "No. [ ] not a task\nMr. [x] Smith\n"],
  ["a dot and a space before a box-like text is a paragraph", ". [ ] not a task\n"],
  ["digits followed by a space are lazy text of a task's title", "- [ ] task\n2024 was a year\n"],
  ["digits followed by a colon and a space are lazy text", "- [ ] task\n12: noon\n"],
  ["a box with ( instead of [ is text of a plain item", "- (x] not a box\n"],
  ["paragraph lines starting with Z, z, 0, 9 and U+0080", "Zebra\nzebra\n0 is a number\n9 lives\n\u0080 control\n"],
  ["a number with letters before a dot is text", "2nd. place\n"],
  ["code spans of one and two backticks starting a line", "`a` short\n``double`` code\n"],
];

describe("the line scanner reads these plain constructs itself, as micromark would", () => {
  test.each(accepted)("%s", (_, source) => {
    expect(scanSimplePiece(source, 0, source.length), "declined").toBeDefined();
    const { result, stats } = scanned(source);
    expect(stats).toEqual({ scanned: source.length, micromark: 0 });
    expect(result).toEqual(micromark(source));
  });
});

const declined: Array<[string, string]> = [
  ["an ordered item other than 1 with the other delimiter, after a paragraph in an item", "1. [ ] a\n   para\n2) [ ] b\n"],
  ["a decimal number (1.5) starting a line", "1.5 percent\n"],
  ["a lazy-looking decimal number after a task", "- [ ] task\n1.5 percent\n"],
  ["a box closed by ) instead of ]", "- [x) not a box\n"],
  ["a box holding another letter", "- [y] not a box\n"],
  ["a box followed by spaces only", "- [ ]   \n"],
  ["a box followed by spaces only at the end of the text", "- [x]  "],
  ["an empty ordered item 2)", "2)\n"],
  ["a bullet right after a bullet (a nested list on one line)", "- * [ ] nested\n"],
  ["a thematic break of * written without a space after the first", "** **\n"],
  ["a thematic break of _ with spaces", "__ __\n"],
  ["a closing # sequence followed by spaces", "# Title #  \n"],
];

describe("the line scanner leaves these near-misses to micromark", () => {
  test.each(declined)("%s", (_, source) => {
    expect(scanSimplePiece(source, 0, source.length)).toBeUndefined();
    expect(scanned(source).result).toEqual(micromark(source));
  });
});

describe("section names", () => {
  test("whitespace other than spaces around a heading's text (no-break spaces) is trimmed from the section name", () => {
    const text = "# \u00a0Plan\u00a0\n\n- [ ] a\n";
    expect(parsePrd(text).tasks[0]!.section).toBe("Plan");
    expect(parseFresh(text, { scan: false }).headings).toEqual([{ line: 1, text: "Plan" }]);
  });
});
