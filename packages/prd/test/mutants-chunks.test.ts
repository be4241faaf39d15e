import { describe, expect, test } from "vitest";
import { parseInChunks } from "../src/chunks.js";
import { describeParsed } from "../src/describe.js";
import { parseMarkdown } from "../src/micromark-parse.js";
import { parseFresh } from "../src/parse.js";
import { facts } from "./fixtures.js";

// The chunker around code that may run on past a cut (see chunks.ts): what micromark is handed, and
// that the tasks come out as in a whole-document parse.
function parsedTexts(body: string, chunkChars: number): string[] {
  const parsed: string[] = [];
  Array.from(parseInChunks(body, (text) => {
    parsed.push(text);
    return parseMarkdown(text);
  }, chunkChars)); // the chunks come out lazily: read them all
  return parsed;
}
const whole = (body: string) => facts(parseFresh(body, { chunkChars: Infinity, scan: false }));

describe("a list ending in code at a chunk's end", () => {
  const quote = "> quote\n\n";
  const list = "- [ ] a\n\n  ```\n  code\n\n";
  const body = `${quote}${list}Next\n\nMore\n`;

  test("its tasks are read once, from the re-parse that starts at the list", () => {
    for (const chunkChars of [1, 10, 30, Infinity]) {
      expect(facts(parseFresh(body, { chunkChars, scan: false })), `chunkChars ${chunkChars}`).toEqual(whole(body));
      expect(facts(parseFresh(body, { chunkChars }))).toEqual(whole(body));
    }
    expect(parsePrdTitles(body, 10)).toEqual(["a"]);
  });

  test("the re-parse starts at the list and reaches past the cut in one go", () => {
    // 10 characters: the first chunk takes the quote and the list (to "Next"); the list ends in code,
    // so it is dropped there and parsed again from its first line through the next cut ("More").
    expect(parsedTexts(body, 10)).toEqual([`${quote}${list}`, `${list}Next\n\n`, "More\n"]);
  });

  test("a chunk that is only such a list grows to twice its size before the next parse", () => {
    // 1 character: "# H" alone, then the list alone; it ends in code at its start, so the next parse
    // takes twice the list's length: through the long "Next" paragraph, not on to "Most".
    const next = `Next ${"n".repeat(30)}\n\n`;
    const text = `# H\n\n${list}${next}More\n\nMost\n`;
    expect(parsedTexts(text, 1)).toEqual(["# H\n\n", list, `${list}${next}`, "More\n\n", "Most\n"]);
    expect(facts(parseFresh(text, { chunkChars: 1, scan: false }))).toEqual(whole(text));
  });
});

describe("a footnote ending in a task's code at a chunk's end", () => {
  // A footnote definition, like a list item, runs on across blank lines: code at its end takes in the
  // blank line before "Next" only at the end of the input. So the chunk that ends there is parsed
  // again from the footnote through the next cut, as for a list.
  const body = "# H\n\n[^1]: note\n\n    - [ ] a\n\n      ```\n      code\n\nNext\n";

  test("the task's body ends with its code and the next paragraph stays in the section, as in a whole-document parse", () => {
    for (const chunkChars of [1, 10, Infinity]) {
      expect(facts(parseFresh(body, { chunkChars, scan: false })), `chunkChars ${chunkChars}`).toEqual(whole(body));
      expect(facts(parseFresh(body, { chunkChars }))).toEqual(whole(body));
    }
    const [a] = describeParsed(parseFresh(body, { chunkChars: 1 }));
    expect(a!.body).toBe("- [ ] a\n\n  ```\n  code\n"); // not the blank line after it
    expect(a!.sectionText).toBe("# H\n\n[^1]: note\n\nNext"); // "Next" is not hidden in the footnote
  });
});

describe("cuts", () => {
  test("before a bullet item with several spaces after its marker", () => {
    const body = "# H\n\n-   spaced item\n\n*  star\n";
    expect([...parseInChunks(body, parseMarkdown, 1)].map((c) => body.slice(c.start, c.end))).toEqual(["# H\n\n", "-   spaced item\n\n", "*  star\n"]);
  });
});

function parsePrdTitles(body: string, chunkChars: number): string[] {
  return parseFresh(body, { chunkChars, scan: false }).tasks.map((r) => r.task.title);
}
