// The claim that keeps a late ssh start (of a csess killed while starting) from running a task twice:
// a waiter that finds no start gives the directory up for good; a start under way is waited for.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { within } from "../../../fixtures/sshd/sshd.js";
import { claimFile, claimForStart, markStartDone, settleStartBeforeWait } from "../src/start-claim.js";

describe("start claims on a host's state directory", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "csc-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("a wait before any start arrived gives the directory up: the late start refuses", async () => {
    const stateDir = path.join(dir, "late");
    await settleStartBeforeWait(stateDir);
    await expect(claimForStart(stateDir)).rejects.toThrow(/a resumed csess gave it up/);
  });

  it("a start claims first and marks done; a later wait does not wait and does not abandon", async () => {
    const stateDir = path.join(dir, "normal");
    expect(await claimForStart(stateDir)).toBe(true);
    await markStartDone(stateDir);
    const started = Date.now();
    await settleStartBeforeWait(stateDir);
    expect(Date.now() - started).toBeLessThan(10_000); // an under-way start would hold it 30 s; a loaded machine may take a second
    // A retry of the same start (no session.json was written): it may start.
    expect(await claimForStart(stateDir)).toBe(true);
  });

  it("a wait while a start is under way waits until the starting process is gone", async () => {
    const stateDir = path.join(dir, "under-way");
    const starter = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      await mkdir(stateDir, { recursive: true });
      await writeFile(claimFile(stateDir), JSON.stringify({ by: "start", pid: starter.pid }));
      let settled = false;
      const waiting = settleStartBeforeWait(stateDir).then(() => (settled = true));
      await new Promise((r) => setTimeout(r, 1500));
      expect(settled).toBe(false);
      starter.kill("SIGKILL");
      await within(waiting, 10_000, "the wait for a start whose process was killed");
      expect(settled).toBe(true);
    } finally {
      starter.kill("SIGKILL");
    }
  }, 30_000);

  it("a session of a csess from before claims (session.json, no claim) is left as it is", async () => {
    const stateDir = path.join(dir, "old");
    await mkdir(stateDir, { recursive: true });
    await writeFile(path.join(stateDir, "session.json"), "{}");
    await settleStartBeforeWait(stateDir);
    expect(existsSync(claimFile(stateDir))).toBe(false);
  });
});
