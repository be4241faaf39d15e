import { describe, expect, test } from "vitest";
import { scanSimplePiece } from "../src/fast-scan.js";
import { parsePrd } from "../src/index.js";
import { parseFresh } from "../src/parse.js";
import { facts } from "./fixtures.js";

// The line scanner is what keeps a 10,000-task PRD fast: it must read the plain constructs itself (a
// decline sends the piece to micromark, which is correct but slow), decline everything it cannot read
// with certainty, and agree with micromark on what it reads. One piece per construct, so a change that
// makes the scanner decline (or accept) something shows up here by name, not only as a slowdown.
const micromark = (source: string) => facts(parseFresh(source, { chunkChars: Infinity, scan: false }));
const scanned = (source: string) => {
  const stats = { scanned: 0, micromark: 0 };
  const result = facts(parseFresh(source, { chunkChars: Infinity, stats }));
  return { result, stats };
};

const accepted: Array<[string, string]> = [
  ["tasks with -, *, + markers and all three boxes", "- [ ] a\n* [x] b\n+ [X] c\n"],
  ["ordered tasks with . and ), and a 9-digit number", "1. [ ] one\n2. [x] two\n\n1) [ ] paren\n\n123456789. [ ] big\n"],
  ["nested tasks and a sibling after the nesting", "- [ ] parent\n  - [ ] child\n    - [x] grandchild\n  - [ ] second child\n- [ ] next\n"],
  ["up to four spaces between marker and box", "-    [ ] four spaces\n"],
  ["items indented by one to three spaces", " - [ ] one\n   - [ ] three\n"],
  ["several spaces before the title, trailing spaces", "- [ ]    spaced title   \n"],
  ["a plain bullet under a task (the task has own text)", "- [ ] task\n  - plain note\n"],
  ["a plain ordered item under a task", "- [ ] task\n  1. step one\n  2. step two\n"],
  ["a paragraph under a task, and a lazy line", "- [ ] task\n\n  More detail.\n- [ ] other\nlazy continuation\n"],
  ["an indented continuation of a title", "- [ ] title\n      deeply indented continuation\n"],
  ["headings of levels 1 to 6, text collapsed", "# One\n## Two  words \n###### Six\n\n- [ ] t\n"],
  ["paragraph lines that start with letters, digits and safe punctuation", [
    "Plain text.", "ünïcödé first", "日本語", "2024 was a year", "*emphasis* here", "_under_ here", "`code` here", "**bold**",
    "!bang", "\"quoted\"", "$5 price", "%pct", "&amp;", "'single'", "(paren)", ",comma", ".dot", "/path", ":colon", ";semi", "?q", "@me",
  ].join("\n") + "\n"],
  ["CRLF line endings", "# H\r\n\r\n- [ ] a\r\n  - [x] b\r\n"],
  ["CR line endings", "# H\r\r- [ ] a\r  - [x] b\r"],
  ["a task list interrupting a paragraph with 1.", "Intro line\n1. [ ] first\n"],
  ["an ordered sibling after a paragraph inside the item", "1. [ ] first\n   text\n2. [ ] second\n"],
  ["blank lines only", "\n  \n\n"],
  ["a new list started by 1) after a . list's paragraph", "1. [ ] a\n   para\n1) [ ] b\n"],
  ["an ordered item starting at 3", "3. not a task\n"],
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

describe("the line scanner reads plain constructs itself, as micromark would", () => {
  test.each(accepted)("%s", (_, source) => {
    expect(scanSimplePiece(source, 0, source.length), "declined").toBeDefined();
    const { result, stats } = scanned(source);
    expect(stats).toEqual({ scanned: source.length, micromark: 0 });
    expect(result).toEqual(micromark(source));
  });
});

const declined: Array<[string, string]> = [
  ["a tab", "- [ ] a\tb\n"],
  ["a tab in the indent", "\t- [ ] a\n"],
  ["a control character", "- [ ] a\u0007b\n"],
  ["a block quote", "> - [ ] q\n"],
  ["a fence", "```\n- [ ] not a task\n```\n"],
  ["indented code after a blank line", "Para\n\n    code\n"],
  ["indented code at the top level", "    code\n"],
  // micromark reads "2." after indented code as text, even after a blank line (cmark starts a list).
  ["indented code right after a heading", "# H\n    code\n\n2. [ ] two\n"],
  ["a thematic break of -", "---\n"],
  ["a thematic break of *", "* * *\n"],
  ["a thematic break of _", "___\n"],
  ["a setext underline", "Title\n===\n"],
  ["an empty item", "- \n"],
  ["an item of only a marker", "-\n"],
  ["a box with nothing after it", "- [ ]\n"],
  ["five spaces after the marker (indented code in the item)", "-     [ ] x\n"],
  ["a table", "| a | b |\n|---|---|\n"],
  ["HTML", "<div>\n"],
  ["a link definition", "[x]: /url\n"],
  ["an ordered item other than 1 interrupting a paragraph", "Intro\n2. [ ] second\n"],
  ["a number of ten digits", "1234567890. [ ] x\n"],
  ["a heading without a space", "#tag\n"],
  ["seven #", "####### seven\n"],
  ["a closing # sequence", "# Title #\n"],
  ["a heading that is only #", "#\n"],
  ["an indented heading", " # Title\n"],
  ["a heading text starting with #", "# #tag\n"],
  ["a leading BOM", "\uFEFF- [ ] a\n"],
  ["a line starting with a non-breaking BOM character", "a\n\uFEFFb\n"],
  ["a line starting with [", "[link](x) first\n"],
  ["a line starting with <", "<b>bold</b>\n"],
  ["a line starting with *-space that is a bullet of text... starting with *", "*\n"],
  ["a line of *** (a break, not text)", "***\n"],
  ["```-started text", "```js\n"],
  ["a line starting with =", "=x\n"],
  ["a line starting with #-less punctuation that could start a block (~)", "~~~\n"],
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

describe("the line scanner declines what it cannot read with certainty", () => {
  test.each(declined)("%s", (_, source) => {
    expect(scanSimplePiece(source, 0, source.length)).toBeUndefined();
    expect(scanned(source).result).toEqual(micromark(source));
  });
});

describe("what the scanner reports", () => {
  test("checkbox offsets, item ends and title paragraph ends, in the whole text's offsets", () => {
    const source = "Intro\n\n- [ ] a\n  more\n  - [x] b\n\n- [ ] c\n";
    const from = source.indexOf("- [ ] a");
    const { events, lineEndings } = scanSimplePiece(source, from, source.length)!;
    expect(lineEndings).toBe(source.slice(from).split("\n").length - 1);
    expect(events.map((e) => (e.kind === "task" ? [e.facts.checkStart, e.facts.checked, e.parent, e.facts.line, { offset: e.facts.endOffset, line: e.facts.endLine }] : e))).toEqual([
      [from + 3, false, -1, 1, { offset: source.indexOf("  - [x]") + 9, line: 3 }],
      [source.indexOf("[x]") + 1, true, 0, 3, { offset: source.indexOf("  - [x]") + 9, line: 3 }],
      [source.indexOf("[ ] c") + 1, false, -1, 5, { offset: source.length - 1, line: 5 }],
    ]);
  });
});

describe("section names", () => {
  test("whitespace other than spaces around a heading's text (no-break spaces) is trimmed from the section name", () => {
    const text = "# \u00a0Plan\u00a0\n\n- [ ] a\n";
    expect(parsePrd(text).tasks[0]!.section).toBe("Plan");
    expect(parseFresh(text, { scan: false }).headings).toEqual([{ line: 1, text: "Plan" }]);
  });
});
