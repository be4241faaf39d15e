import { chmod, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { describeTasks, parsePrd, PrdError, updatePrdFile } from "../src/index.js";
import { updatePrdFileWithHooks } from "../src/file.js";

describe("ids ignore how a title is typed", () => {
  test("composed and decomposed accents, and (after: ...) anywhere in the title, give the same id", () => {
    const composed = parsePrd("- [ ] Caf\u00e9 menu\n").tasks[0]!.id;
    expect(parsePrd("- [ ] Cafe\u0301 menu\n").tasks[0]!.id).toBe(composed);
    expect(parsePrd("- [ ] Caf\u00e9 ( AFTER : x ) menu\n").tasks[0]!.id).toBe(composed);
  });
});

describe("sections", () => {
  test("an empty heading ends the section before it: the tasks under it have none", () => {
    for (const text of ["# Top\n\n#\n\n- [ ] a\n", "# Top\n\n# \n- [ ] a\n", "Top\n===\n\n#\n- [ ] a\n"]) {
      expect(parsePrd(text).tasks[0], JSON.stringify(text)).not.toHaveProperty("section");
    }
  });

  test("a heading's text is its words as written, whitespace collapsed", () => {
    expect(parsePrd("##   Use  `x`   *now*  \n- [ ] a\n").tasks[0]!.section).toBe("Use `x` *now*");
    expect(parsePrd("> # In a quote\n\n- [ ] a\n").tasks[0]!.section).toBe("In a quote");
  });
});

describe("describeTasks details", () => {
  test("sectionText: front matter and task lines left out, blank runs collapsed, trailing spaces trimmed", () => {
    const text = "---\ntitle: x\n---\n\nIntro.   \n\n\n\nMore.\n- [ ] a\n  continued\n\n\n# Next\n\nNext text.\n\n\n";
    const [a] = describeTasks(text);
    expect(a!.sectionText).toBe("Intro.\n\nMore.");
    expect(describeTasks(`${text}- [ ] b\n`)[1]!.sectionText).toBe("# Next\n\nNext text.");
  });

  test("body: continuation lines lose the item's indent and quote markers, not more", () => {
    const [quoted] = describeTasks("> - [ ] quoted\n>   more\n>     deeper\n");
    expect(quoted!.body).toBe("- [ ] quoted\n  more\n    deeper");
    const nested = describeTasks("- [ ] a\n  - [ ] b\n    text\n      code-ish\n")[1]!;
    expect(nested.body).toBe("- [ ] b\n  text\n    code-ish");
  });

  test("ownText: a second line that is only an annotation is not own text; one with words is", () => {
    expect(describeTasks("- [ ] A\n- [ ] B\n  (after: A)\n")[1]!.ownText).toBe(false);
    expect(describeTasks("- [ ] A\n- [ ] B\n  (after: A) and more\n")[1]!.ownText).toBe(true);
    expect(describeTasks("- [ ] A\n  > quoted detail\n")[0]!.ownText).toBe(true);
  });
});

describe("updatePrdFile details", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });
  const tempPrd = async (text: string) => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "csess-prd-details-"));
    dirs.push(dir);
    const file = path.join(dir, "PRD.md");
    await writeFile(file, text);
    return file;
  };

  test("keeps a mode wider than the umask allows for new files (0666)", async () => {
    const file = await tempPrd("- [ ] a\n");
    await chmod(file, 0o666);
    await updatePrdFile(file, parsePrd("- [ ] a\n").tasks[0]!.id, true);
    expect((await stat(file)).mode & 0o777).toBe(0o666);
  });

  test("tries five times by default, then names the file in the error", async () => {
    const file = await tempPrd("- [ ] a\n");
    const attempts: number[] = [];
    const update = updatePrdFileWithHooks(file, parsePrd("- [ ] a\n").tasks[0]!.id, true, {}, {
      beforeCommit: async (attempt) => {
        attempts.push(attempt);
        await writeFile(file, `- [ ] a\n\nedit ${attempt}\n`);
      },
    });
    await expect(update).rejects.toThrow(`Could not update ${file}: it changed while being updated 5 times in a row.`);
    expect(attempts).toEqual([1, 2, 3, 4, 5]);
  });

  test("a failed update does not block the next one for the same file", async () => {
    const file = await tempPrd("- [ ] a\n");
    await expect(updatePrdFile(file, "zzzzzz", true)).rejects.toThrow(PrdError);
    await expect(updatePrdFile(file, parsePrd("- [ ] a\n").tasks[0]!.id, true)).resolves.toEqual({ changed: true });
    expect(await readFile(file, "utf8")).toBe("- [x] a\n");
  });

  test("the not-UTF-8 error names the file", async () => {
    const file = await tempPrd("");
    await writeFile(file, Buffer.from([0x2d, 0x20, 0xff, 0x0a]));
    await expect(updatePrdFile(file, "zzzzzz", true)).rejects.toThrow(`Cannot update ${file}: it is not valid UTF-8`);
  });
});
