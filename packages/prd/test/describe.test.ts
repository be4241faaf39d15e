import { describe, expect, test } from "vitest";
import { describeTasks, parsePrd, PrdError } from "../src/index.js";
import { readCase } from "./fixtures.js";

const prd = [
  "# Notes app",
  "",
  "A tiny notes CLI.",
  "",
  "## Core",
  "",
  "Everything lives in `notes.sh`.",
  "",
  "- [ ] Storage",
  "  - [ ] Pick a format",
  "  - [x] Create the file",
  "- [ ] Add command",
  "  Appends a line with a timestamp.",
  "  - [ ] Validate input",
  "- [ ] List command (after: Add command)",
  "  - note: sort by date",
  "- plain bullet stays in the section text",
  "",
  "## Ship",
  "",
  "- [ ] Release",
  "",
  "  ```sh",
  "  ./release.sh",
  "  ```",
  "",
].join("\r\n");

const byTitle = () => Object.fromEntries(describeTasks(prd).map((d) => [d.title.replace(/ \(after.*\)/, ""), d]));

describe("describeTasks", () => {
  test("gives every contract field unchanged, plus the details", () => {
    const details = describeTasks(prd);
    expect(details.map(({ id, title, checked, line, depth, parentId, section }) => ({ id, title, checked, line, depth, parentId, section })))
      .toEqual(parsePrd(prd).tasks.map((t) => ({ parentId: undefined, section: undefined, ...t })));
  });

  test("childIds lists the direct child tasks in order", () => {
    const d = byTitle();
    expect(d["Storage"]!.childIds).toEqual([d["Pick a format"]!.id, d["Create the file"]!.id]);
    expect(d["Pick a format"]!.childIds).toEqual([]);
  });

  test("ownText: false for a parent that is just its children, true with extra lines, blocks or plain bullets", () => {
    const d = byTitle();
    expect(d["Storage"]!.ownText).toBe(false);
    expect(d["Pick a format"]!.ownText).toBe(false);
    expect(d["Add command"]!.ownText).toBe(true); // a second line
    expect(d["List command"]!.ownText).toBe(true); // a non-task bullet
    expect(d["Release"]!.ownText).toBe(true); // a code block
  });

  test("body is the item's own source with \\n line endings, without the indent or > of its container", () => {
    const d = byTitle();
    expect(d["Add command"]!.body).toBe("- [ ] Add command\n  Appends a line with a timestamp.\n  - [ ] Validate input");
    expect(d["Validate input"]!.body).toBe("- [ ] Validate input");
    expect(d["Release"]!.body).toBe("- [ ] Release\n\n  ```sh\n  ./release.sh\n  ```");
  });

  test("sectionText is the heading and the section's non-task text", () => {
    const d = byTitle();
    expect(d["Pick a format"]!.sectionText).toBe("## Core\n\nEverything lives in `notes.sh`.\n\n- plain bullet stays in the section text");
    expect(d["Release"]!.sectionText).toBe("## Ship");
    expect(describeTasks("Intro.\n\n- [ ] a\n\n# Later\n")[0]!.sectionText).toBe("Intro.");
  });

  test("after: resolves ids and exact titles; several refs and annotations; none by default", () => {
    const d = byTitle();
    expect(d["List command"]!.after).toEqual([d["Add command"]!.id]);
    expect(d["Storage"]!.after).toEqual([]);
    const [a, b, c] = parsePrd("- [ ] A\n- [ ] B\n- [ ] C\n").tasks.map((t) => t.id);
    const annotated = describeTasks(`- [ ] A\n- [ ] B (after: ${a!.toUpperCase()})\n- [ ] C (after: a, ${b}) (after: ${a})\n`);
    expect(annotated.map((t) => t.id)).toEqual([a, b, c]); // annotations do not change ids
    expect(annotated.map((t) => t.after)).toEqual([[], [a], [a, b, a]]);
  });

  test("after: an annotation on the item's second line counts too", () => {
    const [a] = parsePrd("- [ ] A\n").tasks.map((t) => t.id);
    expect(describeTasks("- [ ] A\n- [ ] B\n  (after: A)\n")[1]).toMatchObject({ after: [a], ownText: false });
  });

  test("after: unknown, ambiguous and self references are clear errors", () => {
    expect(() => describeTasks("- [ ] A\n- [ ] B (after: Aa)\n")).toThrow(/"\(after: Aa\)", but no task has that id or title.*Nearest: \w{6} "A"/);
    expect(() => describeTasks("- [ ] A\n- [ ] A\n- [ ] B (after: A)\n")).toThrow(/2 tasks have that title/);
    expect(() => describeTasks("- [ ] B (after: B)\n")).toThrow(PrdError);
  });

  test("the big fixture describes without errors and agrees with parsePrd", () => {
    const text = readCase("everything-bom-crlf.md");
    const details = describeTasks(text);
    expect(details.map((d) => d.id)).toEqual(parsePrd(text).tasks.map((t) => t.id));
    const pick = details.find((d) => d.title.startsWith("Pick a storage format"))!;
    expect(pick.after).toEqual([details[0]!.id]);
    expect(details.find((d) => d.title === "Quoted task")!.body).toBe("- [ ] Quoted task\n  - [x] Nested quoted task");
  });
});
