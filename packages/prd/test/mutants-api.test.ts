import { describe, expect, test } from "vitest";
import { describeTasks, findTask, parsePrd, PrdError, setTaskChecked, UnknownTaskIdError } from "../src/index.js";
import { parseFresh } from "../src/parse.js";
import { thrown } from "./fixtures.js";


describe("unknown ids and dependencies list their nearest tasks readably", () => {
  const prd = "- [ ] Add login page\n- [ ] Add login form\n- [ ] Deploy\n";
  const [page, form] = parsePrd(prd).tasks;

  test("a three-letter piece of a title is enough to suggest it", () => {
    const error = thrown(() => findTask(parsePrd(prd).tasks, "log")) as UnknownTaskIdError;
    expect(error.suggestions).toEqual([`${page!.id} "Add login page"`, `${form!.id} "Add login form"`]);
  });

  test("several suggestions are separated by commas in the message", () => {
    expect(thrown(() => findTask(parsePrd(prd).tasks, "login")).message).toContain(
      `Nearest matches: ${page!.id} "Add login page", ${form!.id} "Add login form".`,
    );
    expect(thrown(() => describeTasks(`${prd}- [ ] Ship (after: login)\n`)).message).toContain(
      `Nearest: ${page!.id} "Add login page", ${form!.id} "Add login form".`,
    );
  });
});

describe("checkbox edits", () => {
  test("the error for brackets on different lines says so and shows a one-line checkbox", () => {
    const odd = "- [\n  ] odd\n";
    const [task] = parsePrd(odd).tasks;
    const error = thrown(() => setTaskChecked(odd, task!.id, true));
    expect(error).toBeInstanceOf(PrdError);
    expect(error.message).toBe(
      `Cannot tick task ${task!.id} "odd" (line 1): its "[" and "]" are on different lines. ` +
        `Expected a checkbox on one line, e.g. "- [ ] odd".`,
    );
  });
});

describe("task details", () => {
  test("an empty ref in an annotation (a trailing comma, doubled commas) is ignored", () => {
    const [a, b] = parsePrd("- [ ] A\n- [ ] B\n- [ ] C\n").tasks.map((t) => t.id);
    expect(describeTasks("- [ ] A\n- [ ] B\n- [ ] C (after: A, ,B, )\n")[2]!.after).toEqual([a, b]);
  });

  test("a task on the last line of a PRD without a final newline is not section text", () => {
    expect(describeTasks("Intro.\n\n- [ ] a")[0]!.sectionText).toBe("Intro.");
    expect(describeTasks("- [ ] a")[0]!.sectionText).toBe("");
  });

  test("a section's text runs to the line right before the next heading, and to the last line of the PRD", () => {
    const details = describeTasks("# A\n\n- [ ] t\n\nNotes for A.\n# B\n\n- [ ] u\n\nNotes for B.");
    expect(details.map((d) => d.sectionText)).toEqual(["# A\n\nNotes for A.", "# B\n\nNotes for B."]);
  });
});

describe("titles", () => {
  test("a title on the line after the box, with no indent (a lazy line), starts at its first character", () => {
    expect(parsePrd("- [ ]\nTitle\n").tasks.map((t) => t.title)).toEqual(["Title"]);
    expect(parsePrd("- [ ]\rTitle\r").tasks.map((t) => t.title)).toEqual(["Title"]);
    expect(parsePrd("- [ ]\r\nTitle\r\n").tasks.map((t) => t.title)).toEqual(["Title"]);
  });

  test("a tab at the end of a title line followed by more of the paragraph is trimmed", () => {
    expect(parsePrd("- [ ] title\t\n  more\n").tasks.map((t) => t.title)).toEqual(["title"]);
    expect(parsePrd("- [ ] title \t \n  more\n").tasks.map((t) => t.title)).toEqual(["title"]);
  });
});

describe("the checkbox line of an item whose box is on the line after its marker", () => {
  // micromark reads these (the scanner declines an item of only a marker); the line is the box's, not the marker's.
  test.each([
    ["LF", "-\n  [ ] Task\n"],
    ["CRLF", "-\r\n  [ ] Task\r\n"],
    ["CR", "-\r  [ ] Task\r"],
  ])("%s", (_, text) => {
    expect(parsePrd(text).tasks.map((t) => [t.title, t.line])).toEqual([["Task", 2]]);
    expect(parsePrd(`# H\n\nIntro\n\n${text}`).tasks.map((t) => [t.title, t.line])).toEqual([["Task", 6]]);
  });

  test("inside a block quote", () => {
    expect(parsePrd("> -\n>   [ ] quoted\n").tasks.map((t) => [t.title, t.line])).toEqual([["quoted", 2]]);
  });
});

describe("parse options", () => {
  test("scan: false sends every piece to micromark (so the agreement tests compare two parsers)", () => {
    const text = "# Plan\n\n- [ ] a\n- [x] b\n";
    const off = { scanned: 0, micromark: 0 };
    const on = { scanned: 0, micromark: 0 };
    const withoutScanner = parseFresh(text, { scan: false, stats: off });
    const withScanner = parseFresh(text, { stats: on });
    expect(off).toEqual({ scanned: 0, micromark: text.length });
    expect(on).toEqual({ scanned: text.length, micromark: 0 });
    expect(withoutScanner.tasks.map((r) => r.task)).toEqual(withScanner.tasks.map((r) => r.task));
  });
});
