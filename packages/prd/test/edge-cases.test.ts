import { describe, expect, test } from "vitest";
import { parsePrd, type Task } from "../src/index.js";

/** [title, checked, line, depth, parent's title, section] */
type Row = [string, boolean, number, number, string?, string?];

function rows(text: string): Row[] {
  const { tasks } = parsePrd(text);
  const titleOf = new Map(tasks.map((t) => [t.id, t.title]));
  return tasks.map((t: Task) => {
    const row: Row = [t.title, t.checked, t.line, t.depth];
    if (t.parentId || t.section) row.push(t.parentId ? titleOf.get(t.parentId) : undefined);
    if (t.section) row.push(t.section);
    return row;
  });
}

// Expected lists follow micromark-extension-gfm-task-list-item 2.1 (GitHub's rules for files).
const cases: Array<[name: string, markdown: string, expected: Row[]]> = [
  ["dash, star, plus, 1. and 1) markers", "- [ ] a\n\n* [ ] b\n\n+ [ ] c\n\n1. [ ] d\n\n2) [ ] e\n", [
    ["a", false, 1, 0], ["b", false, 3, 0], ["c", false, 5, 0], ["d", false, 7, 0], ["e", false, 9, 0],
  ]],
  ["[x], [X], [ ] and a tab inside", "- [x] a\n- [X] b\n- [ ] c\n- [\t] d\n", [
    ["a", true, 1, 0], ["b", true, 2, 0], ["c", false, 3, 0], ["d", false, 4, 0],
  ]],
  // micromark splits a tab into virtual spaces unless it ends exactly one column later
  ["a tab that spans several columns is not a check", "  - [\t] d\n", []],
  ["other characters between the brackets", "- [-] a\n- [y] b\n- [  ] c\n- [\u00a0] d\n- [] e\n", []],
  ["text right after ] is not a check", "- [x]done\n", []],
  ["tab after ] is fine", "- [ ]\tthen tab\n", [["then tab", false, 1, 0]]],
  ["- [ ] with nothing after is not a task", "- [ ]\n- [x]   \n- [ ] real\n", [["real", false, 3, 0]]],
  ["- [ ] then text on the next line is a task", "- [ ]\n  text on next line\n", [["text on next line", false, 1, 0]]],
  ["a check that is not the first thing is plain text", "- a [ ] b\n- **[ ]** c\n", []],
  ["a second paragraph's check is plain text", "- first\n\n  [ ] second\n", []],
  ["nesting by spaces", "- [ ] a\n  - [ ] b\n    - [x] c\n  - [ ] d\n- [ ] e\n", [
    ["a", false, 1, 0], ["b", false, 2, 1, "a"], ["c", true, 3, 2, "b"], ["d", false, 4, 1, "a"], ["e", false, 5, 0],
  ]],
  ["nesting by tabs", "- [ ] a\n\t- [ ] b\n\t\t- [ ] c\n", [
    ["a", false, 1, 0], ["b", false, 2, 1, "a"], ["c", false, 3, 2, "b"],
  ]],
  ["a task under a plain bullet is top-level", "- plain\n  - [ ] child\n", [["child", false, 2, 0]]],
  ["a task under a plain bullet under a task has that task as parent", "- [ ] a\n  - note\n    - [ ] b\n", [
    ["a", false, 1, 0], ["b", false, 3, 1, "a"],
  ]],
  ["ordered nested in bulleted", "- [ ] a\n   1. [ ] b\n", [["a", false, 1, 0], ["b", false, 2, 1, "a"]]],
  ["blockquotes", "> - [ ] a\n>   - [x] b\n>\n> > 1. [X] c\n", [
    ["a", false, 1, 0], ["b", true, 2, 1, "a"], ["c", true, 4, 0],
  ]],
  ["task continued lazily in a blockquote", "> - [ ]\n> lazy title\n", [["lazy title", false, 1, 0]]],
  ["ATX and setext sections", "# Top\n- [ ] a\n\n## Sub ##\n- [ ] b\n\nSetext one\n==========\n- [ ] c\n\nSetext *two*\n---\n\n- [ ] d\n", [
    ["a", false, 2, 0, undefined, "Top"], ["b", false, 5, 0, undefined, "Sub"],
    ["c", false, 9, 0, undefined, "Setext one"], ["d", false, 14, 0, undefined, "Setext *two*"],
  ]],
  ["tasks before any heading have no section", "- [ ] a\n\n# H\n", [["a", false, 1, 0]]],
  ["fenced code (backticks and tildes)", "```\n- [ ] a\n```\n~~~md\n- [ ] b\n~~~\n- [ ] c\n", [["c", false, 7, 0]]],
  ["indented code", "Para\n\n    - [ ] a\n\n- [ ] b\n", [["b", false, 5, 0]]],
  ["fenced code inside a task item is not a task", "- [ ] a\n  ```\n  - [ ] b\n  ```\n", [["a", false, 1, 0]]],
  ["HTML blocks", "<div>\n- [ ] a\n</div>\n\n<details>\n\n- [ ] b\n\n</details>\n", [["b", false, 7, 0]]],
  ["HTML comments", "<!--\n- [ ] a\n-->\n<!-- - [ ] b -->\n- [ ] c\n", [["c", false, 5, 0]]],
  ["YAML front matter", "---\ntitle: x\ntodo: |\n  - [ ] a\n---\n- [ ] b\n", [["b", false, 6, 0]]],
  ["a thematic break is not front matter in the middle", "Text\n\n---\n- [ ] a\n---\n", [["a", false, 4, 0]]],
  ["headings inside code are not sections", "# Real\n```\n# Fake\n```\n- [ ] a\n", [["a", false, 5, 0, undefined, "Real"]]],
  ["inline markdown kept in titles and sections", "## Use `x` **now**\n- [ ] Add [link](http://a) and `code` *em*\n", [
    ["Add [link](http://a) and `code` *em*", false, 2, 0, undefined, "Use `x` **now**"],
  ]],
  ["multi-line task: title is the first line", "- [ ] first line\n  second line\n", [["first line", false, 1, 0]]],
  ["trailing spaces and hard breaks trimmed from titles", "- [ ] spaced   \n  next\n", [["spaced", false, 1, 0]]],
  ["CRLF", "# H\r\n\r\n- [ ] a\r\n  - [x] b\r\n", [["a", false, 3, 0, undefined, "H"], ["b", true, 4, 1, "a", "H"]]],
  ["CR only", "# H\r\r- [ ] a\r  - [x] b\r", [["a", false, 3, 0, undefined, "H"], ["b", true, 4, 1, "a", "H"]]],
  ["BOM", "\uFEFF- [ ] a\n", [["a", false, 1, 0]]],
  ["a second BOM is skipped too (as micromark does)", "\uFEFF\uFEFF- [ ] a\n", [["a", false, 1, 0]]],
  ["BOM is no front matter", "\uFEFF---\nx: 1\n---\n- [ ] a\n", [["a", false, 4, 0]]],
  ["emoji and non-ASCII before and in tasks", "# Über 🚀\n\n😀 ünïcödé\n\n- [ ] 日本語 ✅\n", [["日本語 ✅", false, 5, 0, undefined, "Über 🚀"]]],
  ["tables and task-like text in them", "| a | b |\n|---|---|\n| - [ ] x | y |\n\n- [ ] z\n", [["z", false, 5, 0]]],
  ["link reference definition named x does not hide a task", "[x]: /url\n\n- [x] a\n", [["a", true, 3, 0]]],
  ["escaped brackets", "- \\[ ] a\n", []],
  ["checkbox split over two lines (GitHub accepts it)", "- [\n  ] odd\n", [["odd", false, 1, 0]]],
  ["empty document", "", []],
];

describe("edge cases: exactly the items GitHub renders as checkboxes", () => {
  test.each(cases)("%s", (_name, markdown, expected) => {
    expect(rows(markdown)).toEqual(expected);
  });
});
