import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePrd, setTaskChecked } from "@csess/prd";
import { addTaskWorktree, checkCommitIdentity, commitFileChange, commitFileChanges, mergeTaskBranch, mergeTaskBranches, withTaskTrailer } from "../src/index.js";
import { makeRepo, freshRepoEachTest, type TestRepo } from "./helpers.js";

// What merges and tick commits leave in git, and what they tell a person, in the cases merge.test.ts
// does not reach: missing branches, a failing check, a branch that keeps moving, a busy index, a
// repository without an identity.
const PRD = "# Plan\n\n- [ ] Alpha\n- [ ] Beta\n";
const [alpha, beta] = parsePrd(PRD).tasks.map((t) => t.id) as [string, string];

let repo: TestRepo;
let base: string;
freshRepoEachTest(PRD, (r, b) => ((repo = r), (base = b)));

/** A task branch from `from` with one commit writing `files`. */
async function taskBranch(slug: string, files: Record<string, string>, from = base) {
  const t = await addTaskWorktree({ root: repo.root, runId: "r1", slug, base: from });
  repo.commit(`work ${slug}`, files, t.path);
  return t;
}

const scratchDirs = () => readdirSync(join(repo.root, ".git")).filter((n) => n.startsWith("csess-scratch-"));
const lockPurpose = () => (JSON.parse(readFileSync(join(repo.root, ".git", "csess.lock"), "utf8")) as { purpose: string }).purpose;
const parents = (commit: string) => repo.git(["rev-list", "--parents", "-n", "1", commit]).split(" ").slice(1);
const tick = (id: string) => ({ edit: (text: string) => setTaskChecked(text, id, true), message: withTaskTrailer(`tick ${id}`, undefined, id) });

/** Runs `fn` with git unable to find an identity for commits (no config, no environment). */
async function withoutIdentity<T>(fn: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  for (const key of Object.keys(process.env)) if (/^GIT_(AUTHOR|COMMITTER)_|^EMAIL$/.test(key)) delete process.env[key];
  process.env.GIT_CONFIG_GLOBAL = "/dev/null";
  process.env.GIT_CONFIG_NOSYSTEM = "1";
  repo.git(["config", "--unset", "user.email"]);
  repo.git(["config", "--unset", "user.name"]);
  repo.git(["config", "user.useConfigOnly", "true"]);
  try {
    return await fn();
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

describe("merging task branches: what the results say", () => {
  it("refuses a task branch that does not exist, naming it, and still merges the others", async () => {
    const a = await taskBranch("a", { "a.txt": "a\n" });
    const results = await mergeTaskBranches({ root: repo.root, tasks: [{ branch: "csess/r1/gone", taskId: alpha }, { branch: a.branch, taskId: beta }] });
    expect(results[0]).toEqual({ status: "refused", message: `task branch csess/r1/gone does not exist in ${repo.root}; nothing merged` });
    const head = repo.git(["rev-parse", "main"]);
    expect(results[1]).toEqual({ status: "merged", commit: head, message: `merged ${a.branch} into main as ${head.slice(0, 12)}` });
    // No title: the subject is the task id alone.
    expect(repo.git(["log", "-1", "--format=%s", head])).toBe(`Merge csess task ${beta}`);
    expect(scratchDirs()).toEqual([]); // the private index and messages are gone
  });

  it("throws when the integration branch does not exist, or HEAD is detached, or the repository has no commits", async () => {
    const a = await taskBranch("a", { "a.txt": "a\n" });
    await expect(mergeTaskBranch({ root: repo.root, branch: a.branch, taskId: alpha, into: "nope" }))
      .rejects.toThrow(`integration branch nope does not exist in ${repo.root}`);
    repo.git(["checkout", "-q", "--detach"]);
    await expect(mergeTaskBranch({ root: repo.root, branch: a.branch, taskId: alpha })).rejects.toThrow(/has a detached HEAD/);
    const empty = makeRepo();
    try {
      await expect(mergeTaskBranch({ root: empty.root, branch: "x", taskId: alpha })).rejects.toThrow(/has no commits yet/);
    } finally {
      empty.cleanup();
    }
  });

  it("a failing check keeps the branch and main, says why, and holds the lock with its purpose meanwhile; scratch files stay out of the user's sight", async () => {
    const a = await taskBranch("a", { "a.txt": "a\n" });
    const b = await taskBranch("b", { "b.txt": "b\n" });
    const seen: Array<{ purpose: string; status: string; scratch: number }> = [];
    const results = await mergeTaskBranches({
      root: repo.root, tasks: [{ branch: a.branch, taskId: alpha }, { branch: b.branch, taskId: beta }],
      testMerge: async (commit) => {
        seen.push({ purpose: lockPurpose(), status: repo.git(["status", "--porcelain"]), scratch: scratchDirs().length });
        return repo.git(["ls-tree", "--name-only", commit]).includes("b.txt") ? "npm test failed (exit 1)" : undefined;
      },
    });
    expect(results[0]).toMatchObject({ status: "merged", message: `merged ${a.branch} into main as ${results[0]!.commit!.slice(0, 12)}` });
    expect(results[1]).toMatchObject({ status: "check-failed", message: `npm test failed (exit 1); branch ${b.branch} kept, main unchanged` });
    expect(parents(results[1]!.commit!)).toEqual([results[0]!.commit, repo.git(["rev-parse", b.branch])]);
    expect(repo.git(["rev-parse", "main"])).toBe(results[0]!.commit);
    expect(seen).toEqual([1, 2].map(() => ({ purpose: `merge ${a.branch}, ${b.branch}`, status: "", scratch: 1 })));
    expect(scratchDirs()).toEqual([]);
  });

  it("conflicts only in kept paths (the PRD, .csess/) do not count, also when each merge is checked", async () => {
    repo.commit("state", { ".csess/state.json": "{}\n" });
    const start = repo.git(["rev-parse", "HEAD"]);
    const t = await taskBranch("a", { "PRD.md": setTaskChecked(PRD, alpha, true), ".csess/state.json": "{\"task\":1}\n", "a.txt": "a\n" }, start);
    const mainPrd = PRD.replace("Alpha", "Alpha (owner: Kim)");
    const mainHead = repo.commit("main edits", { "PRD.md": mainPrd, ".csess/state.json": "{\"main\":1}\n" });
    const checked: string[] = [];
    const result = await mergeTaskBranch({
      root: repo.root, branch: t.branch, taskId: alpha, keepPaths: ["PRD.md"], testMerge: async (commit) => void checked.push(commit),
    });
    expect(result).toMatchObject({ status: "merged" });
    expect(checked).toEqual([result.commit]);
    expect(parents(result.commit!)).toEqual([mainHead, repo.git(["rev-parse", t.branch])]);
    expect(repo.git(["diff", "--name-only", mainHead, "main"])).toBe("a.txt");
  });

  it("reports every real conflict, and only those, when kept paths conflict too", async () => {
    repo.commit("state", { ".csess/state.json": "{}\n" });
    const start = repo.git(["rev-parse", "HEAD"]);
    const t = await taskBranch("a", {
      "PRD.md": setTaskChecked(PRD, alpha, true), ".csess/state.json": "{\"task\":1}\n", "notes.txt": "task\n", "shared.txt": "one\nTASK\nthree\n",
    }, start);
    const mainHead = repo.commit("main edits", {
      "PRD.md": PRD.replace("Alpha", "Alpha (owner: Kim)"), ".csess/state.json": "{\"main\":1}\n", "notes.txt": "main\n", "shared.txt": "one\nMAIN\nthree\n",
    });
    for (const testMerge of [undefined, async () => undefined]) {
      const result = await mergeTaskBranch({ root: repo.root, branch: t.branch, taskId: alpha, keepPaths: ["PRD.md"], ...(testMerge ? { testMerge } : {}) });
      expect(result).toEqual({
        status: "conflict", paths: ["notes.txt", "shared.txt"], message: `${t.branch} conflicts with main in notes.txt, shared.txt; branch kept, main unchanged`,
      });
      expect(repo.git(["rev-parse", "main"])).toBe(mainHead);
    }
  });

  it("without keepPaths no path is kept: any file of a task merges, and conflicts, like any other", async () => {
    // The name is the placeholder StrykerJS puts into an emptied list: no name may be special.
    const name = "Stryker was here";
    const a = await taskBranch("a", { [name]: "from a\n" });
    expect((await mergeTaskBranch({ root: repo.root, branch: a.branch, taskId: alpha })).status).toBe("merged");
    expect(repo.git(["show", `main:${name}`])).toBe("from a");
    const start = repo.git(["rev-parse", "main"]);
    const b = await taskBranch("b", { [name]: "from b\n" }, start);
    const mainHead = repo.commit("main edits it", { [name]: "from main\n" });
    const result = await mergeTaskBranch({ root: repo.root, branch: b.branch, taskId: beta });
    expect(result).toMatchObject({ status: "conflict", paths: [name] });
    expect(repo.git(["rev-parse", "main"])).toBe(mainHead);
  });

  it("merges a branch whose change main already has by another commit: a real merge commit, not 'already merged'", async () => {
    const t = await taskBranch("a", { "x.txt": "x\n" });
    const mainHead = repo.commit("the same change, made on main", { "x.txt": "x\n" });
    const result = await mergeTaskBranch({ root: repo.root, branch: t.branch, taskId: alpha });
    expect(result.status).toBe("merged");
    expect(parents(result.commit!)).toEqual([mainHead, repo.git(["rev-parse", t.branch])]);
    expect(repo.git(["rev-parse", "main"])).toBe(result.commit);
    expect(repo.git(["rev-parse", "main^{tree}"])).toBe(repo.git(["rev-parse", `${mainHead}^{tree}`]));
  });

  it("an orphan task branch is an error in git's words, and nothing moves", async () => {
    repo.git(["checkout", "-q", "--orphan", "orphan"]);
    repo.git(["rm", "-q", "-r", "--cached", "."]);
    repo.commit("unrelated", { "o.txt": "o\n" });
    repo.git(["checkout", "-q", "-f", "main"]);
    await expect(mergeTaskBranch({ root: repo.root, branch: "orphan", taskId: alpha }))
      .rejects.toThrow(/^git merge-tree --write-tree [^]* failed with exit 128: fatal: refusing to merge unrelated histories$/);
    expect(repo.git(["rev-parse", "main"])).toBe(base);
  });

  it("without an identity for commits, merging fails with git's words and moves nothing", async () => {
    const t = await taskBranch("a", { "a.txt": "a\n" });
    await withoutIdentity(async () => {
      await expect(mergeTaskBranch({ root: repo.root, branch: t.branch, taskId: alpha }))
        .rejects.toThrow(/^git \(script: read the commit identity\) failed with exit 128: [^]*no email was given/);
    });
    expect(repo.git(["rev-parse", "main"])).toBe(base);
  });
});

describe("checkCommitIdentity: who commits, asked before a run starts", () => {
  it("fails with git's words when nobody is set, and resolves once an identity is there", async () => {
    await withoutIdentity(async () => {
      await expect(checkCommitIdentity(repo.root)).rejects.toThrow(/^git \(script: read the commit identity\) failed with exit 128: [^]*no email was given/);
      repo.git(["config", "user.name", "Late Setter"]);
      repo.git(["config", "user.email", "late@example.com"]);
      await expect(checkCommitIdentity(repo.root)).resolves.toBeUndefined(); // a failure is not kept: asked again
      const t = await taskBranch("a", { "a.txt": "a\n" });
      const merged = await mergeTaskBranch({ root: repo.root, branch: t.branch, taskId: alpha });
      expect(repo.git(["log", "-1", "--format=%an <%ae>|%cn <%ce>", merged.commit!])).toBe("Late Setter <late@example.com>|Late Setter <late@example.com>");
    });
  });
});

describe("merging while the integration branch moves", () => {
  it("redoes the merge on top of a commit the user made while it was checked, in the checkout", async () => {
    const t = await taskBranch("a", { "a.txt": "a\n" });
    let user = "";
    let calls = 0;
    const result = await mergeTaskBranch({
      root: repo.root, branch: t.branch, taskId: alpha,
      testMerge: async () => {
        if (++calls === 1) user = repo.commit("the user's commit", { "u.txt": "u\n" });
        return undefined;
      },
    });
    expect(calls).toBe(2);
    expect(result.status).toBe("merged");
    expect(parents(result.commit!)).toEqual([user, repo.git(["rev-parse", t.branch])]);
    expect(repo.git(["rev-parse", "main"])).toBe(result.commit);
  });

  it("redoes the merge into a branch that is not checked out when that ref moved meanwhile", async () => {
    repo.git(["branch", "integration"]);
    const t = await taskBranch("a", { "a.txt": "a\n" });
    let moved = "";
    let calls = 0;
    const result = await mergeTaskBranch({
      root: repo.root, branch: t.branch, taskId: alpha, into: "integration",
      testMerge: async () => {
        if (++calls === 1) {
          moved = repo.git(["commit-tree", "-p", "integration", "-m", "elsewhere", "integration^{tree}"]);
          repo.git(["update-ref", "refs/heads/integration", moved]);
        }
        return undefined;
      },
    });
    expect(calls).toBe(2);
    expect(result.status).toBe("merged");
    expect(result.message).toBe(`merged ${t.branch} into integration as ${result.commit!.slice(0, 12)}`);
    expect(parents(result.commit!)).toEqual([moved, repo.git(["rev-parse", t.branch])]);
    expect(repo.git(["rev-parse", "integration"])).toBe(result.commit);
  });

  it("a failed check is the answer even when the branch moved meanwhile: nothing to move, nothing redone", async () => {
    repo.git(["branch", "integration"]);
    const t = await taskBranch("a", { "a.txt": "a\n" });
    let calls = 0;
    const result = await mergeTaskBranch({
      root: repo.root, branch: t.branch, taskId: alpha, into: "integration",
      testMerge: async () => {
        if (++calls === 1) repo.git(["update-ref", "refs/heads/integration", repo.git(["commit-tree", "-p", "integration", "-m", "elsewhere", "integration^{tree}"])]);
        return "lint failed";
      },
    });
    expect(calls).toBe(1);
    expect(result).toMatchObject({ status: "check-failed", message: `lint failed; branch ${t.branch} kept, integration unchanged` });
    expect(parents(result.commit!)).toEqual([base, repo.git(["rev-parse", t.branch])]);
  });

  it("gives up after three tries when main keeps moving, naming the batch", async () => {
    const a = await taskBranch("a", { "a.txt": "a\n" });
    const b = await taskBranch("b", { "b.txt": "b\n" });
    let calls = 0;
    const results = await mergeTaskBranches({
      root: repo.root, tasks: [{ branch: a.branch, taskId: alpha }, { branch: b.branch, taskId: beta }],
      testMerge: async () => {
        // Main moves under every check of the first five tries (more than the three it gets).
        if (++calls <= 10) repo.commit(`user ${calls}`, { "u.txt": `${calls}\n` });
        return undefined;
      },
    });
    expect(calls).toBe(6);
    const message = `main kept moving while merging ${a.branch}, ${b.branch}; try again`;
    expect(results).toEqual([{ status: "refused", message }, { status: "refused", message }]);
    expect(repo.git(["log", "-1", "--format=%s", "main"])).toBe("user 6");
  });
});

describe("merging into a checkout that refuses", () => {
  it("refuses in git's words when the checkout's index is locked by another git command", async () => {
    const t = await taskBranch("a", { "a.txt": "a\n" });
    writeFileSync(join(repo.root, ".git", "index.lock"), "");
    try {
      const result = await mergeTaskBranch({ root: repo.root, branch: t.branch, taskId: alpha });
      expect(result).toEqual({
        status: "refused",
        message: `not merging ${t.branch} into main: Unable to create '${repo.root}/.git/index.lock': File exists. (branch kept)`,
      });
    } finally {
      rmSync(join(repo.root, ".git", "index.lock"));
    }
    expect(repo.git(["rev-parse", "main"])).toBe(base);
  });

  it("names every path of the user's that is in the way", async () => {
    const t = await taskBranch("a", { "notes.txt": "task\n", "shared.txt": "task\n" });
    repo.write("notes.txt", "mine\n");
    repo.write("shared.txt", "mine too\n");
    const result = await mergeTaskBranch({ root: repo.root, branch: t.branch, taskId: alpha });
    expect(result).toEqual({
      status: "refused", paths: ["notes.txt", "shared.txt"],
      message: `not merging ${t.branch}: your uncommitted changes in ${repo.root} to notes.txt, shared.txt overlap its changes; commit or stash them, then run again (branch kept)`,
    });
  });
});

describe("committing a file change: what the results say", () => {
  it("says what was committed, what was unchanged and what is not committed", async () => {
    const purposes: string[] = [];
    const watched = { edit: (t: string) => (purposes.push(lockPurpose()), t), message: "noop\n" };
    const results = await commitFileChanges({ root: repo.root, path: "PRD.md", changes: [tick(alpha), tick(alpha), watched] });
    const head = repo.git(["rev-parse", "main"]);
    expect(results).toEqual([
      { status: "committed", commit: head, message: `committed PRD.md on main as ${head.slice(0, 12)}` },
      { status: "unchanged", message: "PRD.md already has that content on main" },
      { status: "unchanged", message: "PRD.md already has that content on main" },
    ]);
    expect(purposes).toEqual(["commit PRD.md"]); // edits run under the lock, which says what for
    expect(await commitFileChange({ root: repo.root, path: "nope.md", edit: (t) => t + "x", message: "m\n" }))
      .toEqual({ status: "untracked", message: "nope.md is not committed on main; nothing to commit it onto" });
  });

  it("throws for a branch that does not exist, a detached HEAD, or a repository without commits", async () => {
    await expect(commitFileChange({ root: repo.root, branch: "nope", path: "PRD.md", edit: (t) => t + "x", message: "m\n" }))
      .rejects.toThrow(`branch nope does not exist in ${repo.root}`);
    repo.git(["checkout", "-q", "--detach"]);
    await expect(commitFileChange({ root: repo.root, path: "PRD.md", edit: (t) => t + "x", message: "m\n" })).rejects.toThrow(/has a detached HEAD/);
    const empty = makeRepo();
    try {
      await expect(commitFileChange({ root: empty.root, path: "PRD.md", edit: (t) => t + "x", message: "m\n" })).rejects.toThrow(/has no commits yet/);
    } finally {
      empty.cleanup();
    }
  });

  it("without an identity for commits, fails with git's words and moves nothing", async () => {
    await withoutIdentity(async () => {
      await expect(commitFileChange({ root: repo.root, path: "PRD.md", ...tick(alpha) }))
        .rejects.toThrow(/^git \(script: read the commit identity\) failed with exit 128: [^]*no email was given/);
    });
    expect(repo.git(["rev-parse", "main"])).toBe(base);
  });
});

describe("committing a file change while the branch moves", () => {
  /** An edit that ticks Beta and commits on main itself the first `moves` times it runs. */
  function movingEdit(moves: number) {
    const state = { calls: 0 };
    const edit = (text: string) => {
      if (++state.calls <= moves) repo.commit(`user ${state.calls}`, { "u.txt": `${state.calls}\n` });
      return setTaskChecked(text, beta, true);
    };
    return { state, edit };
  }

  it("redoes the commit on top twice, and succeeds on the third try", async () => {
    const { state, edit } = movingEdit(2);
    const result = await commitFileChange({ root: repo.root, path: "PRD.md", edit, message: "tick\n" });
    expect(state.calls).toBe(3);
    expect(result.status).toBe("committed");
    expect(repo.git(["log", "--format=%s", "-2", "main"]).split("\n")).toEqual(["tick", "user 2"]);
  });

  it("gives up after three tries when the branch keeps moving", async () => {
    const { state, edit } = movingEdit(5);
    await expect(commitFileChange({ root: repo.root, path: "PRD.md", edit, message: "tick\n" }))
      .rejects.toThrow(/^main kept moving while committing PRD\.md; try again$/);
    expect(state.calls).toBe(3);
    expect(repo.git(["log", "-1", "--format=%s", "main"])).toBe("user 3");
  });
});

describe("committing a file change: the indexes of checkouts", () => {
  it("leaves the index of a task worktree on another branch alone", async () => {
    const t = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "a", base });
    const result = await commitFileChange({ root: repo.root, path: "PRD.md", ...tick(alpha) });
    expect(result.status).toBe("committed");
    expect(repo.git(["status", "--porcelain"], t.path)).toBe("");
    expect(repo.git(["diff", "--cached", "--name-only"])).toBe("");
  });

  it("a change that changes nothing leaves the user's staged mode change alone", async () => {
    repo.commit("a script", { "run.sh": "#!/bin/sh\n" });
    repo.git(["update-index", "--chmod=+x", "run.sh"]);
    repo.git(["commit", "-q", "-m", "make it executable"]);
    repo.git(["update-index", "--chmod=-x", "run.sh"]); // staged by the user: not executable after all
    const staged = repo.git(["ls-files", "-s", "run.sh"]);
    expect(await commitFileChange({ root: repo.root, path: "run.sh", edit: (t) => t, message: "noop\n" })).toMatchObject({ status: "unchanged" });
    expect(repo.git(["ls-files", "-s", "run.sh"])).toBe(staged);
    expect(staged).toMatch(/^100644 /);
  });

  it("waits for another git command's index.lock to go, then points the index at the commit", async () => {
    const lock = join(repo.root, ".git", "index.lock");
    writeFileSync(lock, "");
    const gone = new Promise((resolve) => setTimeout(resolve, 1000)).then(() => rmSync(lock));
    const result = await commitFileChange({ root: repo.root, path: "PRD.md", ...tick(alpha) });
    await gone;
    expect(result.status).toBe("committed");
    expect(repo.git(["diff", "--cached", "--name-only"])).toBe("");
  });

  it("gives up on an index.lock that stays, in git's words, after committing", async () => {
    const lock = join(repo.root, ".git", "index.lock");
    writeFileSync(lock, "");
    try {
      const error = await commitFileChange({ root: repo.root, path: "PRD.md", ...tick(alpha) }).then(() => undefined, (e: Error) => e);
      expect(error?.message).toMatch(new RegExp(`^could not update the index in ${repo.root}: fatal: Unable to create '[^']*index\\.lock': File exists\\.[^]*\\S$`));
    } finally {
      rmSync(lock);
    }
    expect(repo.git(["show", "main:PRD.md"])).toBe(setTaskChecked(PRD, alpha, true).trimEnd());
  }, 30_000);
});

describe("withTaskTrailer", () => {
  it("trims the subject and body, leaves out a blank body and ends with one newline", () => {
    expect(withTaskTrailer("  Tick Alpha \n", " the body\n\n", "abc123")).toBe("Tick Alpha\n\nthe body\n\nCsess-Task: abc123\n");
    expect(withTaskTrailer("Tick Alpha", "  \n ", "abc123")).toBe("Tick Alpha\n\nCsess-Task: abc123\n");
  });
});
