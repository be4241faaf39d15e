import { describe, expect, test } from "vitest";
import { findTask, parsePrd, PrdError, setTaskChecked, UnknownTaskIdError } from "../src/index.js";
import { parseFresh } from "../src/parse.js";
import { diffRange, readCase } from "./fixtures.js";

const variants = ["everything.md", "everything-crlf.md", "everything-cr.md", "everything-bom-crlf.md"];

describe("fixtures/prd-cases/everything*.md", () => {
  test("the LF file has exactly the expected tasks", () => {
    const { tasks } = parsePrd(readCase("everything.md"));
    const titleOf = new Map(tasks.map((t) => [t.id, t.title]));
    expect(tasks.map((t) => [t.title, t.checked, t.line, t.depth, t.parentId && titleOf.get(t.parentId), t.section])).toEqual([
      ["Create `notes.sh` with an `add` command", false, 11, 0, undefined, "Phase 1: `core`"],
      ["Append the note with a timestamp", false, 12, 1, "Create `notes.sh` with an `add` command", "Phase 1: `core`"],
      ["Print usage on `--help`", true, 13, 1, "Create `notes.sh` with an `add` command", "Phase 1: `core`"],
      ["Pick a storage format (after: Create `notes.sh` with an `add` command)", true, 14, 0, undefined, "Phase 1: `core`"],
      ["Title on the next line", false, 15, 0, undefined, "Phase 1: `core`"],
      ["Ordered task", false, 17, 0, undefined, "Phase 1: `core`"],
      ["Paren-ordered task", false, 18, 0, undefined, "Phase 1: `core`"],
      ["Tab in the box", false, 19, 0, undefined, "Phase 1: `core`"],
      ["Quoted task", false, 21, 0, undefined, "Phase 1: `core`"],
      ["Nested quoted task", true, 22, 1, "Quoted task", "Phase 1: `core`"],
      ["Write tests", false, 39, 0, undefined, "Phase 1: `core`"],
      ["Write tests", false, 40, 0, undefined, "Phase 1: `core`"],
      ["Write tests", false, 45, 0, undefined, "Phase 2"],
      ["😀 Emoji task with ünïcödé", false, 46, 0, undefined, "Phase 2"],
      ["Tab-nested task", false, 47, 1, "😀 Emoji task with ünïcödé", "Phase 2"],
    ]);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(tasks.length);
  });

  test("CRLF, CR-only and BOM variants give the same tasks and ids", () => {
    const expected = parsePrd(readCase("everything.md")).tasks;
    for (const name of variants) expect(parsePrd(readCase(name)).tasks, name).toEqual(expected);
  });

  test.each(variants)("%s: ticking or unticking any task changes one character and keeps every other byte", (name) => {
    const text = readCase(name);
    const before = parseFresh(text).tasks.map((r) => r.task);
    for (const task of before) {
      const updated = setTaskChecked(text, task.id, !task.checked);
      const range = diffRange(text, updated)!;
      expect(range.endA - range.start, `${name} ${task.title}`).toBe(1);
      expect(range.endB - range.start).toBe(1);
      expect(text.slice(range.start, range.endA)).toMatch(task.checked ? /^[xX]$/ : /^[ \t]$/);
      expect(updated[range.start]).toBe(task.checked ? " " : "x");
      expect(Buffer.byteLength(updated)).toBe(Buffer.byteLength(text)); // same bytes around it, BOM kept
      expect(updated.startsWith("\uFEFF")).toBe(text.startsWith("\uFEFF"));
      const after = parseFresh(updated).tasks.map((r) => r.task);
      expect(after).toEqual(before.map((t) => (t.id === task.id ? { ...t, checked: !t.checked } : t)));
    }
  });

  test("mixed line endings survive byte for byte", () => {
    const text = readCase("mixed-line-endings.md");
    const tasks = parsePrd(text).tasks;
    expect(tasks.map((t) => [t.title, t.line])).toEqual([["CRLF task", 3], ["LF task", 4], ["CR task", 5]]);
    let updated = text;
    for (const task of tasks) updated = setTaskChecked(updated, task.id, !task.checked);
    expect(updated).toBe("# Mixed endings\r\n\r\n- [x] CRLF task\n- [ ] LF task\r- [x] CR task\r\n");
  });
});

describe("setTaskChecked", () => {
  const text = "- [ ] open\n- [x] done\n- [X] DONE\n- [\t] tabbed\n";
  const ids = () => Object.fromEntries(parsePrd(text).tasks.map((t) => [t.title, t.id]));

  test("returns the same text when the box is already in that state; an X stays X", () => {
    expect(setTaskChecked(text, ids()["open"]!, false)).toBe(text);
    expect(setTaskChecked(text, ids()["done"]!, true)).toBe(text);
    expect(setTaskChecked(text, ids()["DONE"]!, true)).toBe(text);
  });

  test("unticks x and X to a space, ticks a space or a tab to x", () => {
    expect(setTaskChecked(text, ids()["DONE"]!, false)).toBe(text.replace("[X]", "[ ]"));
    expect(setTaskChecked(text, ids()["done"]!, false)).toBe(text.replace("[x]", "[ ]"));
    expect(setTaskChecked(text, ids()["tabbed"]!, true)).toBe(text.replace("[\t]", "[x]"));
  });

  test("accepts ids typed in upper case or with o/0 and l/1 mixed up", () => {
    const id = ids()["open"]!;
    const typed = id.toUpperCase().replace(/0/g, "O").replace(/1/g, "l");
    expect(setTaskChecked(text, typed, true)).toBe(text.replace("[ ] open", "[x] open"));
  });

  test("an unknown id: the error names it, what an id looks like, and the nearest ids and titles", () => {
    const prd = "- [ ] Add login page\n- [ ] Deploy to staging\n";
    const [login] = parsePrd(prd).tasks;
    const typo = login!.id.slice(0, 5) + (login!.id[5] === "z" ? "y" : "z");
    const error = catchError(() => setTaskChecked(prd, typo, true));
    expect(error).toBeInstanceOf(UnknownTaskIdError);
    expect(error.message).toContain(`Unknown task id "${typo}"`);
    expect(error.message).toMatch(/6 characters from 0-9 and a-z, e\.g\. "[0-9a-z]{6}"/);
    expect(error.message).toContain(`Nearest matches: ${login!.id} "Add login page"`);
    expect((error as UnknownTaskIdError).suggestions[0]).toBe(`${login!.id} "Add login page"`);
    const byTitle = catchError(() => setTaskChecked(prd, "deploy", true));
    expect(byTitle.message).toContain(`"Deploy to staging"`);
    expect(byTitle.message).not.toContain("Add login page");
  });

  test("an unknown id in a PRD without tasks says so", () => {
    expect(catchError(() => setTaskChecked("# Nothing\n", "k3m9qa", true)).message).toContain("this PRD has no tasks");
  });

  test("refuses to tick a checkbox whose brackets are on different lines instead of joining the lines", () => {
    const odd = "- [\n  ] odd\n";
    const [task] = parsePrd(odd).tasks;
    expect(() => setTaskChecked(odd, task!.id, true)).toThrow(PrdError);
    expect(setTaskChecked(odd, task!.id, false)).toBe(odd);
  });

  test("the memo of the last text never changes what a fresh parse says", () => {
    let current = readCase("everything-crlf.md");
    for (const task of parsePrd(current).tasks) {
      current = setTaskChecked(current, task.id, true);
      expect(parsePrd(current)).toEqual({ tasks: parseFresh(current).tasks.map((r) => r.task) });
    }
    expect(parsePrd(current).tasks.every((t) => t.checked)).toBe(true);
  });

  test("astral characters (emoji) before a task: the splice lands on the box, not beside it", () => {
    const prd = "# 🚀🚀\n\n😀 text 👩‍👩‍👧\n\n- [ ] 😀 first\n- [ ] second 日本\n";
    for (const task of parsePrd(prd).tasks) {
      const updated = setTaskChecked(prd, task.id, true);
      expect(updated).toBe(prd.replace(`[ ] ${task.title}`, `[x] ${task.title}`));
      expect(Buffer.byteLength(updated)).toBe(Buffer.byteLength(prd));
    }
  });

  test("findTask: the same loose matching and error as setTaskChecked", () => {
    const tasks = parsePrd(text).tasks;
    expect(findTask(tasks, ids()["open"]!.toUpperCase())).toBe(tasks[0]);
    expect(() => findTask(tasks, "open")).toThrow(/Unknown task id "open"[\s\S]*Nearest matches: \w{6} "open"/);
  });

  test("parsePrd returns copies: mutating them does not affect later calls", () => {
    const first = parsePrd(text).tasks[0]!;
    first.checked = true;
    first.title = "changed";
    expect(parsePrd(text).tasks[0]).toMatchObject({ checked: false, title: "open" });
  });
});

function catchError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected an error");
}
