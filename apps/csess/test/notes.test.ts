import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { DailyNotes, defaultNotesPattern, notesPath, upsertEntry } from "../src/notes.js";
import { makeCliSandbox } from "./tmux-helpers.js";
import { waitFor } from "./run-helpers.js";

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

describe("daily notes", () => {
  it("names the file after the local date", () => {
    expect(notesPath("memory/{date}.md", "/repo", new Date(2026, 10, 21, 23, 59))).toBe("/repo/memory/2026-11-21.md");
    expect(notesPath("/abs/{date}.txt", "/repo", new Date(2026, 0, 2))).toBe("/abs/2026-01-02.txt");
  });

  it("goes to the OpenClaw workspace's memory folder when there is one, else to $CSESS_HOME/notes — never the repository", () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "csess-notes-"));
    const home = path.join(dir, "csess-home");
    expect(defaultNotesPattern({ CSESS_HOME: home, OPENCLAW_WORKSPACE_DIR: path.join(dir, "no-such-workspace") })).toBe(path.join(home, "notes", "{date}.md"));
    expect(defaultNotesPattern({ CSESS_HOME: home, OPENCLAW_WORKSPACE_DIR: dir })).toBe(path.join(dir, "memory", "{date}.md"));
  });

  it("adds the section once, replaces a session's line, and keeps everything else as written", () => {
    const text = "# 2026-11-21\r\n\r\nMorning: reviewed PRs.\r\n\r\n## Later\r\nlunch\r\n";
    const once = upsertEntry(text, "a", "- `a` (started 10:00, running) in `/x`: `cmd`");
    expect(once).toContain("Morning: reviewed PRs.\r\n");
    expect(once.split("## Active Long-Running Processes")).toHaveLength(2);
    const twice = upsertEntry(once, "b", "- `b` (started 10:05, running) in `/y`: `cmd2`");
    const done = upsertEntry(twice, "a", "- `a` (started 10:00, finished 10:30, exit 0) in `/x`: `cmd`");
    expect(done).toContain("- `a` (started 10:00, finished 10:30, exit 0)");
    expect(done).not.toContain("- `a` (started 10:00, running)");
    expect(done).toContain("- `b` (started 10:05, running)");
    expect(done).toContain("## Later\r\nlunch");
    expect(done.match(/(?<!\r)\n/g)).toBeNull(); // CRLF kept throughout
  });

  it("marks a session finished with its exit code, keeping the command recorded at its start", async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "csess-notes-"));
    const file = path.join(dir, "memory", "today.md");
    writeFileSync(path.join(dir, "unrelated"), "x");
    const notes = new DailyNotes(file);
    const startedAt = new Date(2026, 10, 21, 9, 5);
    await notes.record({ session: "csess-r1-abc", command: "codex exec -", cwd: "/w/abc", startedAt });
    expect(readFileSync(file, "utf8")).toContain("- `csess-r1-abc` (started 09:05, running) in `/w/abc`: `codex exec -`");
    await notes.record({ session: "csess-r1-abc", command: "", cwd: "", startedAt: new Date(), exitCode: 3, endedAt: new Date(2026, 10, 21, 9, 45) });
    expect(readFileSync(file, "utf8")).toContain("- `csess-r1-abc` (started 09:05, finished 09:45, exit 3) in `/w/abc`: `codex exec -`");
  });
});

describe("csess exec keeps the daily notes", () => {
  it("adds the session when it starts and marks it finished with its exit code", async () => {
    const box = await makeCliSandbox();
    try {
      const repo = path.join(box.dir, "repo");
      execFileSync("git", ["init", "-q", repo]);
      const started = await box.csess("exec", "--name", "nightly", "--cwd", repo, "--notes", "memory/{date}.md", "--no-notify", "--", "sh", "-c", "echo hi; exit 3");
      expect(started.code).toBe(0);
      const file = notesPath("memory/{date}.md", repo);
      expect(readFileSync(file, "utf8")).toMatch(/- `nightly` \(started \d\d:\d\d, (running|finished \d\d:\d\d, exit 3)\) in `.*repo`: `sh -c 'echo hi; exit 3'`/);
      await box.tmux.waitForExit("nightly");
      // The hook runs right after the exit file: wait for its rewrite of the notes file.
      await waitFor(() => readFileSync(file, "utf8").includes("finished"), path.dirname(file), 20_000);
      expect(readFileSync(file, "utf8")).toMatch(/- `nightly` \(started \d\d:\d\d, finished \d\d:\d\d, exit 3\)/);
    } finally {
      await box.cleanup();
    }
  }, 30_000);
});
