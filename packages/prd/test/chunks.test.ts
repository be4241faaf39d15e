import { describe, expect, test } from "vitest";
import { parseInChunks } from "../src/chunks.js";
import type { ScannedPiece } from "../src/fast-scan.js";
import { parseMarkdown } from "../src/micromark-parse.js";

// Where a long PRD is cut into pieces for micromark (a 10,000-task PRD parses about 4x faster in
// pieces). chunks.property.test.ts proves the pieces read like the whole; these tests pin where the cuts
// are, so a chunker that silently stops cutting (correct, but slow again) or cuts more is noticed.
function pieces(body: string, chunkChars = 1, scan?: (from: number, to: number) => ScannedPiece | undefined) {
  const parsed: string[] = [];
  const chunks = [...parseInChunks(body, (text) => {
    parsed.push(text);
    return parseMarkdown(text);
  }, chunkChars, scan)];
  return { parsed, chunks: chunks.map((c) => ({ kind: c.kind, text: body.slice(c.start, c.end), lineDelta: c.lineDelta })) };
}

describe("cuts", () => {
  test("after a blank line, before each line that starts a block the same way in any state", () => {
    const blocks = ["# Heading", "Text", "ünïcödé", "日本", "> quote", "- [ ] dash", "* star item", "+ plus item", "1. one", "1) paren", "Zed"];
    const body = blocks.map((b) => `${b}\n`).join("\n");
    expect(pieces(body).chunks.map((c) => c.text)).toEqual(blocks.map((b, i) => `${b}\n${i < blocks.length - 1 ? "\n" : ""}`));
  });

  test("not before lines micromark may read differently after indented code, HTML or a list", () => {
    const notAlone = ["2. two", "10) ten", "-", "- ", "*", "1.", "<x-y>", "===", "    code", "`tick`", "=x", "(paren)", "[x]: /u", "\t- tab", " - indented", "- ", "-x"];
    const body = `# Start\n\n${notAlone.join("\n\n")}\n`;
    expect(pieces(body).chunks).toHaveLength(1);
  });

  test("not without a blank line before, and a line of spaces or tabs counts as blank", () => {
    expect(pieces("Text\n# Heading\nMore\n").chunks).toHaveLength(1);
    expect(pieces("Text\n  \t\n# Heading\n").chunks.map((c) => c.text)).toEqual(["Text\n  \t\n", "# Heading\n"]);
  });

  test("never inside YAML front matter; after it as usual", () => {
    const body = "---\ntitle: x\n\nnotes: y\n---\n\n# H\n\nText\n";
    expect(pieces(body).chunks.map((c) => c.text)).toEqual(["---\ntitle: x\n\nnotes: y\n---\n\n", "# H\n\n", "Text\n"]);
    expect(pieces("---  \r\na: 1\r\n\r\nb: 2\r\n---\r\n\r\nText\r\n").chunks).toHaveLength(2);
    // An unclosed front matter block: no cuts at all.
    expect(pieces("---\na: 1\n\nText\n\nMore\n").chunks).toHaveLength(1);
    // "---" not on the first line is no front matter.
    expect(pieces("Text\n\n---\n\nMore\n").chunks).toHaveLength(2);
    // ...and cuts before a later "---" line stay (it opens nothing).
    expect(pieces("Text\n\n# H\n\nMore\n\n---\n\nEnd\n").chunks.map((c) => c.text)).toEqual(["Text\n\n", "# H\n\n", "More\n\n---\n\n", "End\n"]);
  });

  test("a text that starts with a second BOM is parsed whole", () => {
    expect(pieces("\uFEFFText\n\nMore\n").chunks).toHaveLength(1);
  });

  test("a chunk that ends in a fence is re-parsed from the fence's first line with what follows", () => {
    const body = "Intro\n\n```\n\n# not a heading\n```\n\n# Real\n\nText\n";
    const { chunks, parsed } = pieces(body);
    expect(chunks.map((c) => c.text)).toEqual(["Intro\n\n", "```\n\n# not a heading\n```\n\n# Real\n\nText\n"]);
    expect(parsed[0]).toBe("Intro\n\n```\n\n");
    expect(parsed.at(-1)).toBe(body.slice("Intro\n\n".length));
  });

  test("line counts carry over chunks for LF, CRLF and CR endings", () => {
    expect(pieces("A\n\nB\r\n\r\nC\r\rD\n").chunks.map((c) => c.lineDelta)).toEqual([0, 2, 4, 6]);
  });

  test("pieces go to micromark together up to chunkChars", () => {
    const body = Array.from({ length: 20 }, (_, i) => `Block ${i}\n`).join("\n");
    expect(pieces(body, 1).parsed).toHaveLength(20);
    expect(pieces(body, 40).parsed.map((p) => p.length)).toEqual([45, 45, 40, 40, 19]); // at least 40, then to the next cut
    expect(pieces(body, Infinity).parsed).toEqual([body]);
  });
});

describe("with the line scanner", () => {
  test("each piece is offered to the scanner once; accepted pieces are not parsed by micromark", () => {
    const body = "# A\n\nText\n\n# B\n\nMore\n";
    const offered: number[] = [];
    const { parsed, chunks } = pieces(body, Infinity, (from) => {
      offered.push(from);
      return body.startsWith("#", from) ? { events: [], lineEndings: 2 } : undefined;
    });
    expect(offered).toEqual([0, 5, 11, 16]);
    expect(chunks.map((c) => [c.kind, c.text])).toEqual([["scanned", "# A\n\n"], ["micromark", "Text\n\n"], ["scanned", "# B\n\n"], ["micromark", "More\n"]]);
    // A scanned piece's lines are the count the scanner gave (nobody counts them again).
    expect(chunks.map((c) => c.lineDelta)).toEqual([0, 2, 4, 6]);
    expect(parsed).toEqual(["Text\n\n", "More\n"]);
  });

  test("a micromark chunk stops at the next piece the scanner accepts", () => {
    const body = "Text\n\nMore\n\n# H\n\nEnd\n";
    const { chunks } = pieces(body, Infinity, (from) => (body.startsWith("#", from) ? { events: [], lineEndings: 2 } : undefined));
    expect(chunks.map((c) => [c.kind, c.text])).toEqual([["micromark", "Text\n\nMore\n\n"], ["scanned", "# H\n\n"], ["micromark", "End\n"]]);
  });
});
