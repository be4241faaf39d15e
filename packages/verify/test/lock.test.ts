import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { withRepoLock } from "../src/index.js";
import { LOCK_FILE, takeOverStale } from "../src/lock.js";
import { makeRepo, type TestRepo } from "./helpers.js";

let repo: TestRepo;
let lockPath: string;
beforeEach(() => {
  repo = makeRepo();
  repo.commit("init", { "a.txt": "a\n" });
  lockPath = join(repo.root, ".git", LOCK_FILE);
});
afterEach(() => repo.cleanup());

describe("withRepoLock", () => {
  it("runs callers in one process one at a time, in order", async () => {
    const log: string[] = [];
    let inside = 0;
    const job = (name: string) =>
      withRepoLock(repo.root, async () => {
        inside++;
        expect(inside).toBe(1);
        log.push(`start ${name}`);
        await new Promise((r) => setImmediate(r));
        log.push(`end ${name}`);
        inside--;
        return name;
      });
    expect(await Promise.all([job("a"), job("b"), job("c")])).toEqual(["a", "b", "c"]);
    expect(log).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
    expect(existsSync(lockPath)).toBe(false);
  });

  it("a caller asking to go first passes the waiting ones that did not (a landing before more starts), in call order among its kind", async () => {
    const log: string[] = [];
    let inside = 0;
    const job = (name: string, first?: boolean) =>
      withRepoLock(repo.root, async () => {
        inside++;
        expect(inside).toBe(1);
        log.push(name);
        await new Promise((r) => setImmediate(r));
        inside--;
      }, { first });
    await Promise.all([job("holder"), job("start 1"), job("start 2"), job("land 1", true), job("start 3"), job("land 2", true)]);
    expect(log).toEqual(["holder", "land 1", "land 2", "start 1", "start 2", "start 3"]);
    expect(existsSync(lockPath)).toBe(false);
  });

  it("is re-entrant within one call chain and releases after an error", async () => {
    const nested = await withRepoLock(repo.root, () => withRepoLock(repo.root, async () => "inner"));
    expect(nested).toBe("inner");
    await expect(withRepoLock(repo.root, async () => { throw new Error("boom"); })).rejects.toThrow("boom");
    expect(await withRepoLock(repo.root, async () => "after")).toBe("after");
  });

  it("waits for another process holding the lock file, then takes it", async () => {
    // The holder writes a marker before it deletes the lock file, so seeing the marker inside our lock
    // proves we waited. (Its exit event is no proof: under load it can arrive after we took the lock.)
    const marker = join(repo.root, "released-by-other");
    const child = spawn(process.execPath, ["-e", `
      const fs = require("node:fs");
      fs.writeFileSync(${JSON.stringify(lockPath)}, JSON.stringify({ pid: process.pid, host: require(\"node:os\").hostname(), nonce: "other", purpose: "test", since: "" }), { flag: "wx" });
      process.stdout.write("held\\n");
      setTimeout(() => { fs.writeFileSync(${JSON.stringify(marker)}, ""); fs.unlinkSync(${JSON.stringify(lockPath)}); }, 400);
    `], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise((r) => child.stdout.once("data", r));
    const inside = await withRepoLock(repo.root, async () => ({
      otherHadReleased: existsSync(marker),
      holder: JSON.parse(readFileSync(lockPath, "utf8")).pid,
    }));
    expect(inside).toEqual({ otherHadReleased: true, holder: process.pid });
    await new Promise((r) => (child.exitCode === null ? child.once("exit", r) : r(undefined)));
  }, 30_000);

  it("takes over a lock file left by a process that is gone", async () => {
    const dead = spawn(process.execPath, ["-e", ""]);
    const pid = dead.pid!;
    await new Promise((r) => dead.on("exit", r));
    writeFileSync(lockPath, JSON.stringify({ pid, host: hostname(), nonce: "dead", purpose: "crashed run", since: "" }));
    expect(await withRepoLock(repo.root, async () => JSON.parse(readFileSync(lockPath, "utf8")).pid)).toBe(process.pid);
  });

  it("times out with the holder's description when a live process keeps it", async () => {
    writeFileSync(lockPath, JSON.stringify({ pid: process.ppid, host: hostname(), nonce: "live", purpose: "a long merge", since: "x" }));
    await expect(withRepoLock(repo.root, async () => 1, { timeoutMs: 200 })).rejects.toThrow(/held by pid \d+ .*a long merge/);
  });

  it("a holder it may not signal (EPERM: another user's process) is alive, never taken over", async () => {
    // Mocked: these tests run as root, and root may signal every process, so EPERM cannot happen for real here.
    const holder = { pid: 999_999, host: hostname(), nonce: "other-user", purpose: "another user's merge", since: "x" };
    writeFileSync(lockPath, JSON.stringify(holder));
    const kill = vi.spyOn(process, "kill").mockImplementation((pid) => {
      if (pid === holder.pid) throw Object.assign(new Error("kill EPERM"), { code: "EPERM" });
      return true;
    });
    try {
      await expect(withRepoLock(repo.root, async () => 1, { timeoutMs: 200 })).rejects.toThrow(/held by pid 999999 .*another user's merge/);
    } finally {
      kill.mockRestore();
    }
    expect(JSON.parse(readFileSync(lockPath, "utf8")).nonce).toBe("other-user");
  });

  it("taking over a stale lock puts back a live one that replaced it meanwhile, and leaves nothing aside", async () => {
    const record = (nonce: string) => ({ pid: process.pid, host: hostname(), nonce, purpose: nonce, since: "x" });
    // Another process took the stale lock over first and holds its own now: the late taker must not drop it.
    writeFileSync(lockPath, JSON.stringify(record("live")));
    await takeOverStale(lockPath, record("stale"));
    expect(JSON.parse(readFileSync(lockPath, "utf8")).nonce).toBe("live");
    // Still the stale one: dropped.
    await takeOverStale(lockPath, record("live"));
    expect(existsSync(lockPath)).toBe(false);
    expect(readdirSync(join(repo.root, ".git")).filter((name) => name.includes(".stale-"))).toEqual([]);
  });
});
