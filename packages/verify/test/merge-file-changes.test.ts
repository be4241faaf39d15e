// mergeTaskBranches with `fileChanges`: each merged task's change of one file (its PRD box ticked) is
// committed on top of the batch's merges, and the branch and its checkout move once for both. Real git.
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePrd, setTaskChecked } from "@csess/prd";
import { addTaskWorktree, commitFileChanges, mergeTaskBranches, withTaskTrailer, type MergeResult } from "../src/index.js";
import { freshRepoEachTest, type TestRepo } from "./helpers.js";

const PRD = "# Plan\n\n- [ ] Alpha\n- [ ] Beta\n- [ ] Gamma\n";
const [alpha, beta, gamma] = parsePrd(PRD).tasks.map((t) => t.id) as [string, string, string];

let repo: TestRepo;
let base: string;
freshRepoEachTest(PRD, (r, b) => ((repo = r), (base = b)));

const tick = (id: string) => ({ edit: (text: string) => setTaskChecked(text, id, true), message: withTaskTrailer(`csess: tick ${id}`, undefined, id) });
const ticks = (...ids: string[]) => ({ path: "PRD.md", byTask: new Map(ids.map((id) => [id, tick(id)])) });

/** A task branch with one commit of `files` (the agent also ticks its own PRD copy, as agents do). */
async function taskBranch(slug: string, id: string, files: Record<string, string>) {
  const t = await addTaskWorktree({ root: repo.root, runId: "r1", slug, base });
  repo.commit(`feat: ${slug}\n\nCsess-Task: ${id}`, { ...files, "PRD.md": setTaskChecked(PRD, id, true) }, t.path);
  return { branch: t.branch, taskId: id };
}

/** Subject and tree of each commit on main's first-parent line since `base`, oldest first. */
function lineSince(from: string, ref = "main"): string[] {
  return repo.git(["log", "--first-parent", "--reverse", "--format=%s %T", `${from}..${ref}`]).split("\n").filter(Boolean);
}

const reflogLength = () => repo.git(["reflog", "show", "--format=%H", "main"]).split("\n").length;

describe("merges and their file changes land with one move", () => {
  it("merge commits first, then one tick commit per merged task, as the two steps make them, with one move of main", async () => {
    const a = await taskBranch("a", alpha, { "a.txt": "a\n" });
    const b = await taskBranch("b", beta, { "b.txt": "b\n" });
    // The same landing in two steps on a twin branch: merges, then commitFileChanges (the oracle).
    repo.git(["branch", "twin", "main"]);
    const twin = await mergeTaskBranches({ root: repo.root, into: "twin", keepPaths: ["PRD.md"], tasks: [a, b] });
    await commitFileChanges({ root: repo.root, branch: "twin", path: "PRD.md", changes: [tick(alpha), tick(beta)] });
    expect(twin.map((r) => r.status)).toEqual(["merged", "merged"]);

    const before = reflogLength();
    const results = await mergeTaskBranches({ root: repo.root, keepPaths: ["PRD.md"], tasks: [a, b], fileChanges: ticks(alpha, beta) });
    expect(results.map((r) => r.status)).toEqual(["merged", "merged"]);
    expect(lineSince(base)).toEqual(lineSince(base, "twin"));
    expect(lineSince(base).map((l) => l.split(" ")[0])).toEqual(["Merge", "Merge", "csess:", "csess:"]);
    // Each task's fileCommit is its own tick commit, on top of the last merge, and main is at the last.
    const [tickA, tickB] = results.map((r) => r.fileCommit!);
    expect(repo.git(["rev-parse", `${tickA}^`])).toBe(results[1]!.commit);
    expect(repo.git(["rev-parse", `${tickB}^`])).toBe(tickA);
    expect(repo.git(["log", "-1", "--format=%(trailers:key=Csess-Task,valueonly)", tickB!])).toBe(beta);
    expect(repo.git(["rev-parse", "main"])).toBe(tickB);
    expect(reflogLength()).toBe(before + 1);
    // The checkout moved with it: files, the ticked PRD and the index, nothing left to commit.
    expect(repo.read("PRD.md")).toBe(setTaskChecked(setTaskChecked(PRD, alpha, true), beta, true));
    expect([repo.read("a.txt"), repo.read("b.txt")]).toEqual(["a\n", "b\n"]);
    expect(repo.git(["status", "--porcelain"])).toBe("");
  });

  it("a conflicting task gets no file change; an edit that changes nothing commits nothing (fileCommit null)", async () => {
    const ticked = repo.commit("gamma ticked by hand", { "PRD.md": setTaskChecked(PRD, gamma, true) });
    base = ticked;
    const a = await taskBranch("a", alpha, { "shared.txt": "one\nA\nthree\n" });
    const b = await taskBranch("b", beta, { "shared.txt": "one\nB\nthree\n" }); // conflicts with a
    const c = await taskBranch("c", gamma, { "c.txt": "c\n" });
    const results = await mergeTaskBranches({ root: repo.root, keepPaths: ["PRD.md"], tasks: [a, b, c], fileChanges: ticks(alpha, beta, gamma) });
    expect(results.map((r) => [r.status, r.fileCommit === undefined ? "absent" : r.fileCommit === null ? "null" : "commit"])).toEqual([
      ["merged", "commit"], ["conflict", "absent"], ["merged", "null"],
    ]);
    expect(lineSince(base).map((l) => l.split(" ")[0])).toEqual(["Merge", "Merge", "csess:"]);
    expect(repo.read("PRD.md")).toBe(setTaskChecked(setTaskChecked(PRD, gamma, true), alpha, true));
    expect(repo.git(["status", "--porcelain"])).toBe("");
  });

  it("the user's own edits of the file: the merges land alone (no fileCommit), the edits stay, and commitFileChanges ticks around them", async () => {
    const a = await taskBranch("a", alpha, { "a.txt": "a\n" });
    const edited = PRD.replace("- [ ] Gamma\n", "- [ ] Gamma\n- [ ] Delta, added by hand\n");
    repo.write("PRD.md", edited);
    const results = await mergeTaskBranches({ root: repo.root, keepPaths: ["PRD.md"], tasks: [a], fileChanges: ticks(alpha) });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: "merged" } satisfies Partial<MergeResult>);
    expect(results[0]!.fileCommit).toBeUndefined();
    expect(repo.git(["rev-parse", "main"])).toBe(results[0]!.commit);
    expect(repo.read("PRD.md")).toBe(edited);
    expect(repo.read("a.txt")).toBe("a\n");
    const [done] = await commitFileChanges({ root: repo.root, path: "PRD.md", changes: [tick(alpha)] });
    expect(done!.status).toBe("committed");
    expect(repo.git(["show", "main:PRD.md"])).toBe(setTaskChecked(PRD, alpha, true).trimEnd());
    expect(repo.read("PRD.md")).toBe(edited);
  });

  it("the user deleted the file (not staged): the merges land alone and it stays deleted (git's fast-forward would write it back)", async () => {
    const a = await taskBranch("a", alpha, { "a.txt": "a\n" });
    rmSync(join(repo.root, "PRD.md"));
    const results = await mergeTaskBranches({ root: repo.root, keepPaths: ["PRD.md"], tasks: [a], fileChanges: ticks(alpha) });
    expect(results[0]).toMatchObject({ status: "merged" });
    expect(results[0]!.fileCommit).toBeUndefined();
    expect(repo.git(["rev-parse", "main"])).toBe(results[0]!.commit);
    expect(existsSync(join(repo.root, "PRD.md"))).toBe(false);
    expect(repo.read("a.txt")).toBe("a\n");
    expect(repo.git(["status", "--porcelain"])).toBe("D PRD.md");
  });

  it("a file that is not committed: the merges land and no file change is made", async () => {
    const a = await taskBranch("a", alpha, { "a.txt": "a\n" });
    const results = await mergeTaskBranches({ root: repo.root, keepPaths: ["PRD.md"], tasks: [a], fileChanges: { path: "docs/TODO.md", byTask: new Map([[alpha, tick(alpha)]]) } });
    expect(results[0]).toMatchObject({ status: "merged" });
    expect(results[0]!.fileCommit).toBeUndefined();
    expect(repo.git(["rev-parse", "main"])).toBe(results[0]!.commit);
  });

  it.each(["a folder", "a submodule"])("the kept file's path is %s on the branch: the merges land and no file change is made", async (what) => {
    if (what === "a folder") base = repo.commit("notes as a folder", { "notes/a.txt": "a\n" });
    else {
      repo.git(["update-index", "--add", "--cacheinfo", `160000,${base},notes`]);
      repo.git(["commit", "-q", "-m", "notes as a submodule"]);
      base = repo.git(["rev-parse", "HEAD"]);
    }
    const a = await taskBranch("a", alpha, { "a.txt": "a\n" });
    const results = await mergeTaskBranches({ root: repo.root, keepPaths: ["PRD.md", "notes"], tasks: [a], fileChanges: { path: "notes", byTask: new Map([[alpha, tick(alpha)]]) } });
    expect(results[0]).toMatchObject({ status: "merged" });
    expect(results[0]!.fileCommit).toBeUndefined();
    expect(repo.git(["rev-parse", "main"])).toBe(results[0]!.commit);
    expect(repo.git(["ls-tree", "main", "notes"]).split(/\s/).slice(0, 2)).toEqual(what === "a folder" ? ["040000", "tree"] : ["160000", "commit"]);
  });

  it("every task merged and one box ticked already: the others' ticks are committed, that one's fileCommit is null", async () => {
    base = repo.commit("beta ticked by hand", { "PRD.md": setTaskChecked(PRD, beta, true) });
    const a = await taskBranch("a", alpha, { "a.txt": "a\n" });
    const b = await taskBranch("b", beta, { "b.txt": "b\n" });
    const c = await taskBranch("c", gamma, { "c.txt": "c\n" });
    const results = await mergeTaskBranches({ root: repo.root, keepPaths: ["PRD.md"], tasks: [a, b, c], fileChanges: ticks(alpha, beta, gamma) });
    expect(results.map((r) => [r.status, r.fileCommit === null ? "null" : typeof r.fileCommit])).toEqual([["merged", "string"], ["merged", "null"], ["merged", "string"]]);
    expect(lineSince(base).map((l) => l.split(" ")[0])).toEqual(["Merge", "Merge", "Merge", "csess:", "csess:"]);
    expect(repo.git(["rev-parse", `${results[2]!.fileCommit}^`])).toBe(results[0]!.fileCommit);
    expect(repo.git(["show", `${results[0]!.fileCommit}:PRD.md`])).toBe(setTaskChecked(setTaskChecked(PRD, beta, true), alpha, true).trimEnd());
    expect(repo.read("PRD.md")).toBe(setTaskChecked(setTaskChecked(setTaskChecked(PRD, alpha, true), beta, true), gamma, true));
    expect(repo.git(["status", "--porcelain"])).toBe("");
  });

  it("a batch of three and their ticks: one git process per merge, one to build every tree, one to write every commit (git's own trace)", async () => {
    const tasks = [await taskBranch("a", alpha, { "a.txt": "a\n" }), await taskBranch("b", beta, { "b.txt": "b\n" }), await taskBranch("c", gamma, { "c.txt": "c\n" })];
    const trace = join(repo.root, ".git", "trace.log");
    process.env.GIT_TRACE = trace;
    try {
      await mergeTaskBranches({ root: repo.root, into: "main", keepPaths: ["PRD.md"], tasks, fileChanges: ticks(alpha, beta, gamma) });
    } finally {
      delete process.env.GIT_TRACE;
    }
    const commands = readFileSync(trace, "utf8").split("\n").flatMap((l) => /trace: built-in: git ([\w-]+)/.exec(l)?.[1] ?? []);
    const count = (name: string) => commands.filter((c) => c === name).length;
    // hash-object: one for the tick versions' blobs, one kept running for all six commits.
    expect({ "commit-tree": count("commit-tree"), "merge-tree": count("merge-tree"), mktree: count("mktree"), "hash-object": count("hash-object"), "ls-tree": count("ls-tree") }, commands.join(" "))
      .toEqual({ "commit-tree": 0, "merge-tree": 3, mktree: 1, "hash-object": 2, "ls-tree": 0 });
    // The rest: one cat-file kept running for every read (the tips, the file, the trees), who commits (git var
    // twice and the config, once per repository), the checkout's move (git's upkeep after it only now and then:
    // the next test); the checkout is found from its HEAD file, the git folders known since the worktrees were made.
    expect(commands.filter((c) => !["merge-tree", "mktree", "hash-object", "maintenance"].includes(c)).sort(), commands.join(" "))
      .toEqual(["cat-file", "config", "merge", "var", "var"]);
    expect(repo.git(["status", "--porcelain"])).toBe("");
  });

  it("git's upkeep after a merge runs at one landing in sixteen, not at every one", async () => {
    const trace = join(repo.root, ".git", "trace.log");
    for (let i = 0; i < 16; i++) {
      const id = i % 2 ? beta : alpha; // ticked again: a tick that changes nothing commits nothing
      const t = await taskBranch(`t${i}`, id, { [`t${i}.txt`]: `${i}\n` });
      base = repo.git(["rev-parse", "main"]);
      process.env.GIT_TRACE = trace;
      try {
        const [result] = await mergeTaskBranches({ root: repo.root, into: "main", keepPaths: ["PRD.md"], tasks: [t], fileChanges: ticks(id) });
        expect(result!.status).toBe("merged");
      } finally {
        delete process.env.GIT_TRACE;
      }
    }
    const commands = readFileSync(trace, "utf8").split("\n").flatMap((l) => /trace: built-in: git ([\w-]+)/.exec(l)?.[1] ?? []);
    expect(commands.filter((c) => c === "merge").length).toBe(16);
    expect(commands.filter((c) => c === "maintenance").length).toBe(1);
    expect(repo.git(["status", "--porcelain"])).toBe("");
  });

  it("into a branch that is not checked out, the ref alone moves to the last file commit", async () => {
    repo.git(["branch", "integration"]);
    const a = await taskBranch("a", alpha, { "a.txt": "a\n" });
    const results = await mergeTaskBranches({ root: repo.root, into: "integration", keepPaths: ["PRD.md"], tasks: [a], fileChanges: ticks(alpha) });
    expect(repo.git(["rev-parse", "integration"])).toBe(results[0]!.fileCommit);
    expect(repo.git(["show", "integration:PRD.md"])).toBe(setTaskChecked(PRD, alpha, true).trimEnd());
    expect(repo.git(["rev-parse", "main"])).toBe(base);
    expect(repo.git(["status", "--porcelain"])).toBe("");
  });

  it("a task without a change in byTask gets no fileCommit; a file below the root is changed through its path", async () => {
    const nested = repo.commit("nested plan", { "docs/PLAN.md": PRD });
    base = nested;
    const a = await taskBranch("a", alpha, { "a.txt": "a\n" });
    const b = await taskBranch("b", beta, { "b.txt": "b\n" });
    const results = await mergeTaskBranches({
      root: repo.root, keepPaths: ["PRD.md", "docs/PLAN.md"], tasks: [a, b], fileChanges: { path: "docs/PLAN.md", byTask: new Map([[beta, tick(beta)]]) },
    });
    expect(results.map((r) => [r.status, r.fileCommit === undefined])).toEqual([["merged", true], ["merged", false]]);
    expect(repo.read("docs/PLAN.md")).toBe(setTaskChecked(PRD, beta, true));
    expect(repo.git(["diff", "--name-only", `${results[1]!.commit}`, "main"])).toBe("docs/PLAN.md");
    expect(repo.git(["status", "--porcelain"])).toBe("");
  });
});

describe("an edit that throws", () => {
  it("does not stop the merges: they land alone, and the change is left to the caller (whose own try says why)", async () => {
    const a = await taskBranch("a", alpha, { "a.txt": "a\n" });
    const failing = { edit: () => { throw new Error("not a PRD csess can edit"); }, message: "never" };
    const results = await mergeTaskBranches({ root: repo.root, keepPaths: ["PRD.md"], tasks: [a], fileChanges: { path: "PRD.md", byTask: new Map([[alpha, failing]]) } });
    expect(results[0]).toMatchObject({ status: "merged" });
    expect(results[0]!.fileCommit).toBeUndefined();
    expect(repo.git(["rev-parse", "main"])).toBe(results[0]!.commit);
    expect(repo.read("a.txt")).toBe("a\n");
  });
});
