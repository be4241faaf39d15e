import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openRepo, RepoError, uncommittedChanges } from "../src/index.js";
import { makeRepo, type TestRepo } from "./helpers.js";

let repo: TestRepo | undefined;
afterEach(() => repo?.cleanup());

describe("openRepo", () => {
  it("describes the checkout from any folder inside it", async () => {
    repo = makeRepo();
    const head = repo.commit("init", { "sub/a.txt": "a\n" });
    expect(await openRepo(join(repo.root, "sub"))).toEqual({ root: repo.root, commonDir: join(repo.root, ".git"), branch: "main", head, hasCommits: true });
  });

  it("throws typed one-line errors: not a repo, no commits, detached HEAD", async () => {
    const plain = realpathSync(mkdtempSync(join(tmpdir(), "csess-plain-")));
    try {
      await expect(openRepo(plain)).rejects.toMatchObject({ code: "not-a-repo", message: expect.stringMatching(/is not inside a git repository/) });
      await expect(openRepo(join(plain, "missing"))).rejects.toMatchObject({ code: "not-a-repo", message: expect.stringMatching(/does not exist/) });
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
    repo = makeRepo();
    expect(await openRepo(repo.root)).toMatchObject({ branch: "main", head: null, hasCommits: false });
    await expect(openRepo(repo.root, { requireCommits: true })).rejects.toMatchObject({ code: "no-commits" });
    const head = repo.commit("init", { "a.txt": "a\n" });
    repo.git(["checkout", "-q", "--detach"]);
    const error = await openRepo(repo.root, { requireBranch: true }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RepoError);
    expect(error).toMatchObject({ code: "detached-head", message: expect.stringContaining(head.slice(0, 12)) });
    expect((error as Error).message).not.toContain("\n");
  });
});

describe("uncommittedChanges", () => {
  it("lists modified and untracked files with git's diff --stat", async () => {
    repo = makeRepo();
    repo.commit("init", { "a.txt": "a\n", "b.txt": "b\n" });
    expect(await uncommittedChanges(repo.root)).toEqual({ clean: true, modified: [], untracked: [], diffStat: "" });
    writeFileSync(join(repo.root, "a.txt"), "a\nmore\n");
    repo.git(["mv", "b.txt", "c.txt"]);
    writeFileSync(join(repo.root, "new file.txt"), "n\n");
    const changes = await uncommittedChanges(repo.root);
    expect(changes).toMatchObject({ clean: false, untracked: ["new file.txt"] });
    expect([...changes.modified].sort()).toEqual(["a.txt", "c.txt"]); // the rename's source is not listed twice
    expect(changes.diffStat).toMatch(/a\.txt\s+\| 1 \+/);
  });
});
