import { describe, expect, test } from "vitest";
import { parsePrd, setTaskChecked, UnknownTaskIdError } from "../src/index.js";

describe("parsePrd / setTaskChecked core", () => {
  test("finds tasks with depth, parent and section, and ticks one character", () => {
    const text = "# Plan\n\n- [ ] Add login\n  - [x] Hash passwords\n";
    const { tasks } = parsePrd(text);
    expect(tasks.map((t) => [t.title, t.checked, t.line, t.depth, t.section])).toEqual([
      ["Add login", false, 3, 0, "Plan"],
      ["Hash passwords", true, 4, 1, "Plan"],
    ]);
    expect(tasks[1]!.parentId).toBe(tasks[0]!.id);
    expect(Object.keys(tasks[1]!)).toEqual(["id", "title", "checked", "line", "depth", "parentId", "section"]);
    expect(setTaskChecked(text, tasks[0]!.id, true)).toBe(text.replace("- [ ] Add", "- [x] Add"));
    expect(() => setTaskChecked(text, "zzzzzz", true)).toThrow(UnknownTaskIdError);
  });
});
