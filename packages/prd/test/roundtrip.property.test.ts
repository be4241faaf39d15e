import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { parsePrd, setTaskChecked } from "../src/index.js";
import { parseFresh } from "../src/parse.js";
import { diffRange, propertyRuns } from "./fixtures.js";

const words = fc.constantFrom("Add", "login", "😀", "ünï", "日本", "`code`", "*em*", "[link](x)", "<b>", "x", "#", "]", "[ ]", "- [ ]", "(after: k3m9qa)");
const title = fc.array(words, { minLength: 0, maxLength: 4 }).map((w) => w.join(" "));
const indent = fc.constantFrom("", "", "  ", "    ", "\t", "   ");
const marker = fc.constantFrom("-", "*", "+", "1.", "2)");
const box = fc.constantFrom("[ ]", "[x]", "[X]", "[\t]", "[]", "[y]");

/** One markdown block: tasks (possibly malformed), headings, text, and blocks that hide tasks. */
const block = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(indent, marker, box, title).map(([i, m, b, t]) => `${i}${m} ${b} ${t}`) },
  fc.tuple(fc.constantFrom("#", "##", "###"), title).map(([h, t]) => `${h} ${t}`),
  title.map((t) => `${t || "Setext"}\n---`),
  title.map((t) => `> - [ ] ${t}\n>   - [x] ${t}`),
  title.map((t) => "```\n- [ ] " + t + "\n```"),
  title.map((t) => `<!--\n- [ ] ${t}\n-->`),
  fc.tuple(marker, title).map(([m, t]) => `${m} [ ]\n  ${t}`),
  title,
  fc.constant(""),
);

/** A random PRD as lines of blocks, in one of the line-ending styles, maybe with a BOM. */
const prd = fc
  .tuple(fc.array(block, { maxLength: 25 }), fc.constantFrom("\n", "\r\n", "\r"), fc.boolean(), fc.boolean())
  .map(([blocks, eol, bom, frontMatter]) => {
    const body = (frontMatter ? ["---", "a: - [ ] no", "---", ...blocks] : blocks).join("\n") + "\n";
    return (bom ? "\uFEFF" : "") + body.replace(/\n/g, eol);
  });

/** Raw character soup: anything the parser might meet. */
const soup = fc.array(
  fc.constantFrom("- [ ] a", "- [x] b", "* [X]", "[ ]", "[\t]", "[", "]", " ", "  ", "\t", "\n", "\n", "\r\n", "\r", "> ", "1. ", "```", "<!--", "-->", "# ", "---", "😀", "\uFEFF", "a"),
  { maxLength: 60 },
).map((parts) => parts.join(""));

function checkToggles(text: string): void {
  const tasks = parseFresh(text).tasks.map((r) => r.task);
  expect(new Set(tasks.map((t) => t.id)).size).toBe(tasks.length);
  for (const task of tasks) {
    let updated: string;
    try {
      updated = setTaskChecked(text, task.id, !task.checked);
    } catch (error) {
      // The only refusal: a box whose brackets sit on two lines (ticking would join them).
      expect(String(error)).toMatch(/on different lines/);
      continue;
    }
    const range = diffRange(text, updated)!;
    expect(range.endA - range.start).toBe(1);
    expect(range.endB - range.start).toBe(1);
    expect(updated[range.start]).toBe(task.checked ? " " : "x");
    expect(parseFresh(updated).tasks.map((r) => r.task)).toEqual(
      tasks.map((t) => (t.id === task.id ? { ...t, checked: !t.checked } : t)),
    );
    expect(setTaskChecked(updated, task.id, task.checked === false)).toBe(updated); // idempotent
  }
}

// Generous timeouts: the machine has 2 cores shared with other test runs; these check behaviour, not speed.
describe("round trip on random PRDs", { timeout: 120_000 }, () => {
  test("toggling any task changes exactly its box character; a re-parse shows only that task flipped", () => {
    fc.assert(fc.property(prd, checkToggles), { numRuns: propertyRuns(400) });
  });

  test("the same on raw character soup", () => {
    fc.assert(fc.property(soup, checkToggles), { numRuns: propertyRuns(1500) });
  });

  test("line-ending style and BOM never change the tasks", () => {
    fc.assert(
      fc.property(fc.array(block, { maxLength: 25 }), (blocks) => {
        const lf = blocks.join("\n") + "\n";
        const expected = parsePrd(lf).tasks;
        expect(parsePrd(lf.replace(/\n/g, "\r\n")).tasks).toEqual(expected);
        expect(parsePrd(lf.replace(/\n/g, "\r")).tasks).toEqual(expected);
        expect(parsePrd("\uFEFF" + lf).tasks).toEqual(expected);
      }),
      { numRuns: propertyRuns(200) },
    );
  });
});
