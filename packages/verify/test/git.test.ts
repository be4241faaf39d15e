import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitCommandError, runGit } from "../src/index.js";
import { makeRepo, type TestRepo } from "./helpers.js";

describe("runGit", () => {
  let repo: TestRepo;
  const saved = { ...process.env };
  beforeEach(() => {
    repo = makeRepo();
    repo.commit("first", { "a.txt": "a\n" });
  });
  afterEach(() => {
    process.env = { ...saved };
    repo.cleanup();
  });

  it("addresses the repository by directory even when csess runs inside a git hook (GIT_DIR, GIT_INDEX_FILE set)", async () => {
    const other = mkdtempSync(join(tmpdir(), "csess-verify-other-"));
    try {
      process.env.GIT_DIR = join(other, ".git");
      process.env.GIT_WORK_TREE = other;
      process.env.GIT_INDEX_FILE = join(other, "index");
      process.env.GIT_AUTHOR_NAME = "Hook Author";
      const top = await runGit(repo.root, ["rev-parse", "--show-toplevel"]);
      expect(top.stdout.trim()).toBe(repo.root);
      expect((await runGit(repo.root, ["ls-files"])).stdout).toBe("a.txt\n");
      // Identity variables are allowed through.
      expect((await runGit(repo.root, ["var", "GIT_AUTHOR_IDENT"])).stdout).toMatch(/^Hook Author </);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("passes stdin and an explicit GIT_INDEX_FILE, and returns exit codes the caller accepts", async () => {
    const blob = (await runGit(repo.root, ["hash-object", "-w", "--stdin"], { input: "hello\n" })).stdout.trim();
    expect(repo.git(["cat-file", "blob", blob])).toBe("hello");
    const index = join(repo.root, ".git", "csess-test-index");
    await runGit(repo.root, ["read-tree", "HEAD"], { env: { GIT_INDEX_FILE: index } });
    expect((await runGit(repo.root, ["ls-files"], { env: { GIT_INDEX_FILE: index } })).stdout).toBe("a.txt\n");
    const no = await runGit(repo.root, ["merge-base", "--is-ancestor", "HEAD", "HEAD~0^{tree}"], { okExitCodes: [1, 128] });
    expect(no.exitCode).not.toBe(0);
  });

  it("throws a GitCommandError with git's own words for an unexpected failure, and names a missing directory", async () => {
    const error = await runGit(repo.root, ["rev-parse", "--verify", "no-such-ref"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitCommandError);
    expect((error as GitCommandError).exitCode).toBe(128);
    expect((error as Error).message).toMatch(/git rev-parse --verify no-such-ref failed with exit 128: fatal: /);
    await expect(runGit(join(repo.root, "gone"), ["status"])).rejects.toThrow(/no such directory/);
  });

  it("writes stdout straight into a given file descriptor (the stats pass's unlinked file), not into memory", async () => {
    const dir = mkdtempSync(join(tmpdir(), "csess-verify-fd-"));
    const fd = openSync(join(dir, "out"), "w+");
    try {
      const result = await runGit(repo.root, ["rev-parse", "HEAD"], { stdoutFd: fd });
      expect(result.stdout).toBe("");
      expect(readFileSync(join(dir, "out"), "utf8")).toBe(`${repo.git(["rev-parse", "HEAD"])}\n`);
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("an aborted signal stops the command at once (the stats pass ends when its answer is no longer needed)", async () => {
    const abort = new AbortController();
    const started = Date.now();
    // A git that would run for 30 s: an alias that sleeps.
    const running = runGit(repo.root, ["-c", "alias.wait=!exec sleep 30", "wait"], { signal: abort.signal });
    setTimeout(() => abort.abort(), 200);
    await expect(running).rejects.toThrow(/abort/i);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 60_000);
});
