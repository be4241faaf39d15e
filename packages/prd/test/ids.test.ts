import { describe, expect, test } from "vitest";
import { ID_PATTERN, parsePrd } from "../src/index.js";

const idsByTitle = (text: string) => Object.fromEntries(parsePrd(text).tasks.map((t) => [t.title, t.id]));
const idList = (text: string) => parsePrd(text).tasks.map((t) => t.id);

const base = "# Plan\n\n- [ ] Add login\n  - [ ] Hash passwords\n- [ ] Deploy\n\n## Later\n\n- [x] Write docs\n";

describe("stable ids", () => {
  test("are 6 typeable characters (0-9, a-z without i l o u)", () => {
    for (const id of idList(base)) expect(id).toMatch(ID_PATTERN);
    expect(ID_PATTERN.test("k3m9qa")).toBe(true);
    expect(ID_PATTERN.test("k3m9qi")).toBe(false);
  });

  test("do not change when tasks and text are inserted above", () => {
    const before = idsByTitle(base);
    const inserted = "Intro paragraph.\n\n- [ ] Brand new first task\n\n" + base.replace("- [ ] Deploy", "- [ ] Set up CI\n- [ ] Deploy");
    expect(idsByTitle(inserted)).toMatchObject(before);
  });

  test("do not change when other tasks are reordered, removed or reworded, or boxes ticked", () => {
    const before = idsByTitle(base);
    const reordered = "# Plan\n\n- [x] Deploy\n- [ ] Add sign-in\n\n## Later\n\n- [ ] Write docs\n  - [ ] Hash passwords\n";
    const after = idsByTitle(reordered);
    expect(after["Deploy"]).toBe(before["Deploy"]);
    expect(after["Write docs"]).toBe(before["Write docs"]);
    expect(after["Hash passwords"]).toBe(before["Hash passwords"]);
    expect(after["Add sign-in"]).not.toBe(before["Add login"]); // its own title changed
  });

  test("do not change across CRLF, CR and BOM", () => {
    const ids = idList(base);
    expect(idList(base.replace(/\n/g, "\r\n"))).toEqual(ids);
    expect(idList(base.replace(/\n/g, "\r"))).toEqual(ids);
    expect(idList("\uFEFF" + base)).toEqual(ids);
  });

  test("do not change with marker, indent, case or spacing changes of the title", () => {
    const ids = idsByTitle("- [ ] Add   login\n");
    expect(idList("1. [x] add login  \n")).toEqual([ids["Add   login"]]);
    expect(idList("> * [X]   Add login\n")).toEqual([ids["Add   login"]]);
  });

  test("do not change when a dependency annotation is added to the title", () => {
    const [login, deploy] = idList("- [ ] Add login\n- [ ] Deploy\n");
    expect(idList(`- [ ] Add login\n- [ ] Deploy (after: ${login})\n`)).toEqual([login, deploy]);
    expect(idList(`- [ ] Add login\n- [ ] Deploy (After:Add login, ${login}) now\n`)[1]).toBe(
      idList("- [ ] Add login\n- [ ] Deploy now\n")[1],
    );
  });

  test("duplicate titles get distinct ids that stay put when other tasks move", () => {
    const dup = "# A\n- [ ] Write tests\n- [ ] Write tests\n# B\n- [ ] Write tests\n- [ ] Other\n";
    const ids = idList(dup);
    expect(new Set(ids).size).toBe(4);
    const moved = "Preface\n\n- [ ] New task\n\n# A\n- [ ] Write tests\n- [ ] Other\n- [ ] Write tests\n# B\n- [ ] Write tests\n";
    const movedIds = idList(moved);
    expect(movedIds).toEqual([expect.any(String), ids[0], ids[3], ids[1], ids[2]]);
  });

  test("the first occurrence of a title keeps its id when a duplicate is added below it", () => {
    const [first] = idList("- [ ] Write tests\n");
    expect(idList("- [ ] Write tests\n- [ ] Write tests\n")[0]).toBe(first);
  });

  test("duplicates under different parents differ; the first in document order holds the plain title id", () => {
    const text = "- [ ] Login\n  - [ ] Write tests\n- [ ] Signup\n  - [ ] Write tests\n";
    const [login, loginTests, signup, signupTests] = idList(text);
    expect(new Set([login, loginTests, signup, signupTests]).size).toBe(4);
    expect(loginTests).toBe(idList("- [ ] Write tests\n")[0]);
    // Documented caveat (README "Task ids"): swapping the parents swaps which duplicate is first.
    const swapped = idList("- [ ] Signup\n  - [ ] Write tests\n- [ ] Login\n  - [ ] Write tests\n");
    expect(swapped).toEqual([signup, loginTests, login, expect.not.stringMatching(new RegExp(`^(${loginTests})$`))]);
  });

  test("stay distinct in a 10,000-task PRD (hash clashes are resolved)", () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => `- [ ] Task number ${i}`);
    const ids = idList(lines.join("\n"));
    expect(new Set(ids).size).toBe(10_000);
    for (const id of ids) expect(id).toMatch(ID_PATTERN);
  }, 120_000); // a big parse on a shared 2-core machine: checks behaviour, not speed
});
