import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  addTaskWorktree,
  GitCommandError,
  mergeTaskBranches,
  openRepo,
  pruneWorktrees,
  RepoError,
  RepoLockTimeoutError,
  removeTaskWorktree,
  removeTaskWorktrees,
  runGit,
  slugify,
  uncommittedChanges,
  withRepoLock,
} from "../src/index.js";
import { isAncestor, runGitScript } from "../src/git.js";
import { LOCK_FILE } from "../src/lock.js";
import { listTaskWorktrees, listWorktrees } from "../src/worktree.js";
import { makeRepo, type TestRepo } from "./helpers.js";

let repo: TestRepo;
let base: string;
const savedEnv = { ...process.env };
beforeEach(() => {
  repo = makeRepo();
  base = repo.commit("init", { "a.txt": "a\n" });
});
afterEach(() => {
  process.env = { ...savedEnv };
  repo.cleanup();
});

/** Installs an executable hook in the repository. */
function hook(name: string, body: string): void {
  const file = join(repo.root, ".git", "hooks", name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
}

describe("git commands: environment and failures", () => {
  it("git sees the user's identity, dates, config, TLS, ssh and prompt settings, and none of the editor, pager or GIT_DIR ones", async () => {
    const inherited = [
      "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE",
      "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM", "GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "GIT_SSL_NO_VERIFY",
      "GIT_SSH", "GIT_SSH_COMMAND", "GIT_ASKPASS", "GIT_TERMINAL_PROMPT", "GIT_TRACE",
    ];
    const dropped = ["GIT_DIR", "GIT_EXTERNAL_DIFF", "EDITOR", "VISUAL", "PAGER", "PREFIX", "SSH_ASKPASS", "git_dir"];
    const unrelated = ["MY_EDITOR", "EDITOR_FONT", "PAGERDUTY_KEY"];
    const values: Record<string, string> = {};
    for (const name of [...inherited, ...dropped, ...unrelated]) values[name] = name === "GIT_TRACE" ? "0" : name === "GIT_CONFIG_GLOBAL" ? "/dev/null" : `value-of-${name}`;
    values.GIT_CONFIG_SYSTEM = "/dev/null";
    values.GIT_DIR = join(repo.root, "elsewhere");
    values.git_dir = join(repo.root, "elsewhere");
    Object.assign(process.env, values);
    const env = (await runGitScript(repo.root, "env", "env", [])).stdout.split("\n");
    const seen = new Map(env.map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]));
    for (const name of [...inherited, ...unrelated]) expect([name, seen.get(name)]).toEqual([name, values[name]]);
    for (const name of dropped) expect([name, seen.has(name)]).toEqual([name, false]);
  });

  it("a failing command's error names the script and quotes what it printed, or says it printed nothing", async () => {
    const said = await runGitScript(repo.root, "list things", "printf 'only stdout\\n'; exit 3", []).catch((e: unknown) => e);
    expect(said).toBeInstanceOf(GitCommandError);
    expect(said).toMatchObject({ name: "GitCommandError", exitCode: 3, message: "git (script: list things) failed with exit 3: only stdout" });
    const silent = await runGitScript(repo.root, "quiet", "exit 4", []).catch((e: unknown) => e);
    expect((silent as Error).message).toBe("git (script: quiet) failed with exit 4: (no output)");
    // sh names the script csess-git in its own complaints.
    const missing = await runGitScript(repo.root, "missing", "no-such-command-xyz", []).catch((e: unknown) => e);
    expect((missing as Error).message).toMatch(/^git \(script: missing\) failed with exit 127: csess-git: \d+: no-such-command-xyz: not found$/);
  });

  it("a command killed by a signal reports exit 128 + the signal number", async () => {
    const killed = await runGitScript(repo.root, "killed", "kill -TERM $$", []).catch((e: unknown) => e);
    expect(killed).toMatchObject({ exitCode: 143, message: expect.stringContaining("failed with exit 143") });
  });

  it("a command given no input reads an empty stdin instead of waiting forever", async () => {
    const hashed = runGit(repo.root, ["hash-object", "--stdin"]);
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("git waited on stdin")), 10_000).unref());
    expect(((await Promise.race([hashed, timeout])) as { stdout: string }).stdout.trim()).toBe("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
  });

  it("git missing from PATH is reported as such, not as a missing directory", async () => {
    process.env.PATH = join(repo.root, "no-bin");
    const error = await runGit(repo.root, ["status"]).catch((e: unknown) => e);
    expect((error as NodeJS.ErrnoException).code).toBe("ENOENT");
    expect((error as Error).message).not.toMatch(/no such directory/);
  });

  it("input git does not read (it exits first) is no error", async () => {
    const result = await runGit(repo.root, ["rev-parse", "HEAD"], { input: "x".repeat(8 * 1024 * 1024) });
    expect(result.stdout.trim()).toBe(base);
  });

  it("isAncestor answers false for a commit that is not an ancestor", async () => {
    const later = repo.commit("later");
    expect(await isAncestor(repo.root, base, later)).toBe(true);
    expect(await isAncestor(repo.root, later, base)).toBe(false);
  });
});

describe("openRepo and uncommittedChanges", () => {
  it("errors carry their name and the whole one-line message", async () => {
    const fresh = makeRepo();
    try {
      const error = await openRepo(fresh.root, { requireCommits: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RepoError);
      expect(error).toMatchObject({ name: "RepoError", message: `${fresh.root} has no commits yet (expected at least one, e.g. \`git commit --allow-empty -m init\`)` });
    } finally {
      fresh.cleanup();
    }
    repo.git(["checkout", "-q", "--detach"]);
    await expect(openRepo(repo.root, { requireBranch: true })).rejects.toThrow(
      `${repo.root} has a detached HEAD at ${base.slice(0, 12)} (expected a checked-out branch to merge into, e.g. \`git switch main\`)`,
    );
    const plain = realpathSync(mkdtempSync(join(tmpdir(), "csess-plain-")));
    try {
      await expect(openRepo(plain)).rejects.toThrow(
        `${plain} is not inside a git repository (expected a directory under \`git init\`; git said: fatal: not a git repository (or any of the parent directories): .git)`,
      );
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });

  it("a detached HEAD at a commit that is not there says '?'", async () => {
    writeFileSync(join(repo.root, ".git", "HEAD"), `${"1".repeat(40)}\n`);
    await expect(openRepo(repo.root, { requireBranch: true })).rejects.toThrow(`${repo.root} has a detached HEAD at ? (expected`);
  });

  it("a file with a one-letter name counts as modified", async () => {
    repo.commit("x", { x: "1\n" });
    writeFileSync(join(repo.root, "x"), "2\n");
    expect(await uncommittedChanges(repo.root)).toMatchObject({ clean: false, modified: ["x"], untracked: [] });
  });

  it("a copy lists only its new path (the copy's source is not a second entry)", async () => {
    repo.git(["config", "status.renames", "copies"]);
    writeFileSync(join(repo.root, "b.txt"), "a\n");
    writeFileSync(join(repo.root, "a.txt"), "a\nmore\n");
    repo.git(["add", "a.txt", "b.txt"]);
    expect((await uncommittedChanges(repo.root)).modified.sort()).toEqual(["a.txt", "b.txt"]);
  });

  it("staged files before the first commit are modified, with no diff stat", async () => {
    const fresh = makeRepo();
    try {
      writeFileSync(join(fresh.root, "new.txt"), "n\n");
      fresh.git(["add", "new.txt"]);
      expect(await uncommittedChanges(fresh.root)).toEqual({ clean: false, modified: ["new.txt"], untracked: [], diffStat: "" });
    } finally {
      fresh.cleanup();
    }
  });

  it("only untracked files, or only modified ones, are each not clean; the diff stat is git's, end trimmed", async () => {
    writeFileSync(join(repo.root, "new.txt"), "n\n");
    expect(await uncommittedChanges(repo.root)).toEqual({ clean: false, modified: [], untracked: ["new.txt"], diffStat: "" });
    rmSync(join(repo.root, "new.txt"));
    writeFileSync(join(repo.root, "a.txt"), "a\nmore\n");
    expect(await uncommittedChanges(repo.root)).toEqual({
      clean: false,
      modified: ["a.txt"],
      untracked: [],
      diffStat: " a.txt | 1 +\n 1 file changed, 1 insertion(+)",
    });
  });
});

describe("the repository lock file", () => {
  let lockPath: string;
  beforeEach(() => {
    lockPath = join(repo.root, ".git", LOCK_FILE);
  });
  const age = (ms: number) => {
    const when = (Date.now() - ms) / 1000;
    utimesSync(lockPath, when, when);
  };
  const mine = () => withRepoLock(repo.root, async () => JSON.parse(readFileSync(lockPath, "utf8")).pid as number, { timeoutMs: 3_000 });

  it("an empty lock file is waited on while fresh, and taken over once older than 10 s", async () => {
    writeFileSync(lockPath, "");
    const error = await withRepoLock(repo.root, async () => 1, { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RepoLockTimeoutError);
    expect(error).toMatchObject({ name: "RepoLockTimeoutError", message: `timed out waiting for ${lockPath}, held by an unknown process; if that process is gone, delete the file` });
    age(20_000);
    expect(await mine()).toBe(process.pid);
  });

  it("another machine's lock is waited on while fresh, even if its pid is dead here, and taken over after 10 minutes", async () => {
    writeFileSync(lockPath, JSON.stringify({ pid: 999_999_999, host: `${hostname()}-other`, nonce: "far", purpose: "remote", since: "x" }));
    await expect(withRepoLock(repo.root, async () => 1, { timeoutMs: 300 })).rejects.toThrow(/held by pid 999999999 on .*-other \(remote, since x\)/);
    age(5 * 60_000);
    await expect(withRepoLock(repo.root, async () => 1, { timeoutMs: 300 })).rejects.toThrow(RepoLockTimeoutError);
    age(11 * 60_000);
    expect(await mine()).toBe(process.pid);
  });

  it("the lock file says what the holder is doing, one JSON line", async () => {
    const content = await withRepoLock(repo.root, async () => readFileSync(lockPath, "utf8"));
    expect(content.endsWith("}\n")).toBe(true);
    expect(JSON.parse(content)).toMatchObject({ pid: process.pid, host: hostname(), purpose: "csess repository operation" });
  });

  it("leaves a lock file alone that is no longer its own when it finishes", async () => {
    const theirs = JSON.stringify({ pid: process.ppid, host: hostname(), nonce: "theirs", purpose: "took it over", since: "" });
    await withRepoLock(repo.root, async () => writeFileSync(lockPath, theirs));
    expect(readFileSync(lockPath, "utf8")).toBe(theirs);
  });

  it("a folder that becomes a repository after a failed lock is locked normally", async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "csess-later-")));
    try {
      await expect(withRepoLock(dir, async () => 1)).rejects.toThrow(GitCommandError);
      execGit(["init", "-q"], dir);
      expect(await withRepoLock(dir, async () => 2)).toBe(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fails with the file system's error, not a timeout, when the lock file cannot be created", async () => {
    await withRepoLock(repo.root, async () => 1);
    rmSync(join(repo.root, ".git"), { recursive: true, force: true });
    const error = await withRepoLock(repo.root, async () => 1, { timeoutMs: 3_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ENOENT" });
  });

  it("taking the lock many times leaves no file open", async () => {
    const open = () => readdirSync("/proc/self/fd").length;
    await withRepoLock(repo.root, async () => 1);
    const before = open();
    for (let i = 0; i < 40; i++) await withRepoLock(repo.root, async () => i);
    expect(open()).toBeLessThan(before + 20);
  });
});

function execGit(args: string[], cwd: string): void {
  repo.git(args, cwd);
}

describe("task worktrees: names and paths", () => {
  it("rejects run ids and slugs git or a path would misread, naming which and an example", async () => {
    await expect(addTaskWorktree({ root: repo.root, runId: "bad id", slug: "ok", base })).rejects.toThrow(
      'invalid run id "bad id": expected letters, digits, ".", "_" or "-" (e.g. "20261121-0930")',
    );
    await expect(addTaskWorktree({ root: repo.root, runId: "r", slug: "-x", base })).rejects.toThrow(
      'invalid slug "-x": expected letters, digits, ".", "_" or "-" (e.g. "add-login-endpoint")',
    );
    for (const slug of ["a..b", "a b", "x.lock", "a/b"]) {
      await expect(addTaskWorktree({ root: repo.root, runId: "r", slug, base })).rejects.toThrow(`invalid slug ${JSON.stringify(slug)}`);
    }
    expect(repo.git(["for-each-ref", "refs/heads/csess/"])).toBe("");
  });

  it("a slug cut at its length limit does not end in a dash", () => {
    expect(slugify(`${"a".repeat(47)} b`)).toBe("a".repeat(47));
  });

  it("a run in a folder of the caller's choosing makes no .csess/ in the repository", async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), "csess-wts-")));
    try {
      const wt = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base, dir });
      expect(wt.path).toBe(join(dir, "t"));
      expect(existsSync(join(repo.root, ".csess"))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a base given by name (or a name that looks like a hash) starts the task at that name's commit", async () => {
    const later = repo.commit("later", { "b.txt": "b\n" });
    expect(await addTaskWorktree({ root: repo.root, runId: "run1", slug: "named", base: "main" })).toMatchObject({ head: later, created: true });
    for (const name of [`x${base}`, `${base}x`, "z".repeat(40)]) {
      repo.git(["branch", name, base]);
      const slug = `s${name.length}${name[0]}`;
      const wt = await addTaskWorktree({ root: repo.root, runId: "run1", slug, base: name });
      expect([name, wt.head]).toEqual([name, base]);
      expect(repo.git(["rev-parse", "HEAD"], wt.path)).toBe(base);
    }
  });

  it("a dangling .csess/.gitignore link is left as it is", async () => {
    mkdirSync(join(repo.root, ".csess"));
    const target = join(repo.root, "target-of-link");
    symlinkSync(target, join(repo.root, ".csess", ".gitignore"));
    await addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base });
    expect(existsSync(target)).toBe(false);
  });

  it("refuses to go on when .csess/ cannot be made ignored (its .gitignore cannot be written)", async () => {
    symlinkSync("/proc/self", join(repo.root, ".csess"));
    await expect(addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base })).rejects.toMatchObject({ path: join(repo.root, ".csess", ".gitignore") });
  });

  it("the lock file says which worktree is being added, while git adds it", async () => {
    const seen = join(repo.root, ".git", "seen-lock");
    // git runs this hook when the add makes the task's branch (and again when the checkout, after the lock, sets HEAD).
    hook("reference-transaction", `cat "${join(repo.root, ".git", LOCK_FILE)}" >> "${seen}" 2>/dev/null; exit 0`);
    await addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base });
    expect(JSON.parse(readFileSync(seen, "utf8").split("\n")[0]!).purpose).toBe("add worktree csess/run1/t");
  });
});

describe("task worktrees: the agent changed its branch", () => {
  it("a worktree the agent detached, its branch deleted, gets the branch again at the base (its own files reset)", async () => {
    const wt = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base });
    repo.commit("agent work", { "b.txt": "b\n" }, wt.path);
    repo.git(["checkout", "-q", "--detach"], wt.path);
    writeFileSync(join(wt.path, "a.txt"), "agent's leftover\n");
    repo.git(["branch", "-D", wt.branch]);
    await expect(addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base: "no-such-base" })).rejects.toThrow(
      `base no-such-base is not a commit in ${repo.root} (expected a branch, tag or hash)`,
    );
    const again = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base });
    expect(again).toEqual({ path: wt.path, branch: wt.branch, head: base, created: false });
    expect(repo.git(["symbolic-ref", "--short", "HEAD"], wt.path)).toBe(wt.branch);
    expect(repo.git(["rev-parse", wt.branch])).toBe(base);
    expect(repo.read("a.txt", wt.path)).toBe("a\n");
  });

  it("a detached worktree whose branch still exists is refused, naming the detached HEAD, and its branch kept", async () => {
    const wt = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base });
    const work = repo.commit("agent work", { "b.txt": "b\n" }, wt.path);
    repo.git(["checkout", "-q", "--detach"], wt.path);
    await expect(addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base })).rejects.toThrow(
      `${wt.path} is already a worktree of a detached HEAD, expected branch ${wt.branch}`,
    );
    expect(repo.git(["rev-parse", wt.branch])).toBe(work);
  });

  it("a detached worktree outside .csess/ whose branch is gone is the user's: refused, not reset", async () => {
    const dir = join(repo.root, "wts");
    const wt = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base, dir });
    repo.git(["checkout", "-q", "--detach"], wt.path);
    writeFileSync(join(wt.path, "a.txt"), "user's edit\n");
    repo.git(["branch", "-D", wt.branch]);
    await expect(addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base, dir })).rejects.toThrow(
      `${wt.path} is already a worktree of a detached HEAD, expected branch ${wt.branch}`,
    );
    expect(repo.read("a.txt", wt.path)).toBe("user's edit\n");
  });

  it("a worktree on another branch is refused, naming that branch", async () => {
    const wt = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base });
    repo.git(["checkout", "-q", "-b", "other"], wt.path);
    await expect(addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base })).rejects.toThrow(
      `${wt.path} is already a worktree of other, expected branch ${wt.branch}`,
    );
  });

  it("a branch deleted while checked out is made again at the base, the worktree's files untouched", async () => {
    const wt = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base });
    repo.commit("agent work", { "b.txt": "b\n" }, wt.path);
    writeFileSync(join(wt.path, "a.txt"), "agent's edit\n");
    repo.git(["update-ref", "-d", `refs/heads/${wt.branch}`]);
    await expect(addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base: "no-such-base" })).rejects.toThrow(
      `base no-such-base is not a commit in ${repo.root} (expected a branch, tag or hash)`,
    );
    expect(await addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base })).toEqual({ path: wt.path, branch: wt.branch, head: base, created: false });
    expect(repo.git(["rev-parse", wt.branch])).toBe(base);
    expect(repo.read("a.txt", wt.path)).toBe("agent's edit\n");
  });
});

describe("task worktrees: removal", () => {
  const landTwo = async () => {
    const landed = await Promise.all(["one", "two"].map((slug) => addTaskWorktree({ root: repo.root, runId: "run1", slug, base })));
    landed.forEach((wt, i) => repo.commit("work", { [`f${i}.txt`]: `${i}\n` }, wt.path));
    const merges = await mergeTaskBranches({ root: repo.root, tasks: landed.map((wt, i) => ({ branch: wt.branch, taskId: `aaaaa${i}` })) });
    expect(merges.map((m) => m.status)).toEqual(["merged", "merged"]);
    return landed;
  };

  it("a kept dirty worktree's reason is git's refusal, without 'fatal: '", async () => {
    const wt = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "dirty", base });
    writeFileSync(join(wt.path, "half-done.txt"), "x\n");
    expect((await removeTaskWorktree({ root: repo.root, path: wt.path, branch: wt.branch })).kept).toBe(
      `worktree ${wt.path} kept: '${wt.path}' contains modified or untracked files, use --force to delete it`,
    );
  });

  it("a merged task whose folder was already deleted by hand: its branch goes, no worktree was removed", async () => {
    const [one] = await landTwo();
    rmSync(one!.path, { recursive: true, force: true });
    expect(await removeTaskWorktree({ root: repo.root, path: one!.path, branch: one!.branch })).toEqual({ worktreeRemoved: false, branchDeleted: true });
  });

  it("a branch that moves while the landed branches are being deleted is kept and said so; the others are deleted", async () => {
    const [one, two] = await landTwo();
    const refused = join(repo.root, ".git", "refused");
    // The two-branch deletion is refused once; when that transaction is aborted (its locks released), the
    // first branch moves. (git 2.39 also runs the hook for its internal packed-refs transaction: the
    // markers keep to the order refused, then aborted.)
    hook(
      "reference-transaction",
      [
        "lines=$(wc -l)",
        `if [ "$1" = prepared ] && [ "$lines" -gt 1 ] && [ ! -e "${refused}" ]; then touch "${refused}"; exit 1; fi`,
        `if [ "$1" = aborted ] && [ -e "${refused}" ] && [ ! -e "${refused}.moved" ]; then touch "${refused}.moved"; git update-ref refs/heads/${one!.branch} ${base}; fi`,
        "exit 0",
      ].join("\n"),
    );
    const results = await removeTaskWorktrees({ root: repo.root, worktrees: [one!, two!] });
    expect(results).toEqual([
      { worktreeRemoved: true, branchDeleted: false, kept: `branch ${one!.branch} moved while it was being removed; kept it` },
      { worktreeRemoved: true, branchDeleted: true },
    ]);
    expect(repo.git(["for-each-ref", "--format=%(refname:short) %(objectname)", "refs/heads/csess/"])).toBe(`${one!.branch} ${base}`);
  });

  it("when the one-transaction deletion of the branches fails, each branch is still deleted on its own; the lock names every branch", async () => {
    const [one, two] = await landTwo();
    const lockCopy = join(repo.root, ".git", "seen-lock");
    // The batch deletion (more than one ref) is refused once, as a concurrent ref update would make it fail.
    hook(
      "reference-transaction",
      [
        `[ -e "${lockCopy}" ] || cat "${join(repo.root, ".git", LOCK_FILE)}" > "${lockCopy}"`,
        `lines=$(wc -l)`,
        `if [ "$1" = prepared ] && [ ! -e "${lockCopy}.done" ] && [ "$lines" -gt 1 ]; then touch "${lockCopy}.done"; exit 1; fi`,
        "exit 0",
      ].join("\n"),
    );
    const results = await removeTaskWorktrees({ root: repo.root, worktrees: [one!, two!] });
    expect(existsSync(`${lockCopy}.done`)).toBe(true);
    expect(results).toEqual([{ worktreeRemoved: true, branchDeleted: true }, { worktreeRemoved: true, branchDeleted: true }]);
    expect(repo.git(["for-each-ref", "refs/heads/csess/"])).toBe("");
    expect(JSON.parse(readFileSync(lockCopy, "utf8")).purpose).toBe(`remove worktree ${one!.branch}, ${two!.branch}`);
  });
});

describe("listing and pruning worktrees", () => {
  it("lists each worktree's head, branch and whether it is prunable; a bare repository's entry has no head", async () => {
    const live = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "live", base });
    const detached = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "detached", base });
    repo.git(["checkout", "-q", "--detach"], detached.path);
    repo.git(["worktree", "lock", "--reason", "testing", detached.path]);
    const gone = await addTaskWorktree({ root: repo.root, runId: "run2", slug: "gone", base });
    rmSync(gone.path, { recursive: true, force: true });
    expect(await listWorktrees(repo.root)).toEqual([
      { path: repo.root, head: base, branch: "main", prunable: false },
      { path: detached.path, head: base, branch: null, prunable: false },
      { path: gone.path, head: base, branch: gone.branch, prunable: true },
      { path: live.path, head: base, branch: live.branch, prunable: false },
    ].sort((a, b) => (a.path === repo.root ? -1 : b.path === repo.root ? 1 : a.path.localeCompare(b.path))));
    expect((await listTaskWorktrees(repo.root)).map((w) => w.branch).sort()).toEqual([gone.branch, live.branch].sort());
    expect((await listTaskWorktrees(repo.root, "run1")).map((w) => w.branch)).toEqual([live.branch]);
    const bare = realpathSync(mkdtempSync(join(tmpdir(), "csess-bare-")));
    try {
      repo.git(["init", "-q", "--bare", bare]);
      expect(await listWorktrees(bare)).toEqual([{ path: bare, head: "", branch: null, prunable: false }]);
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });

  it("prune returns git's notes, one per line, nothing when there is nothing to prune", async () => {
    expect(await pruneWorktrees(repo.root)).toEqual([]);
    const wt = await addTaskWorktree({ root: repo.root, runId: "run1", slug: "t", base });
    rmSync(wt.path, { recursive: true, force: true });
    expect(await pruneWorktrees(repo.root)).toEqual(["Removing worktrees/t: gitdir file points to non-existent location"]);
  });
});
