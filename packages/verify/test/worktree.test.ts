import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addTaskWorktree, mergeTaskBranch, mergeTaskBranches, pruneWorktrees, removeTaskWorktree, removeTaskWorktrees, slugify, withRepoLock } from "../src/index.js";
import { branchTip, hooksDir, listTaskWorktrees } from "../src/worktree.js";
import { makeRepo, type TestRepo } from "./helpers.js";

let repo: TestRepo;
let base: string;
beforeEach(() => {
  repo = makeRepo();
  base = repo.commit("init", { "a.txt": "a\n" });
});
afterEach(() => repo.cleanup());

describe("task worktrees", () => {
  it("creates csess/<run>/<slug> under an ignored .csess/worktrees with only committed content", async () => {
    repo.write("a.txt", "uncommitted edit\n");
    repo.write("untracked.txt", "mine\n");
    const wt = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "add-login", base });
    expect(wt).toMatchObject({ branch: "csess/run1/add-login", path: join(repo.root, ".csess/worktrees/run1/add-login"), head: base, created: true });
    expect(repo.read("a.txt", wt.path)).toBe("a\n");
    expect(existsSync(join(wt.path, "untracked.txt"))).toBe(false);
    // The user's status shows their own changes only: .csess/ is ignored without touching .gitignore.
    expect(repo.git(["status", "--porcelain"]).split("\n").map((l) => l.trim()).sort()).toEqual(["?? untracked.txt", "M a.txt"]);
    expect(existsSync(join(repo.root, ".gitignore"))).toBe(false);
  });

  it("reads a branch's commit from its loose ref file, and asks git when the ref is packed or symbolic", async () => {
    const later = repo.commit("later", { "b.txt": "b\n" });
    repo.git(["branch", "csess/r1/loose", base]);
    repo.git(["branch", "csess/r1/packed", later]);
    repo.git(["pack-refs", "--all"]); // both packed, their loose files gone
    repo.git(["branch", "-f", "csess/r1/loose", base]); // written loose again
    repo.git(["symbolic-ref", "refs/heads/csess/r1/alias", "refs/heads/csess/r1/packed"]);
    expect(existsSync(join(repo.root, ".git/refs/heads/csess/r1/packed"))).toBe(false);
    expect(await branchTip(repo.root, "csess/r1/loose")).toBe(base);
    expect(await branchTip(repo.root, "csess/r1/packed")).toBe(later);
    expect(await branchTip(repo.root, "csess/r1/alias")).toBe(later);
  });

  it("an empty folder left where the worktree goes (a kill before git made it) gets the worktree on a new branch from the base", async () => {
    const later = repo.commit("later", { "b.txt": "b\n" });
    const path = join(repo.root, ".csess", "worktrees", "r1", "alpha");
    mkdirSync(path, { recursive: true });
    const wt = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "alpha", base });
    expect(wt).toMatchObject({ path, branch: "csess/r1/alpha", head: base, created: true });
    expect(repo.git(["rev-parse", "csess/r1/alpha"])).toBe(base);
    expect(repo.git(["rev-parse", "HEAD"], path)).toBe(base);
    expect(existsSync(join(path, "a.txt")) && !existsSync(join(path, "b.txt"))).toBe(true);
    expect(repo.git(["rev-parse", "HEAD"])).toBe(later);
  });

  it("runs the user's post-checkout hook once, as git worktree add does: no previous commit, the new head, a branch checkout", async () => {
    const log = join(repo.root, "..", `hook-${Date.now()}.log`);
    writeFileSync(join(repo.root, ".git/hooks/post-checkout"), `#!/bin/sh\necho "$1 $2 $3 $(pwd) $(cat a.txt)" >> '${log}'\n`, { mode: 0o755 });
    const wt = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "hooked", base });
    expect(readFileSync(log, "utf8")).toBe(`${"0".repeat(40)} ${base} 1 ${wt.path} a\n`);
    await addTaskWorktree({ root: repo.root, runId: "r1", slug: "hooked", base }); // resumed: nothing checked out, no hook
    expect(readFileSync(log, "utf8").split("\n").filter(Boolean)).toHaveLength(1);
    rmSync(log);
  });

  it("finds a post-checkout hook under a relative core.hooksPath in the new worktree (husky's way), and fails the start when it fails", async () => {
    const hook = (script: string) => {
      repo.write(".hooks/post-checkout", script);
      chmodSync(join(repo.root, ".hooks/post-checkout"), 0o755);
      repo.git(["add", ".hooks/post-checkout"]);
      return repo.commit("hook");
    };
    repo.git(["config", "core.hooksPath", ".hooks"]);
    base = hook("#!/bin/sh\necho checked > hook-ran.txt\n");
    const wt = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "husky", base });
    expect(repo.read("hook-ran.txt", wt.path)).toBe("checked\n");
    base = hook("#!/bin/sh\necho 'hook says no' >&2\nexit 3\n");
    await expect(addTaskWorktree({ root: repo.root, runId: "r1", slug: "refused", base })).rejects.toThrow(/hook says no/);
  });

  it("hooksDir: where git looks for hooks (unset, relative, absolute, under ~), asked once per repository", async () => {
    expect(await hooksDir(repo.root)).toEqual({ dir: join(repo.root, ".git", "hooks"), relative: false });
    const cases: Array<[string, { dir: string; relative: boolean }]> = [
      [".husky/_", { dir: ".husky/_", relative: true }],
      ["/etc/csess-hooks", { dir: "/etc/csess-hooks", relative: false }],
      ["~/hooks", { dir: join(homedir(), "hooks"), relative: false }],
      ["~", { dir: homedir(), relative: false }],
    ];
    for (const [configured, expected] of cases) {
      const other = makeRepo();
      try {
        other.git(["config", "core.hooksPath", configured]);
        expect(await hooksDir(other.root)).toEqual(expected);
        other.git(["config", "--unset", "core.hooksPath"]);
        expect(await hooksDir(other.root)).toEqual(expected); // kept for the process: asked once
      } finally {
        other.cleanup();
      }
    }
  });

  it("checks the files out after releasing the repository lock: a landing need not wait for a long checkout", async () => {
    // The hook runs after the checkout and waits (at most 20 s) for a marker that only a holder of the lock writes.
    const marker = join(repo.root, "..", `lock-taken-${Date.now()}`);
    writeFileSync(join(repo.root, ".git/hooks/post-checkout"),
      `#!/bin/sh\nfor i in $(seq 200); do [ -e '${marker}' ] && exit 0; sleep 0.1; done\necho 'the lock was never taken meanwhile' >&2; exit 1\n`, { mode: 0o755 });
    const adding = addTaskWorktree({ root: repo.root, runId: "r1", slug: "slow-checkout", base });
    // Once git has made the worktree the add has had its turn of the lock; then the lock is asked for.
    const gitFile = join(repo.root, ".csess/worktrees/r1/slow-checkout/.git");
    for (let i = 0; i < 400 && !existsSync(gitFile); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    await withRepoLock(repo.root, async () => writeFileSync(marker, "taken\n"));
    const wt = await adding;
    expect(repo.read("a.txt", wt.path)).toBe("a\n");
    rmSync(marker);
  });

  it("adds eight worktrees at once, each on its own branch and checked out", async () => {
    const slugs = Array.from({ length: 8 }, (_, i) => `task-${i}`);
    const added = await Promise.all(slugs.map((slug) => addTaskWorktree({ root: repo.root, runId: "r1", slug, base })));
    expect(added.map((wt) => [wt.branch, wt.head, wt.created])).toEqual(slugs.map((slug) => [`csess/r1/${slug}`, base, true]));
    for (const wt of added) {
      expect(repo.read("a.txt", wt.path)).toBe("a\n");
      expect(repo.git(["status", "--porcelain"], wt.path)).toBe("");
    }
    const listed = repo.git(["worktree", "list", "--porcelain"]).split("\n").filter((line) => line.startsWith("branch refs/heads/csess/"));
    expect(listed.sort()).toEqual(slugs.map((slug) => `branch refs/heads/csess/r1/${slug}`));
  });

  it("a worktree added but never checked out (killed in between) is checked out by the next start", async () => {
    const path = join(repo.root, ".csess", "worktrees", "r1", "half");
    repo.git(["worktree", "add", "-q", "--no-checkout", "-b", "csess/r1/half", path, base]);
    expect(existsSync(join(path, "a.txt"))).toBe(false);
    const wt = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "half", base });
    expect(wt).toMatchObject({ path, branch: "csess/r1/half", head: base, created: false });
    expect(repo.read("a.txt", path)).toBe("a\n");
    expect(repo.git(["status", "--porcelain"], path)).toBe("");
  });

  it("starts from a branch's current commit when given the branch (returned as head), and never tracks it", async () => {
    const branch = repo.git(["symbolic-ref", "--short", "HEAD"]).trim();
    repo.git(["config", "branch.autoSetupMerge", "always"]);
    const tip = repo.commit("second", { "b.txt": "b\n" });
    const wt = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "from-ref", base: `refs/heads/${branch}` });
    expect(wt).toMatchObject({ branch: "csess/run1/from-ref", head: tip, created: true });
    expect(repo.git(["rev-parse", "csess/run1/from-ref"]).trim()).toBe(tip);
    expect(repo.git(["config", "--list"]).split("\n").filter((line) => line.startsWith("branch.csess/"))).toEqual([]);
  });

  it("a base that is no commit is refused, naming what was expected", async () => {
    await expect(addTaskWorktree({ root: repo.root, runId: "run1", slug: "bad", base: "refs/heads/nope" })).rejects.toThrow(
      "base refs/heads/nope is not a commit in",
    );
    expect(existsSync(join(repo.root, ".csess/worktrees/run1/bad"))).toBe(false);
  });

  it("a .csess/ left without its .gitignore (csess killed while making it) is ignored again, and no temp folder shows", async () => {
    mkdirSync(join(repo.root, ".csess"));
    writeFileSync(join(repo.root, ".csess", "leftover"), "x\n");
    await addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base });
    expect(repo.git(["status", "--porcelain", "--ignored=no"])).toBe("");
    expect(readdirSync(join(repo.root, ".git")).filter((f) => f.startsWith("csess-ignore-"))).toEqual([]);
  });

  it("returns the existing worktree on resume, with the agent's commits, and changes nothing", async () => {
    const first = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base });
    const head = repo.commit("agent work", { "b.txt": "b\n" }, first.path);
    const again = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base });
    expect(again).toEqual({ ...first, head, created: false });
    expect(await listTaskWorktrees(repo.root, "run1")).toHaveLength(1);
  });

  it("re-creates a worktree for an existing branch whose directory was deleted", async () => {
    const first = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base });
    const head = repo.commit("agent work", { "b.txt": "b\n" }, first.path);
    rmSync(first.path, { recursive: true, force: true });
    expect((await pruneWorktrees(repo.root)).join("\n")).toContain("t");
    const again = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base });
    expect(again).toMatchObject({ created: true, head });
  });

  it("removes worktree and branch after the merge, and keeps unmerged work (saying where)", async () => {
    const merged = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "merged", base });
    repo.commit("work", { "m.txt": "m\n" }, merged.path);
    expect((await mergeTaskBranch({ root: repo.root, branch: merged.branch, taskId: "aaaaaa" })).status).toBe("merged");
    expect(await removeTaskWorktree({ root: repo.root, path: merged.path, branch: merged.branch })).toEqual({ worktreeRemoved: true, branchDeleted: true });
    expect(existsSync(merged.path)).toBe(false);
    expect(repo.git(["branch", "--list", merged.branch])).toBe("");

    const unmerged = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "unmerged", base });
    repo.commit("work", { "u.txt": "u\n" }, unmerged.path);
    const kept = await removeTaskWorktree({ root: repo.root, path: unmerged.path, branch: unmerged.branch });
    expect(kept).toMatchObject({ worktreeRemoved: false, branchDeleted: false });
    expect(kept.kept).toContain(unmerged.path);
    expect(existsSync(join(unmerged.path, "u.txt"))).toBe(true);
  });

  it("removes several together: merged ones go, unmerged work, a dirty worktree and a vanished branch are each handled as alone", async () => {
    const landed = await Promise.all(["one", "two"].map((slug) => addTaskWorktree({ root: repo.root, runId: "run1", slug, base })));
    landed.forEach((wt, i) => repo.commit("work", { [`f${i}.txt`]: `${i}\n` }, wt.path));
    const merges = await mergeTaskBranches({ root: repo.root, tasks: landed.map((wt, i) => ({ branch: wt.branch, taskId: `aaaaa${i}` })) });
    expect(merges.map((m) => m.status)).toEqual(["merged", "merged"]);
    const unmerged = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "unmerged", base });
    repo.commit("work", { "u.txt": "u\n" }, unmerged.path);
    const dirty = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "dirty", base });
    writeFileSync(join(dirty.path, "half-done.txt"), "x\n");
    const gone = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "gone", base });
    repo.git(["-C", gone.path, "checkout", "-q", "--detach"]);
    repo.git(["branch", "-D", gone.branch]);

    const results = await removeTaskWorktrees({ root: repo.root, worktrees: [...landed, unmerged, dirty, gone] });
    expect(results.slice(0, 2)).toEqual([{ worktreeRemoved: true, branchDeleted: true }, { worktreeRemoved: true, branchDeleted: true }]);
    expect(results[2]).toMatchObject({ worktreeRemoved: false, branchDeleted: false, kept: expect.stringContaining(unmerged.path) });
    expect(results[3]).toMatchObject({ worktreeRemoved: false, branchDeleted: false, kept: expect.stringMatching(/untracked/) });
    expect(results[4]).toEqual({ worktreeRemoved: true, branchDeleted: false });
    for (const wt of [...landed, gone]) expect(existsSync(wt.path)).toBe(false);
    expect(repo.git(["for-each-ref", "--format=%(refname:short)", "refs/heads/csess/"]).split("\n").filter(Boolean).sort()).toEqual([dirty.branch, unmerged.branch].sort());
    expect(existsSync(join(unmerged.path, "u.txt")) && existsSync(join(dirty.path, "half-done.txt"))).toBe(true);
  });

  it("keeps a worktree that has uncommitted files, and its branch", async () => {
    const wt = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "dirty", base });
    writeFileSync(join(wt.path, "half-done.txt"), "x\n");
    const result = await removeTaskWorktree({ root: repo.root, path: wt.path, branch: wt.branch });
    expect(result).toMatchObject({ worktreeRemoved: false, branchDeleted: false });
    // git's words on one line, blanks collapsed, none at the end.
    expect(result.kept).toBe(`worktree ${wt.path} kept: '${wt.path}' contains modified or untracked files, use --force to delete it`);
    expect(existsSync(join(wt.path, "half-done.txt"))).toBe(true);
  });

  it("keeps a locked worktree, and says git's reason on one line with its blanks collapsed", async () => {
    const wt = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "locked", base });
    repo.git(["worktree", "lock", "--reason", "waiting for\n\nreview  by  Ann", wt.path]);
    const result = await removeTaskWorktree({ root: repo.root, path: wt.path, branch: wt.branch });
    expect(result).toMatchObject({ worktreeRemoved: false, branchDeleted: false });
    expect(result.kept).toContain(`worktree ${wt.path} kept: `);
    expect(result.kept).toContain("waiting for review by Ann");
    expect(result.kept).not.toMatch(/\s\s|\n|\s$/);
    expect(existsSync(wt.path)).toBe(true);
  });

  it("rejects names that would make bad branches or paths, with an example", async () => {
    await expect(addTaskWorktree({ root: repo.root, runId: "r", slug: "../escape", base })).rejects.toThrow(/invalid slug.*e\.g\./);
    await expect(addTaskWorktree({ root: repo.root, runId: "r", slug: "ok", base: "no-such-ref" })).rejects.toThrow(/not a commit/);
  });

  it("slugifies titles for branch names", () => {
    expect(slugify("Create the **login** API endpoint!")).toBe("create-the-login-api-endpoint");
    expect(slugify("Café — déjà vu")).toBe("cafe-deja-vu");
    expect(slugify("***")).toBe("task");
    expect(slugify("a".repeat(100)).length).toBe(48);
  });
});
