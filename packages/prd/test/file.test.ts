import { chmod, lstat, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { parsePrd, PrdError, UnknownTaskIdError, updatePrdFile } from "../src/index.js";
import { updatePrdFileWithHooks } from "../src/file.js";

let dir: string;
let prd: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "csess-prd-"));
  prd = path.join(dir, "PRD.md");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const idOf = (text: string, title: string) => parsePrd(text).tasks.find((t) => t.title === title)!.id;
const leftovers = async () => (await readdir(dir)).filter((name) => name.endsWith(".tmp"));

describe("updatePrdFile", () => {
  test("ticks one box and keeps BOM, CRLF and the file mode", async () => {
    const text = "\uFEFF# Plan\r\n\r\n- [ ] Add login\r\n- [ ] Deploy\r\n";
    await writeFile(prd, text);
    await chmod(prd, 0o640);
    expect(await updatePrdFile(prd, idOf(text, "Deploy"), true)).toEqual({ changed: true });
    expect(await readFile(prd, "utf8")).toBe(text.replace("[ ] Deploy", "[x] Deploy"));
    expect((await stat(prd)).mode & 0o777).toBe(0o640);
    expect(await leftovers()).toEqual([]);
  });

  test("does not rewrite the file when the box is already in that state", async () => {
    await writeFile(prd, "- [x] Done\n");
    const before = await stat(prd);
    expect(await updatePrdFile(prd, idOf("- [x] Done\n", "Done"), true)).toEqual({ changed: false });
    expect((await stat(prd)).ino).toBe(before.ino);
  });

  test("a person's edit between read and rename survives; the task is found again by id", async () => {
    const original = "# Plan\n\n- [ ] Add login\n- [ ] Deploy\n";
    const edited = "# Plan\r\n\r\n- [ ] Brand new task\r\n- [ ] Add login with OAuth\r\n- [ ] Deploy\r\n";
    await writeFile(prd, original);
    const seen: number[] = [];
    const result = await updatePrdFileWithHooks(prd, idOf(original, "Deploy"), true, {}, {
      beforeCommit: async (attempt) => {
        seen.push(attempt);
        if (attempt === 1) await writeFile(prd, edited); // adds a task, rewords one, converts to CRLF
      },
    });
    expect(result).toEqual({ changed: true });
    expect(seen).toEqual([1, 2]);
    expect(await readFile(prd, "utf8")).toBe(edited.replace("[ ] Deploy", "[x] Deploy"));
    expect(await leftovers()).toEqual([]);
  });

  test("if the person ticked the same box meanwhile, nothing more is written", async () => {
    const original = "- [ ] Deploy\n";
    await writeFile(prd, original);
    const result = await updatePrdFileWithHooks(prd, idOf(original, "Deploy"), true, {}, {
      beforeCommit: (attempt) => (attempt === 1 ? writeFile(prd, "- [X] Deploy\n") : undefined),
    });
    expect(result).toEqual({ changed: false });
    expect(await readFile(prd, "utf8")).toBe("- [X] Deploy\n");
  });

  test("a task deleted meanwhile: UnknownTaskIdError, and the person's version stays", async () => {
    const original = "- [ ] Deploy\n- [ ] Other\n";
    await writeFile(prd, original);
    const update = updatePrdFileWithHooks(prd, idOf(original, "Deploy"), true, {}, {
      beforeCommit: (attempt) => (attempt === 1 ? writeFile(prd, "- [ ] Other\n") : undefined),
    });
    await expect(update).rejects.toBeInstanceOf(UnknownTaskIdError);
    expect(await readFile(prd, "utf8")).toBe("- [ ] Other\n");
    expect(await leftovers()).toEqual([]);
  });

  test("a file that keeps changing: gives up with a clear error after the attempts, overwriting nothing", async () => {
    await writeFile(prd, "- [ ] Deploy\n");
    const id = idOf("- [ ] Deploy\n", "Deploy");
    let edits = 0;
    const update = updatePrdFileWithHooks(prd, id, true, { attempts: 3 }, {
      beforeCommit: () => writeFile(prd, `- [ ] Deploy\n\nEdit ${++edits}\n`),
    });
    await expect(update).rejects.toThrow(/changed while being updated 3 times/);
    await expect(update).rejects.toBeInstanceOf(PrdError);
    expect(await readFile(prd, "utf8")).toBe("- [ ] Deploy\n\nEdit 3\n");
    expect(await leftovers()).toEqual([]);
  });

  test("parallel updates of different tasks from one process all land", async () => {
    const text = Array.from({ length: 20 }, (_, i) => `- [ ] Task ${i}`).join("\n") + "\n";
    await writeFile(prd, text);
    const ids = parsePrd(text).tasks.map((t) => t.id);
    const results = await Promise.all(ids.map((id) => updatePrdFile(prd, id, true)));
    expect(results.every((r) => r.changed)).toBe(true);
    expect(await readFile(prd, "utf8")).toBe(text.replaceAll("[ ]", "[x]"));
  });

  test("a symlinked PRD: the target is updated, the link stays a link", async () => {
    const real = path.join(dir, "real.md");
    await writeFile(real, "- [ ] Deploy\n");
    await symlink(real, prd);
    await updatePrdFile(prd, idOf("- [ ] Deploy\n", "Deploy"), true);
    expect((await lstat(prd)).isSymbolicLink()).toBe(true);
    expect(await readFile(real, "utf8")).toBe("- [x] Deploy\n");
  });

  test("refuses a file that is not valid UTF-8 rather than corrupt it", async () => {
    const bytes = Buffer.concat([Buffer.from("- [ ] Deploy "), Buffer.from([0xff, 0xfe]), Buffer.from("\n")]);
    await writeFile(prd, bytes);
    await expect(updatePrdFile(prd, idOf("- [ ] Deploy \uFFFD\uFFFD\n", "Deploy \uFFFD\uFFFD"), true)).rejects.toThrow(/not valid UTF-8/);
    expect((await readFile(prd)).equals(bytes)).toBe(true);
  });

  test("a missing file rejects with ENOENT", async () => {
    await expect(updatePrdFile(prd, "k3m9qa", true)).rejects.toMatchObject({ code: "ENOENT" });
  });
});
