import { describe, expect, test } from "vitest";
import { describeTasks, parsePrd } from "../src/index.js";
import { parseFresh } from "../src/parse.js";

// Its own file, and the first parse here that needs micromark: the markdown processor is built once per
// test file, on the first such parse, so only then does a test see how it was configured.
describe("front matter", () => {
  test("YAML front matter is neither a heading nor a section name", () => {
    const text = "---\ntitle: Plan\n---\n- [ ] a\n\n# Real\n\n- [ ] b\n";
    const doc = parseFresh(text);
    expect(doc.frontMatter).toEqual([{ startLine: 1, endLine: 3 }]);
    expect(doc.headings).toEqual([{ line: 6, text: "Real" }]);
    expect(parsePrd(text).tasks.map((t) => [t.title, t.section])).toEqual([
      ["a", undefined],
      ["b", "Real"],
    ]);
    expect(describeTasks(text)[0]!.sectionText).toBe("");
  });
});
