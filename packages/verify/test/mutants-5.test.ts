// Behaviours a mutation run (pnpm mutate verify) showed no test relied on: kept paths matched by name,
// not by prefix; what a failing git step is called in the error; the repository lock's patience with
// other users' processes, with a holder that took over meanwhile, and its polling pace.
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { addTaskWorktree, commitFileChange, gatherEvidence, mergeTaskBranch, pruneWorktrees, RepoLockTimeoutError, withRepoLock } from "../src/index.js";
import { LOCK_FILE } from "../src/lock.js";
import { makeRepo, type TestRepo } from "./helpers.js";

let repo: TestRepo;
let base: string;
let lockPath: string;
const savedPath = process.env.PATH;
const cleanups: Array<() => void> = [];
beforeEach(() => {
  repo = makeRepo();
  base = repo.commit("init", { "PRD.md": "# Plan\n\n- [ ] Alpha\n", "PRD.md.orig": "one\n" });
  lockPath = join(repo.root, ".git", LOCK_FILE);
});
afterEach(() => {
  process.env.PATH = savedPath;
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0)) cleanup();
  repo.cleanup();
});

/**
 * Puts a `git` first on PATH that answers the commands `when` matches (an sh test on "$@") with
 * `answer` (sh) and passes every other to the real git. A stand-in only where real git cannot be made
 * to do it here: tests run as root, which no file permission stops. Calls it answered go to the log.
 */
function gitAnswering(when: string, answer: string): { log: string } {
  const realGit = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
  const dir = mkdtempSync(join(tmpdir(), "csess-git-stand-in-"));
  const log = join(dir, "calls");
  writeFileSync(join(dir, "git"), `#!/bin/sh\nif ${when}; then echo "$*" >> "${log}"; ${answer}; fi\nexec "${realGit}" "$@"\n`);
  chmodSync(join(dir, "git"), 0o755);
  process.env.PATH = `${dir}:${savedPath}`;
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return { log };
}
const calls = (log: string) => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : []);

describe("kept paths are matched by name", () => {
  it("a conflict in PRD.md.orig is a conflict even though PRD.md is kept (only a path ending in / keeps what starts with it)", async () => {
    const task = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "alpha", base });
    repo.commit("task edits the backup", { "PRD.md.orig": "task\n" }, task.path);
    repo.commit("user edits the backup", { "PRD.md.orig": "user\n" });
    const main = repo.git(["rev-parse", "main"]);
    // Both ways to land: checked (the merge is tested before main moves) and the chain script.
    for (const testMerge of [async () => undefined, undefined]) {
      const result = await mergeTaskBranch({ root: repo.root, branch: task.branch, taskId: "alpha", keepPaths: ["PRD.md"], ...(testMerge ? { testMerge } : {}) });
      expect(result).toMatchObject({ status: "conflict", paths: ["PRD.md.orig"] });
      expect(repo.git(["rev-parse", "main"])).toBe(main);
    }
  });
});

describe("reading the committed file", () => {
  it("a branch that moves and moves back while the file is read is read again, not mixed: the compare-and-swap alone would not notice", async () => {
    const userTip = repo.commit("the user's own PRD edit", { "PRD.md": "# Plan\n\n- [ ] Alpha\n- [ ] Beta\n" });
    repo.git(["update-ref", "refs/heads/main", base]);
    repo.git(["reset", "-q", "--hard", base]);
    const realGit = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
    const dir = mkdtempSync(join(tmpdir(), "csess-moving-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    // The first read: the commit is answered at base, the trees and the file while main is at the
    // user's commit, and main is back at base before csess commits.
    const { log } = gitAnswering(`[ "$1" = cat-file ] && [ ! -e "${dir}/moved" ]`, [
      `touch "${dir}/moved"; cat > "${dir}/in"`,
      `tr '\\0' '\\n' < "${dir}/in" | head -n 1 | tr '\\n' '\\0' | "${realGit}" cat-file --batch -z`,
      `"${realGit}" update-ref refs/heads/main ${userTip}`,
      `tr '\\0' '\\n' < "${dir}/in" | tail -n +2 | tr '\\n' '\\0' | "${realGit}" cat-file --batch -z`,
      `"${realGit}" update-ref refs/heads/main ${base}`,
      "exit 0",
    ].join("; "));
    const result = await commitFileChange({ root: repo.root, path: "PRD.md", edit: (t) => t.replace("[ ]", "[x]"), message: "tick\n" });
    expect(calls(log)).toHaveLength(1); // the stand-in answered once; the second read was git's own
    expect(result.status).toBe("committed");
    expect(repo.git(["rev-parse", `${result.commit}^`])).toBe(base);
    expect(repo.git(["show", "main:PRD.md"])).toBe("# Plan\n\n- [x] Alpha"); // no Beta from the commit it no longer has
  });

  it("works in a SHA-256 repository, for a file in the root tree and one below it", async () => {
    const sha256 = makeRepo("csess-verify-sha256-");
    cleanups.push(() => sha256.cleanup());
    rmSync(join(sha256.root, ".git"), { recursive: true, force: true });
    sha256.git(["init", "-q", "-b", "main", "--object-format=sha256"]);
    sha256.commit("init", { "PRD.md": "- [ ] A\n", "docs/plan.md": "- [ ] B\n" });
    for (const path of ["PRD.md", "docs/plan.md"]) {
      const result = await commitFileChange({ root: sha256.root, path, edit: (t) => t.replace("[ ]", "[x]"), message: `tick ${path}\n` });
      expect(result.status, path).toBe("committed");
      expect(result.commit).toMatch(/^[0-9a-f]{64}$/);
      expect(sha256.git(["show", `main:${path}`])).toMatch(/^- \[x\] [AB]$/);
      expect(sha256.git(["diff", "--cached", "--name-only"])).toBe("");
    }
  });
});

describe("names of every kind, in the root tree and below it", () => {
  it("a kept path is put back and a file committed whatever its name: spaces, a tab, a quote, a backslash, pathspec magic, non-ASCII", async () => {
    /** Commits files whatever their names (`git add -A`: no name is read as a pathspec). */
    const commitAll = (message: string, files: Record<string, string>, cwd = repo.root) => {
      for (const [name, content] of Object.entries(files)) repo.write(name, content, cwd);
      repo.git(["add", "-A"], cwd);
      repo.git(["commit", "-q", "-m", message], cwd);
    };
    const names = ["we ird.md", ":magic.md", "tab\tname.md", 'quo"te.md', "back\\slash.md", "é-plan.md", "docs/sub dir/plan é.md", "a:b.md"];
    commitAll("more files", Object.fromEntries(names.map((n) => [n, `- [ ] ${n}\n`])));
    const start = repo.git(["rev-parse", "main"]);
    for (const [i, name] of names.entries()) {
      const task = await addTaskWorktree({ root: repo.root, runId: "r1", slug: `case-${i}`, base: start });
      commitAll(`work ${i}`, { [`work-${i}.txt`]: "w\n", [name]: `the task's own version ${i}\n` }, task.path);
      const merged = await mergeTaskBranch({ root: repo.root, branch: task.branch, taskId: `task0${i}`, keepPaths: [name] });
      expect(merged.status, name).toBe("merged");
      // The task's work is in; the kept file is as the integration branch had it.
      expect(repo.git(["show", `main:work-${i}.txt`])).toBe("w");
      expect(repo.git(["show", `main:${name}`]), name).toBe(`- [ ] ${name}`);
      const ticked = await commitFileChange({ root: repo.root, path: name, edit: (t) => t.replace("[ ]", "[x]"), message: `tick ${i}\n` });
      expect(ticked.status, name).toBe("committed");
      expect(repo.git(["show", `main:${name}`]), name).toBe(`- [x] ${name}`);
      expect(repo.git(["diff", "--name-only", "-z", `${ticked.commit}^`, ticked.commit!]).split("\0").filter(Boolean), name).toEqual([name]);
    }
    // The user's index follows every commit (nothing staged against them); the working files are the caller's to write.
    expect(repo.git(["diff", "--cached", "--name-only"])).toBe("");
  });
});

describe("a git step that fails says what csess was doing", () => {
  it("a PRD whose committed content is missing from the object store (a damaged repository)", async () => {
    const blob = repo.git(["rev-parse", "main:PRD.md"]);
    unlinkSync(join(repo.root, ".git", "objects", blob.slice(0, 2), blob.slice(2)));
    await expect(commitFileChange({ root: repo.root, path: "PRD.md", edit: (t) => t.replace("[ ]", "[x]"), message: "tick\n" }))
      .rejects.toThrow(`git cat-file --batch: refs/heads/main:PRD.md (${blob}) is missing from the object store of ${repo.root}; the repository is damaged`);
  });

  it("pointing the user's index at the committed file: an unexpected failure names that step", async () => {
    gitAnswering('[ "$1" = update-index ] && [ -z "$GIT_INDEX_FILE" ]', "echo 'error: something unforeseen' >&2; exit 1");
    await expect(commitFileChange({ root: repo.root, path: "PRD.md", edit: (t) => t.replace("[ ]", "[x]"), message: "tick\n" }))
      .rejects.toThrow("git (script: update the index entry of PRD.md) failed with exit 1: error: something unforeseen");
  });

  it("a refusal that is not another command's index.lock is reported at once, not waited out", async () => {
    const { log } = gitAnswering('[ "$1" = update-index ] && [ -z "$GIT_INDEX_FILE" ]', "echo 'fatal: index file corrupt' >&2; exit 128");
    await expect(commitFileChange({ root: repo.root, path: "PRD.md", edit: (t) => t.replace("[ ]", "[x]"), message: "tick\n" }))
      .rejects.toThrow(`could not update the index in ${repo.root}: fatal: index file corrupt`);
    expect(calls(log)).toHaveLength(1);
  });

  it("reading a task's evidence from a damaged repository (a commit below its branch's tip is missing)", async () => {
    const task = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "alpha", base });
    const first = repo.commit("work", { "a.txt": "work\n" }, task.path);
    repo.commit("more work", { "b.txt": "more\n" }, task.path);
    unlinkSync(join(repo.root, ".git", "objects", first.slice(0, 2), first.slice(2)));
    await expect(gatherEvidence({ root: repo.root, branch: task.branch, base, taskId: "alpha", prdPath: "PRD.md" }))
      .rejects.toThrow(new RegExp(`^git \\(script: evidence of ${task.branch}\\) failed with exit 128: .*\\S`));
  });

  it("adding a task's worktree: an unexpected failure names that step", async () => {
    gitAnswering('[ "$1 $2" = "worktree add" ]', "echo 'error: something unforeseen' >&2; exit 3");
    await expect(addTaskWorktree({ root: repo.root, runId: "r1", slug: "alpha", base }))
      .rejects.toThrow(/^git worktree add -q --no-checkout -b csess\/r1\/alpha \S+ \S+ failed with exit 3: error: something unforeseen$/);
  });

  it("pruning worktrees holds the repository lock saying so", async () => {
    const seen = join(repo.root, ".git", "seen-lock");
    gitAnswering('[ "$1 $2" = "worktree prune" ]', `cat "${lockPath}" > "${seen}"`);
    await pruneWorktrees(repo.root);
    expect(JSON.parse(readFileSync(seen, "utf8"))).toMatchObject({ pid: process.pid, purpose: "prune worktrees" });
  });
});

describe("git processes", () => {
  it("a new task's worktree: one git process adds it (its head read from the new ref) without listing the worktrees first, one checks it out", async () => {
    const { log } = gitAnswering("true", ":");
    const added = await addTaskWorktree({ root: repo.root, runId: "r1", slug: "alpha", base: "refs/heads/main" });
    expect(added).toMatchObject({ head: base, created: true });
    // (The repository's git folders, for its lock, and where its hooks are: asked once per repository.)
    expect(calls(log)).toEqual([
      "rev-parse --path-format=absolute --git-dir --git-common-dir --show-toplevel",
      `worktree add -q --no-checkout -b csess/r1/alpha ${added.path} refs/heads/main^{commit}`,
      "reset -q --hard --no-recurse-submodules",
      "config --get core.hooksPath",
    ]);
    await addTaskWorktree({ root: repo.root, runId: "r1", slug: "beta", base: "refs/heads/main" });
    expect(calls(log).slice(4).map((c) => c.split(" ").slice(0, 2).join(" "))).toEqual(["worktree add", "reset -q"]);
  });
});

describe("the repository lock and other processes", () => {
  /** A live process of ours to name as a lock's holder; killed after the test. */
  function liveProcess(): number {
    const child = spawn("sleep", ["60"], { stdio: "ignore" });
    cleanups.push(() => child.kill("SIGKILL"));
    return child.pid!;
  }
  const record = (pid: number, nonce: string) => JSON.stringify({ pid, host: hostname(), nonce, purpose: `held by ${nonce}`, since: "" });
  const errno = (code: string) => Object.assign(new Error(`kill: ${code}`), { code });

  it("a lock whose holder is alive but another user's (no right to signal it) is waited for, never taken over", async () => {
    // Tests run as root, which may signal any process: the refusal another user's process would give is simulated.
    const holder = liveProcess();
    const kill = process.kill.bind(process);
    vi.spyOn(process, "kill").mockImplementation((pid, signal) => {
      if (pid === holder) throw errno("EPERM");
      return kill(pid, signal);
    });
    writeFileSync(lockPath, record(holder, "theirs"));
    await expect(withRepoLock(repo.root, async () => "taken", { timeoutMs: 300 })).rejects.toBeInstanceOf(RepoLockTimeoutError);
    expect(JSON.parse(readFileSync(lockPath, "utf8")).nonce).toBe("theirs");
  });

  it("a stale lock another process replaced meanwhile (it took it over first) is put back, not removed", async () => {
    const dead = 999_999_999; // above any pid_max: no such process
    const winner = liveProcess();
    const kill = process.kill.bind(process);
    vi.spyOn(process, "kill").mockImplementation((pid, signal) => {
      // Asked whether the dead holder lives, as another csess takes the lock over in that moment.
      if (pid === dead) {
        writeFileSync(lockPath, record(winner, "winner"));
        throw errno("ESRCH");
      }
      return kill(pid, signal);
    });
    writeFileSync(lockPath, record(dead, "dead"));
    await expect(withRepoLock(repo.root, async () => "taken", { timeoutMs: 300 })).rejects.toBeInstanceOf(RepoLockTimeoutError);
    expect(JSON.parse(readFileSync(lockPath, "utf8")).nonce).toBe("winner");
    expect(readdirSync(join(repo.root, ".git")).filter((f) => f.includes(".stale-"))).toEqual([]); // nothing left aside
  });

  it("a waiter looks at another process's lock a few times a second: not constantly, and not ever more rarely", async () => {
    const holder = liveProcess();
    const looks: number[] = [];
    const kill = process.kill.bind(process);
    vi.spyOn(process, "kill").mockImplementation((pid, signal) => {
      if (pid === holder) looks.push(Date.now());
      return kill(pid, signal);
    });
    writeFileSync(lockPath, record(holder, "theirs"));
    const held = 4_000;
    let released = 0;
    setTimeout(() => {
      released = Date.now();
      unlinkSync(lockPath);
    }, held);
    const takenAt = await withRepoLock(repo.root, async () => Date.now(), { timeoutMs: 60_000 });
    // Backing off from 20 ms to at most 250 ms: about 20 looks in 4 s, and taken soon after the release.
    expect(looks.length).toBeGreaterThan(5);
    expect(looks.length).toBeLessThan(100);
    expect(takenAt - released).toBeLessThan(2_000);
  }, 30_000);
});
