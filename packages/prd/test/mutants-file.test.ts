import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";

// What updatePrdFile does with the file system beyond the resulting bytes: every file it opens is
// closed again (a long-running runner must not leak descriptors), the new content and the directory
// entry are flushed to disk (a crash right after must not lose the tick), and updates of one file
// from this process run one after another. node:fs/promises is wrapped to watch those calls.
interface Opened {
  file: string;
  flags: string;
  synced: boolean;
  closed: boolean;
}
const log = { opened: [] as Opened[], reads: [] as string[], onRealpath: [] as (() => void)[] };
vi.mock("node:fs/promises", async (importOriginal) => {
  const fs = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...fs,
    open: async (file: string, flags: string, mode?: number) => {
      const handle = await fs.open(file, flags, mode);
      const entry: Opened = { file: String(file), flags, synced: false, closed: false };
      log.opened.push(entry);
      const sync = handle.sync.bind(handle);
      const close = handle.close.bind(handle);
      handle.sync = async () => {
        await sync();
        entry.synced = true;
      };
      handle.close = async () => {
        await close();
        entry.closed = true;
      };
      return handle;
    },
    readFile: (file: string, ...rest: unknown[]) => {
      log.reads.push(String(file));
      return (fs.readFile as (...args: unknown[]) => Promise<unknown>)(file, ...rest);
    },
    realpath: async (file: string) => {
      const real = await fs.realpath(file);
      for (const resolved of log.onRealpath.splice(0)) resolved();
      return real;
    },
  };
});

const { parsePrd, updatePrdFile } = await import("../src/index.js");
const { updatePrdFileWithHooks } = await import("../src/file.js");

let dir: string;
let prd: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "csess-prd-mut-"));
  prd = path.join(dir, "PRD.md");
  log.opened = [];
  log.reads = [];
  log.onRealpath = [];
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const idOf = (text: string, title: string) => parsePrd(text).tasks.find((t) => t.title === title)!.id;
const macrotask = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Settles when the next realpath call has its answer, just before the caller gets it. */
const nextRealpath = () => new Promise<void>((resolve) => log.onRealpath.push(resolve));

describe("updatePrdFile and the file system", () => {
  test("the temporary file and the directory are both fsync'd and closed", async () => {
    const text = "- [ ] Deploy\n";
    await writeFile(prd, text);
    expect(await updatePrdFile(prd, idOf(text, "Deploy"), true)).toEqual({ changed: true });
    const real = await (await import("node:fs/promises")).realpath(dir);
    expect(log.opened).toEqual([
      { file: expect.stringMatching(/\.PRD\.md\.csess-[0-9a-f]{8}\.tmp$/), flags: "wx", synced: true, closed: true },
      { file: real, flags: "r", synced: true, closed: true },
    ]);
  });

  test("every opened file is closed also when an update is retried", async () => {
    const text = "- [ ] Deploy\n";
    await writeFile(prd, text);
    await updatePrdFileWithHooks(prd, idOf(text, "Deploy"), true, {}, {
      beforeCommit: (attempt) => (attempt === 1 ? writeFile(prd, "# Edited\n\n- [ ] Deploy\n") : undefined),
    });
    expect(await readFile(prd, "utf8")).toBe("# Edited\n\n- [x] Deploy\n");
    expect(log.opened.map((o) => [o.flags, o.closed])).toEqual([
      ["wx", true],
      ["wx", true],
      ["r", true],
    ]);
  });

  test("the error after too many concurrent edits says what to do", async () => {
    await writeFile(prd, "- [ ] Deploy\n");
    let edits = 0;
    const update = updatePrdFileWithHooks(prd, idOf("- [ ] Deploy\n", "Deploy"), true, { attempts: 2 }, {
      beforeCommit: () => writeFile(prd, `- [ ] Deploy\n\nEdit ${++edits}\n`),
    });
    await expect(update).rejects.toThrow(
      `Could not update ${prd}: it changed while being updated 2 times in a row. ` +
        `Expected it to stay unchanged for a moment; try again when editors and agents are done saving.`,
    );
    expect(log.opened.every((o) => o.closed)).toBe(true);
  });

  test("an update started while another is still committing waits for it, also after an earlier one finished", async () => {
    // A, then B (queued behind A). While B sits in its commit hook, after A has finished, C starts: it
    // must not read the file before B is done. Updates queue in the order their paths resolve, so B
    // starts once A has its path (A then queues in the same turn, before B's path lookup can answer).
    // Whether C read is checked once C has its path (or has settled) and every microtask after that
    // has run: C's next step, queueing or reading, takes no I/O, so it has happened one macrotask later.
    // No count of turns and no clock, which a slow file system could outrun.
    const text = "- [ ] A\n- [ ] B\n- [ ] C\n";
    await writeFile(prd, text);
    let readsByC = -1;
    const aResolved = nextRealpath();
    const a = updatePrdFile(prd, idOf(text, "A"), true);
    await aResolved;
    let c: Promise<unknown> | undefined;
    const b = updatePrdFileWithHooks(prd, idOf(text, "B"), true, {}, {
      beforeCommit: async (attempt) => {
        if (attempt > 1) return;
        await a;
        const readsBefore = log.reads.length;
        const cResolved = nextRealpath();
        c = updatePrdFile(prd, idOf(text, "C"), true);
        await Promise.race([cResolved, c]);
        await macrotask();
        readsByC = log.reads.length - readsBefore;
      },
    });
    await b;
    await c;
    expect(readsByC).toBe(0);
    expect(await readFile(prd, "utf8")).toBe("- [x] A\n- [x] B\n- [x] C\n");
  });
});
