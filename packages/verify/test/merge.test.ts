import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePrd, setTaskChecked, updatePrdFile } from "@csess/prd";
import { addTaskWorktree, commitFileChange, commitFileChanges, mergeTaskBranch, mergeTaskBranches, withTaskTrailer } from "../src/index.js";
import { GIT_ENV, freshRepoEachTest, type TestRepo } from "./helpers.js";

const PRD = "# Plan\r\n\r\n- [ ] Alpha\r\n- [ ] Beta\r\n";
const [alpha, beta] = parsePrd(PRD).tasks.map((t) => t.id) as [string, string];

let repo: TestRepo;
let base: string;
freshRepoEachTest(PRD, (r, b) => ((repo = r), (base = b)));

/** Runs `git commit` N times in a worktree as a separate process, like an agent would. */
function commitLoop(cwd: string, prefix: string, n: number, taskId: string): Promise<string> {
  const script = `for i in $(seq 1 ${n}); do echo "$i" > ${prefix}-$i.txt && git add ${prefix}-$i.txt && git commit -q -m "${prefix} $i" -m "Csess-Task: ${taskId}" || exit 1; done`;
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", script], { cwd, env: GIT_ENV, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("close", (code) => (code === 0 ? resolve(err) : reject(new Error(`exit ${code}: ${err}`))));
  });
}

function fileSnapshot(paths: string[]): Record<string, string> {
  return Object.fromEntries(paths.map((p) => [p, readFileSync(join(repo.root, p), "latin1")]));
}

describe("merge queue into the user's checkout", () => {
  it("lets two worktrees commit at the same time and merges them one after the other", async () => {
    const a = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "alpha", base });
    const b = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "beta", base });
    const stderr = await Promise.all([commitLoop(a.path, "a", 15, alpha), commitLoop(b.path, "b", 15, beta)]);
    expect(stderr.join("")).not.toContain("index.lock");

    const results = await Promise.all([
      mergeTaskBranch({ root: repo.root, branch: a.branch, taskId: alpha, title: "Alpha" }),
      mergeTaskBranch({ root: repo.root, branch: b.branch, taskId: beta, title: "Beta" }),
    ]);
    expect(results.map((r) => r.status)).toEqual(["merged", "merged"]);
    // Serial: the second merge commit sits on top of the first, and main is at the last one.
    const [first, second] = results.map((r) => r.commit!);
    // A real merge: first parent the integration branch as it was, second the task branch's tip,
    // so `git log --first-parent` is the merge queue and the task's own commits stay reachable.
    const parents = (commit: string) => repo.git(["rev-list", "--parents", "-n", "1", commit]).split(" ").slice(1);
    expect(parents(first!)).toEqual([base, repo.git(["rev-parse", a.branch])]);
    expect(parents(second!)).toEqual([first, repo.git(["rev-parse", b.branch])]);
    expect(repo.git(["rev-parse", "main"])).toBe(second);
    expect(repo.git(["log", "-1", "--format=%B", first!])).toBe(withTaskTrailer(`Merge csess task ${alpha}: Alpha`, `Branch: ${a.branch}`, alpha).trim());
    expect(repo.git(["status", "--porcelain"])).toBe("");
    expect(repo.read("a-15.txt")).toBe("15\n");
    expect(repo.read("b-15.txt")).toBe("15\n");
  }, 60_000);

  it("reports a real conflict, keeps the branch and leaves main and its checkout untouched", async () => {
    const t = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "alpha", base });
    repo.commit("task edit", { "shared.txt": "one\nTASK\nthree\n" }, t.path);
    const mainHead = repo.commit("main edit", { "shared.txt": "one\nMAIN\nthree\n" });

    const result = await mergeTaskBranch({ root: repo.root, branch: t.branch, taskId: alpha });
    expect(result).toMatchObject({ status: "conflict", paths: ["shared.txt"] });
    expect(result.message).toContain("shared.txt");
    expect(repo.git(["rev-parse", "main"])).toBe(mainHead);
    expect(repo.git(["status", "--porcelain"])).toBe("");
    expect(repo.read("shared.txt")).toBe("one\nMAIN\nthree\n");
    expect(repo.git(["rev-parse", "--verify", t.branch])).toMatch(/^[0-9a-f]{40}$/);
  });

  it("keeps the integration branch's PRD: the agent's tick and a PRD conflict do not count", async () => {
    const t = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "alpha", base });
    repo.commit("work + tick", { "feature.txt": "done\n", "PRD.md": setTaskChecked(PRD, alpha, true) }, t.path);
    // Same line as the agent's tick: a real conflict in the PRD alone.
    const edited = PRD.replace("Alpha", "Alpha (owner: Kim)");
    const personsCommit = repo.commit("person edits the PRD", { "PRD.md": edited });
    const without = await mergeTaskBranch({ root: repo.root, branch: t.branch, taskId: alpha });
    expect(without).toMatchObject({ status: "conflict", paths: ["PRD.md"] });

    const result = await mergeTaskBranch({ root: repo.root, branch: t.branch, taskId: alpha, keepPaths: ["PRD.md"] });
    expect(result.status).toBe("merged");
    // Still a merge of the task's tip (not a squash or a copy), though the PRD side was dropped.
    expect(repo.git(["rev-list", "--parents", "-n", "1", "HEAD"]).split(" ").slice(1))
      .toEqual([personsCommit, repo.git(["rev-parse", t.branch])]);
    expect(repo.read("PRD.md")).toBe(edited);
    expect(repo.git(["diff", "HEAD^1", "HEAD", "--name-only"])).toBe("feature.txt");
    expect(repo.read("feature.txt")).toBe("done\n");
  });

  it("a branch that deletes the PRD and force-adds files under .csess/ merges with neither change", async () => {
    const t = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "alpha", base });
    repo.git(["rm", "-q", "PRD.md"], t.path);
    repo.write(".csess/planted.txt", "evil\n", t.path);
    repo.git(["add", "-f", ".csess/planted.txt"], t.path);
    repo.commit("work, PRD gone, state planted", { "feature.txt": "done\n" }, t.path);
    const result = await mergeTaskBranch({ root: repo.root, branch: t.branch, taskId: alpha, keepPaths: ["PRD.md"] });
    expect(result.status).toBe("merged");
    expect(repo.git(["diff", "--name-status", "HEAD^1", "HEAD"])).toBe("A\tfeature.txt");
    expect(repo.read("PRD.md")).toBe(PRD);
    // Merging it again (a resumed landing) finds it merged and makes no second commit.
    expect(await mergeTaskBranch({ root: repo.root, branch: t.branch, taskId: alpha, keepPaths: ["PRD.md"] }))
      .toMatchObject({ status: "merged", commit: result.commit, message: expect.stringMatching(/already merged/) });
  });

  it("a batch keeps a nested kept path and a committed .csess/ file of the integration branch through every merge of the chain", async () => {
    repo.commit("user's own files", { "docs/PRD.md": "# Docs plan\n- [ ] One\n", ".csess/team.json": "{}\n" });
    const start = repo.git(["rev-parse", "HEAD"]);
    const tasks = await Promise.all(["one", "two"].map((slug) => addTaskWorktree({ root: repo.root, runId: "r1", slug, base: start })));
    repo.commit("work + edits the kept paths", { "one.txt": "1\n", "docs/PRD.md": "# Docs plan\n- [x] One\n", ".csess/team.json": "{\"evil\":1}\n" }, tasks[0]!.path);
    repo.git(["rm", "-q", "-r", "docs", ".csess/team.json"], tasks[1]!.path);
    repo.commit("work + deletes the kept paths", { "two.txt": "2\n" }, tasks[1]!.path);
    const results = await mergeTaskBranches({
      root: repo.root, keepPaths: ["docs/PRD.md"], tasks: tasks.map((t, i) => ({ branch: t.branch, taskId: [alpha, "bbbbbb"][i]! })),
    });
    expect(results.map((r) => r.status)).toEqual(["merged", "merged"]);
    expect(repo.git(["diff", "--name-status", start, "HEAD"]).split("\n").sort()).toEqual(["A\tone.txt", "A\ttwo.txt"]);
    expect(repo.git(["show", "HEAD:docs/PRD.md"])).toBe("# Docs plan\n- [ ] One");
    expect(repo.git(["show", "HEAD:.csess/team.json"])).toBe("{}");
  });

  it("kept names in the root tree (rebuilt with mktree) and kept paths below it (through an index) come out as the integration branch has them", async () => {
    repo.commit("user's own files", { "docs/PRD.md": "# Docs plan\n- [ ] One\n", ".csess/team.json": "{}\n", "docs/guide.md": "read me\n" });
    const start = repo.git(["rev-parse", "HEAD"]);
    /** The tree `merged` should become: every kept path as in `start`, through a private index and porcelain commands. */
    const expectedTree = (merged: string, keep: string[]) => {
      const env = { ...GIT_ENV, GIT_INDEX_FILE: join(repo.root, ".git", "oracle-index") };
      const git = (args: string[], input?: string) => execFileSync("git", args, { cwd: repo.root, env, encoding: "utf8", ...(input === undefined ? {} : { input }) }).trim();
      git(["read-tree", merged]);
      git(["rm", "--cached", "-r", "-q", "-f", "--ignore-unmatch", "--", ...keep]);
      const kept = git(["ls-tree", "-r", start, "--", ...keep]);
      if (kept) git(["update-index", "--index-info"], `${kept}\n`);
      return git(["write-tree"]);
    };
    for (const keepPaths of [["PRD.md", "docs/"], ["docs/PRD.md"]]) {
      const run = keepPaths.join(",").replace(/[^a-z]/gi, "");
      const tasks = await Promise.all(["one", "two", "three"].map((slug) => addTaskWorktree({ root: repo.root, runId: run, slug, base: start })));
      // Edits every kept path; deletes them; turns a kept file into a folder and adds to a kept folder.
      // (Messages name the round: the same commit made twice in one second would be "merged already".)
      repo.commit(`edits ${run}`, { "one.txt": "1\n", "PRD.md": "changed\n", "docs/PRD.md": "x\n", "docs/new.md": "n\n", ".csess/team.json": "{\"evil\":1}\n" }, tasks[0]!.path);
      repo.git(["rm", "-q", "-r", "docs", ".csess/team.json", "PRD.md"], tasks[1]!.path);
      repo.commit(`deletes ${run}`, { "two.txt": "2\n" }, tasks[1]!.path);
      repo.git(["rm", "-q", "PRD.md"], tasks[2]!.path);
      repo.commit(`a folder ${run}`, { "three.txt": "3\n", "PRD.md/inside.md": "i\n", ".csess/new/x": "x\n" }, tasks[2]!.path);
      const before = repo.git(["rev-parse", "HEAD"]);
      // The user's own staged change: trees are built in a private index, never theirs.
      repo.write("notes.txt", `staged ${run}\n`);
      repo.git(["add", "notes.txt"]);
      const results = await mergeTaskBranches({ root: repo.root, keepPaths, tasks: tasks.map((t, i) => ({ branch: t.branch, taskId: [alpha, beta, "cccccc"][i]! })) });
      expect(repo.git(["show", ":notes.txt"]), keepPaths.join()).toBe(`staged ${run}`);
      // Below the root, PRD.md is an ordinary file: the later tasks' changes to it conflict with the first's.
      expect(results.map((r) => r.status), keepPaths.join()).toEqual(keepPaths.includes("PRD.md") ? ["merged", "merged", "merged"] : ["merged", "conflict", "conflict"]);
      let previous = before;
      for (const [i, result] of results.entries()) {
        if (result.status !== "merged") continue;
        const merged = repo.git(["merge-tree", "--write-tree", previous, repo.git(["rev-parse", tasks[i]!.branch])]).split("\n")[0]!;
        expect(repo.git(["rev-parse", `${result.commit}^{tree}`]), `${keepPaths.join()} merge ${i}`).toBe(expectedTree(merged, [...keepPaths, ".csess/"]));
        previous = result.commit!;
      }
    }
  });

  it("a kept folder (\"docs/\") conflicting with the task is kept the same way with or without a check of the merge result", async () => {
    repo.commit("user's docs", { "docs/a.md": "one\ntwo\n" });
    const start = repo.git(["rev-parse", "HEAD"]);
    const tasks = await Promise.all([0, 1].map((i) => addTaskWorktree({ root: repo.root, runId: "r1", slug: `docs-${i}`, base: start })));
    for (const [i, t] of tasks.entries()) repo.commit("work + its own docs edit", { [`work-${i}.txt`]: "w\n", "docs/a.md": `one\nTASK ${i}\n` }, t.path);
    repo.commit("the user edits the same line meanwhile", { "docs/a.md": "one\nMAIN\n" });
    // The first merge runs as the batch script, the second (with a check) step by step: the same rule.
    const plain = await mergeTaskBranch({ root: repo.root, branch: tasks[0]!.branch, taskId: alpha, keepPaths: ["docs/"] });
    const checked = await mergeTaskBranch({ root: repo.root, branch: tasks[1]!.branch, taskId: beta, keepPaths: ["docs/"], testMerge: async () => undefined });
    expect([plain.status, checked.status]).toEqual(["merged", "merged"]);
    expect(repo.git(["show", "HEAD:docs/a.md"])).toBe("one\nMAIN");
    expect(repo.git(["diff", "--name-only", start, "HEAD"]).split("\n").sort()).toEqual(["docs/a.md", "work-0.txt", "work-1.txt"]);
  });

  it("merges a batch in order, each onto the one before, leaves a conflicting branch out, and moves main once", async () => {
    const a = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "a", base });
    const b = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "b", base });
    const c = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "c", base });
    repo.commit("a", { "a.txt": "a\n", "shared.txt": "one\nA\nthree\n" }, a.path);
    repo.commit("b", { "b.txt": "b\n", "shared.txt": "one\nB\nthree\n" }, b.path); // conflicts with a
    repo.commit("c", { "c.txt": "c\n" }, c.path);
    const reflogBefore = repo.git(["reflog", "show", "--format=%H", "main"]).split("\n").length;
    const results = await mergeTaskBranches({
      root: repo.root, keepPaths: ["PRD.md"],
      tasks: [{ branch: a.branch, taskId: alpha, title: "Alpha" }, { branch: b.branch, taskId: beta }, { branch: c.branch, taskId: "cccccc" }],
    });
    expect(results.map((r) => r.status)).toEqual(["merged", "conflict", "merged"]);
    expect(results[1]!.paths).toEqual(["shared.txt"]);
    const parents = (commit: string) => repo.git(["rev-list", "--parents", "-n", "1", commit]).split(" ").slice(1);
    expect(parents(results[0]!.commit!)).toEqual([base, repo.git(["rev-parse", a.branch])]);
    expect(parents(results[2]!.commit!)).toEqual([results[0]!.commit, repo.git(["rev-parse", c.branch])]);
    expect(repo.git(["rev-parse", "main"])).toBe(results[2]!.commit);
    expect(repo.git(["reflog", "show", "--format=%H", "main"]).split("\n").length).toBe(reflogBefore + 1); // one move
    expect(repo.git(["status", "--porcelain"])).toBe("");
    expect([repo.read("a.txt"), repo.read("c.txt"), repo.read("shared.txt")]).toEqual(["a\n", "c\n", "one\nA\nthree\n"]);
  });

  it("a batch the checkout refuses (the user's edits overlap one task) is merged one by one: only that task is refused", async () => {
    const a = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "a", base });
    const b = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "b", base });
    repo.commit("a", { "a.txt": "a\n" }, a.path);
    repo.commit("b", { "notes.txt": "changed by b\n" }, b.path);
    repo.write("notes.txt", "the user's own edit\n");
    const results = await mergeTaskBranches({ root: repo.root, tasks: [{ branch: a.branch, taskId: alpha }, { branch: b.branch, taskId: beta }] });
    expect(results.map((r) => r.status)).toEqual(["merged", "refused"]);
    expect(results[1]!.message).toMatch(/uncommitted changes .* notes\.txt/);
    expect(repo.git(["rev-parse", "main"])).toBe(results[0]!.commit);
    expect(repo.read("notes.txt")).toBe("the user's own edit\n");
    expect(repo.read("a.txt")).toBe("a\n");
  });

  it("keeps the user's uncommitted changes byte-identical through merges and a tick commit", async () => {
    const t = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "alpha", base });
    repo.commit(`feat: alpha\n\nCsess-Task: ${alpha}`, { "feature.txt": "alpha\n", "PRD.md": setTaskChecked(PRD, alpha, true) }, t.path);
    // The person keeps working in the main checkout meanwhile.
    repo.write("notes.txt", "keep\nmy unsaved thought\n");
    repo.write("scratch.txt", "untracked\r\n");
    const editedPrd = PRD.replace("- [ ] Beta\r\n", "- [ ] Beta\r\n- [ ] Gamma, added by hand\r\n");
    repo.write("PRD.md", editedPrd);
    repo.git(["add", "notes.txt"]); // staged, too
    const before = fileSnapshot(["notes.txt", "scratch.txt", "PRD.md"]);
    const stagedBefore = repo.git(["diff", "--cached", "--name-only"]);

    const merged = await mergeTaskBranch({ root: repo.root, branch: t.branch, taskId: alpha, keepPaths: ["PRD.md"] });
    expect(merged.status).toBe("merged");
    const tick = await commitFileChange({
      root: repo.root,
      path: "PRD.md",
      edit: (text) => setTaskChecked(text, alpha, true),
      message: withTaskTrailer(`csess: tick ${alpha}`, undefined, alpha),
    });
    expect(tick.status).toBe("committed");

    expect(fileSnapshot(["notes.txt", "scratch.txt", "PRD.md"])).toEqual(before);
    expect(repo.git(["diff", "--cached", "--name-only"])).toBe(stagedBefore);
    expect(repo.read("feature.txt")).toBe("alpha\n");
    // The tick is committed; the person's Gamma line is still only theirs, uncommitted.
    expect(repo.git(["show", "main:PRD.md"])).toBe(setTaskChecked(PRD, alpha, true).replace(/\r?\n$/, ""));
    expect(repo.git(["diff", "PRD.md"])).toContain("+- [ ] Gamma, added by hand");
    expect(repo.git(["diff", "PRD.md"])).toContain("-- [x] Alpha");
    expect(repo.git(["log", "-1", "--format=%(trailers:key=Csess-Task,valueonly)"])).toBe(alpha);
    // The runner then ticks the working file too: only the person's own line is left uncommitted.
    await updatePrdFile(join(repo.root, "PRD.md"), alpha, true);
    expect(repo.git(["diff", "--numstat", "PRD.md"])).toBe("1\t0\tPRD.md");
  });

  it("refuses, touching nothing, when the user's local edits overlap the task's changes", async () => {
    const t = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "alpha", base });
    repo.commit("task edit", { "notes.txt": "changed by the task\n", "new.txt": "from task\n" }, t.path);
    repo.write("notes.txt", "my local edit\n");
    const head = repo.git(["rev-parse", "HEAD"]);

    const result = await mergeTaskBranch({ root: repo.root, branch: t.branch, taskId: alpha });
    expect(result).toMatchObject({ status: "refused", paths: ["notes.txt"] });
    expect(result.message).toMatch(/uncommitted changes .* notes\.txt/);
    expect(repo.git(["rev-parse", "HEAD"])).toBe(head);
    expect(repo.read("notes.txt")).toBe("my local edit\n");
    expect(repo.git(["status", "--porcelain"])).toBe("M notes.txt");
  });

  it("refuses when an untracked file of the user's would be overwritten", async () => {
    const t = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "alpha", base });
    repo.commit("task adds file", { "report.txt": "task\n" }, t.path);
    repo.write("report.txt", "mine\n");
    const result = await mergeTaskBranch({ root: repo.root, branch: t.branch, taskId: alpha });
    expect(result).toMatchObject({ status: "refused", paths: ["report.txt"] });
    expect(repo.read("report.txt")).toBe("mine\n");
  });

  it("merges into a branch that is not checked out by moving only the ref", async () => {
    repo.git(["branch", "integration"]);
    const t = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "alpha", base });
    repo.commit("task", { "x.txt": "x\n" }, t.path);
    const result = await mergeTaskBranch({ root: repo.root, branch: t.branch, taskId: alpha, into: "integration" });
    expect(result.status).toBe("merged");
    expect(repo.git(["rev-parse", "integration"])).toBe(result.commit);
    expect(repo.git(["rev-parse", "main"])).toBe(base);
  });

  it("commits a chain of changes to one file, one commit each, moving the branch and the index once", async () => {
    const tick = (id: string) => ({ edit: (text: string) => setTaskChecked(text, id, true), message: withTaskTrailer(`tick ${id}`, undefined, id) });
    const reflogBefore = repo.git(["reflog", "show", "--format=%H", "main"]).split("\n").length;
    const results = await commitFileChanges({ root: repo.root, path: "PRD.md", changes: [tick(alpha), tick(alpha), tick(beta)] });
    expect(results.map((r) => r.status)).toEqual(["committed", "unchanged", "committed"]);
    expect(repo.git(["rev-parse", "main"])).toBe(results[2]!.commit);
    expect(repo.git(["rev-parse", "main^"])).toBe(results[0]!.commit);
    // Each commit has its own message and its own version of the file.
    expect(repo.git(["log", "-1", "--format=%(trailers:key=Csess-Task,valueonly)", results[0]!.commit!])).toBe(alpha);
    expect(repo.git(["log", "-1", "--format=%(trailers:key=Csess-Task,valueonly)", results[2]!.commit!])).toBe(beta);
    expect(repo.git(["show", `${results[0]!.commit}:PRD.md`])).toBe(setTaskChecked(PRD, alpha, true).replace(/\r?\n$/, ""));
    expect(repo.git(["reflog", "show", "--format=%H", "main"]).split("\n").length).toBe(reflogBefore + 1);
    expect(repo.git(["show", "main:PRD.md"])).toBe(setTaskChecked(setTaskChecked(PRD, alpha, true), beta, true).replace(/\r?\n$/, ""));
    // The index follows the branch: the only difference left is the working file, which the caller writes.
    expect(repo.git(["diff", "--cached", "--name-only"])).toBe("");
  });

  it("finishes the index sync of a commit that was killed after moving the branch", async () => {
    const staleIndex = repo.git(["ls-files", "-s", "PRD.md"]).split(/\s+/);
    const tick = await commitFileChange({ root: repo.root, path: "PRD.md", edit: (t) => setTaskChecked(t, beta, true), message: "tick\n" });
    expect(tick.status).toBe("committed");
    // As if the process died right after update-ref: the index still holds the old blob.
    repo.git(["update-index", "--cacheinfo", `${staleIndex[0]},${staleIndex[1]},PRD.md`]);
    expect(repo.git(["diff", "--cached", "--name-only"])).toBe("PRD.md"); // a staged revert of the tick
    const again = await commitFileChange({ root: repo.root, path: "PRD.md", edit: (t) => setTaskChecked(t, beta, true), message: "tick\n" });
    expect(again.status).toBe("unchanged");
    expect(repo.git(["diff", "--cached", "--name-only"])).toBe(""); // the index matches the branch again
  });

  it("redoes the commit on top of a commit that moved the branch while the change was being made (compare-and-swap)", async () => {
    let calls = 0;
    const edit = (text: string) => {
      // The user commits on main between csess reading the PRD and moving the branch.
      if (++calls === 1) repo.commit("user commits meanwhile", { "notes.txt": "the user's line\n" });
      return setTaskChecked(text, beta, true);
    };
    const tick = await commitFileChange({ root: repo.root, path: "PRD.md", edit, message: "tick\n" });
    expect(tick.status).toBe("committed");
    expect(calls).toBe(2);
    expect(repo.git(["log", "--format=%s", "-2", "main"]).split("\n")).toEqual(["tick", "user commits meanwhile"]);
    expect(repo.git(["show", "main:notes.txt"])).toBe("the user's line");
    expect(repo.git(["show", "main:PRD.md"])).toBe(setTaskChecked(PRD, beta, true).replace(/\r?\n$/, ""));
  });

  it("commits nothing for a file that is not committed on the branch, or is a folder there, and keeps an executable file's mode", async () => {
    expect(await commitFileChange({ root: repo.root, path: "NOT-COMMITTED.md", edit: (t) => t + "x", message: "m\n" })).toMatchObject({ status: "untracked" });
    repo.commit("a folder and a script", { "docs/plan.md": "- [ ] One\n", "run me.sh": "#!/bin/sh\n" });
    repo.git(["update-index", "--chmod=+x", "run me.sh"]);
    repo.git(["commit", "-q", "-m", "make it executable"]);
    const head = repo.git(["rev-parse", "main"]);
    expect(await commitFileChange({ root: repo.root, path: "docs", edit: (t) => t + "x", message: "m\n" })).toMatchObject({ status: "untracked" });
    expect(repo.git(["rev-parse", "main"])).toBe(head);
    const edited = await commitFileChange({ root: repo.root, path: "run me.sh", edit: (t) => t + "echo hi\n", message: "edit script\n" });
    expect(edited.status).toBe("committed");
    expect(repo.git(["ls-tree", "main", "--", "run me.sh"])).toMatch(/^100755 blob /);
    expect(repo.git(["show", "main:run me.sh"])).toBe("#!/bin/sh\necho hi");
    expect(repo.git(["diff", "--cached", "--name-only"])).toBe(""); // the index entry followed, mode and all
  });

  it("a file in the root tree (tree rebuilt with mktree) and one below it (through an index): each commit changes that file and nothing else", async () => {
    repo.commit("more files", { "docs/plan.md": "- [ ] One\n", "docs/other.md": "o\n", "run.sh": "#!/bin/sh\n", "src/a.ts": "a\n", "z.txt": "z\n" });
    repo.git(["update-index", "--chmod=+x", "run.sh"]);
    repo.git(["commit", "-q", "-m", "make it executable"]);
    // The user's own staged change: trees are built in a private index, never theirs.
    repo.write("src/a.ts", "staged by the user\n");
    repo.git(["add", "src/a.ts"]);
    for (const path of ["run.sh", "docs/plan.md", "z.txt"]) {
      const before = repo.git(["rev-parse", "main"]);
      const lsBefore = repo.git(["ls-tree", "-r", before]);
      const results = await commitFileChanges({ root: repo.root, path, changes: [1, 2].map((n) => ({ edit: (t: string) => `${t}edit ${n}\n`, message: `edit ${n}\n` })) });
      expect(results.map((r) => r.status), path).toEqual(["committed", "committed"]);
      expect(repo.git(["diff", "--name-status", before, results[0]!.commit!]), path).toBe(`M\t${path}`);
      expect(repo.git(["diff", "--name-status", results[0]!.commit!, results[1]!.commit!]), path).toBe(`M\t${path}`);
      expect(repo.git(["show", `${results[1]!.commit}:${path}`])).toMatch(/edit 1\nedit 2$/);
      // Everything else, modes included, is as it was.
      const others = (ls: string) => ls.split("\n").filter((line) => !line.endsWith(`\t${path}`));
      expect(others(repo.git(["ls-tree", "-r", "main"]))).toEqual(others(lsBefore));
      expect(repo.git(["ls-tree", "main", "--", path]).slice(0, 6)).toBe(lsBefore.split("\n").find((l) => l.endsWith(`\t${path}`))!.slice(0, 6));
      expect(repo.git(["diff", "--cached", "--name-only"]), path).toBe("src/a.ts");
      expect(repo.git(["show", ":src/a.ts"])).toBe("staged by the user");
    }
  });

  it("leaves the index alone when the user staged their own version of the file", async () => {
    repo.write("PRD.md", PRD.replace("Beta", "Beta (staged)"));
    repo.git(["add", "PRD.md"]);
    const staged = repo.git(["ls-files", "-s", "PRD.md"]);
    const tick = await commitFileChange({ root: repo.root, path: "PRD.md", edit: (t) => setTaskChecked(t, beta, true), message: "tick\n" });
    expect(tick.status).toBe("committed");
    expect(repo.git(["ls-files", "-s", "PRD.md"])).toBe(staged);
    expect(await commitFileChange({ root: repo.root, path: "PRD.md", edit: (t) => t, message: "noop\n" })).toMatchObject({ status: "unchanged" });
  });
});
