// The object store csess lands work with: commits written by one long-running `git hash-object` must be
// the commits `git commit-tree` makes (same identity, time, bytes), trees edited by path must be what git
// would build, and a git that fails mid-way must say so. Real git in temp repositories.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitCoprocess, lineAnswer } from "../src/git.js";
import { ObjectStore, parseTree } from "../src/objects.js";
import { makeRepo, type TestRepo } from "./helpers.js";

let repo: TestRepo;
let base: string;
const saved = { ...process.env };
beforeEach(() => {
  repo = makeRepo();
  base = repo.commit("init", { "PRD.md": "- [ ] A\n", "docs/plan.md": "plan\n", "docs/deep/x.md": "x\n" });
});
afterEach(() => {
  process.env = { ...saved };
  repo.cleanup();
});

/** `git commit-tree` itself, with the environment csess's git gets. */
function commitTree(tree: string, parents: string[], message: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync("git", ["commit-tree", tree, ...parents.flatMap((p) => ["-p", p]), "-m", message], { cwd: repo.root, env, encoding: "utf8" }).trim();
}

const header = (commit: string) => repo.git(["cat-file", "commit", commit]).split("\n\n")[0]!;

describe("commits", () => {
  it("are byte for byte the commits git commit-tree makes (same identity, time and message)", async () => {
    process.env.GIT_AUTHOR_DATE = "1700000000 +0130";
    process.env.GIT_COMMITTER_DATE = "1700000100 -0700";
    const side = repo.commit("side", { "side.txt": "s\n" });
    const tree = repo.git(["rev-parse", `${side}^{tree}`]);
    const message = "Merge csess task abc: naïve café ✓\n\nBranch: csess/r/x\n\nCsess-Task: abc\n";
    const made = await ObjectStore.with(repo.root, (store) => store.writeCommit({ tree, parents: [base, side], message }));
    expect(made).toBe(commitTree(tree, [base, side], message.trimEnd()));
    expect(repo.git(["cat-file", "commit", made]).endsWith(message.trimEnd())).toBe(true);
  });

  it("take the time at each commit, in the zone git reads from TZ (even one node cannot read), with the repository's identity", async () => {
    process.env.TZ = "XST+3:30"; // POSIX form, no tz database needed: 3 h 30 min behind UTC
    const tree = repo.git(["rev-parse", `${base}^{tree}`]);
    const before = Math.floor(Date.now() / 1000);
    const [first, second] = await ObjectStore.with(repo.root, async (store) => {
      const one = await store.writeCommit({ tree, parents: [base], message: "one\n" });
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      return [one, await store.writeCommit({ tree, parents: [one], message: "two\n" })];
    });
    const after = Math.floor(Date.now() / 1000);
    const stamp = (commit: string, who: string) => new RegExp(`^${who} Test Author <author@example.com> (\\d+) ([+-]\\d{4})$`, "m").exec(header(commit));
    for (const commit of [first!, second!]) {
      const [, seconds, zone] = stamp(commit, "committer") ?? [];
      expect(Number(seconds)).toBeGreaterThanOrEqual(before);
      expect(Number(seconds)).toBeLessThanOrEqual(after);
      expect(zone).toBe("-0330");
      expect(stamp(commit, "author")?.slice(1)).toEqual([seconds, zone]);
    }
    expect(Number(stamp(second!, "committer")?.[1])).toBeGreaterThan(Number(stamp(first!, "committer")?.[1])); // not one time for all
  });

  it("follow the identity the environment and each repository give (asked again when either differs)", async () => {
    for (const key of Object.keys(process.env)) if (/^GIT_(AUTHOR|COMMITTER)_/.test(key)) delete process.env[key];
    const other = makeRepo();
    try {
      other.git(["config", "user.name", "Other Person"]);
      const otherBase = other.commit("init", { "a.txt": "a\n" });
      const commitIn = async (where: TestRepo, parent: string) => {
        const made = await ObjectStore.with(where.root, async (store) => store.writeCommit({ tree: await store.treeOf(parent), parents: [parent], message: "m\n" }));
        return /^author (.*) \d+ [+-]\d{4}$/m.exec(where.git(["cat-file", "commit", made]))?.[1];
      };
      expect(await commitIn(repo, base)).toBe("Test Author <author@example.com>");
      expect(await commitIn(other, otherBase)).toBe("Other Person <author@example.com>");
      process.env.GIT_AUTHOR_NAME = "Env Name";
      expect(await commitIn(repo, base)).toBe("Env Name <author@example.com>");
      process.env.GIT_AUTHOR_EMAIL = "env@example.com";
      expect(await commitIn(repo, base)).toBe("Env Name <env@example.com>");
      process.env.GIT_COMMITTER_NAME = "Committer Env";
      const made = await ObjectStore.with(repo.root, async (store) => store.writeCommit({ tree: await store.treeOf(base), parents: [base], message: "m\n" }));
      expect(repo.git(["cat-file", "commit", made])).toMatch(/^committer Committer Env <author@example.com> \d+ [+-]\d{4}$/m);
    } finally {
      other.cleanup();
    }
  });

  it("name the commit encoding the user set (i18n.commitEncoding), as git commit-tree does", async () => {
    process.env.GIT_AUTHOR_DATE = process.env.GIT_COMMITTER_DATE = "1700000000 +0000";
    repo.git(["config", "i18n.commitEncoding", "ISO-8859-1"]);
    const tree = repo.git(["rev-parse", `${base}^{tree}`]);
    const made = await ObjectStore.with(repo.root, (store) => store.writeCommit({ tree, parents: [base], message: "latin\n" }));
    expect(header(made)).toMatch(/^encoding ISO-8859-1$/m);
    expect(made).toBe(commitTree(tree, [base], "latin"));
  });

  it("keep the dates the environment fixes, each call its own", async () => {
    const tree = repo.git(["rev-parse", `${base}^{tree}`]);
    for (const date of ["1700000000 +0000", "1800000000 +0200"]) {
      process.env.GIT_AUTHOR_DATE = process.env.GIT_COMMITTER_DATE = date;
      const made = await ObjectStore.with(repo.root, (store) => store.writeCommit({ tree, parents: [base], message: "dated\n" }));
      expect(made).toBe(commitTree(tree, [base], "dated"));
      expect(header(made)).toContain(`> ${date}\ncommitter`);
    }
  });

  it("name an encoding exactly when git commit-tree does (UTF-8 by any of git's spellings never)", async () => {
    process.env.GIT_AUTHOR_DATE = process.env.GIT_COMMITTER_DATE = "1700000000 +0000";
    for (const encoding of ["UTF-8", "utf8", "x-utf8", "utf-8x"]) {
      // A repository each: the setting is read once per repository and process.
      const other = makeRepo();
      try {
        other.git(["config", "i18n.commitEncoding", encoding]);
        const parent = other.commit("init", { "a.txt": "a\n" });
        const tree = other.git(["rev-parse", `${parent}^{tree}`]);
        const made = await ObjectStore.with(other.root, (store) => store.writeCommit({ tree, parents: [parent], message: `in ${encoding}\n` }));
        const theirs = execFileSync("git", ["commit-tree", tree, "-p", parent, "-m", `in ${encoding}`], { cwd: other.root, encoding: "utf8" }).trim();
        expect([encoding, made]).toEqual([encoding, theirs]);
      } finally {
        other.cleanup();
      }
    }
  });

  it("ask for the identity again after git could not give one (the user sets it meanwhile)", async () => {
    const home = mkdtempSync(join(tmpdir(), "csess-no-identity-"));
    try {
      for (const key of Object.keys(process.env)) if (/^GIT_(AUTHOR|COMMITTER)_/.test(key) || key === "EMAIL") delete process.env[key];
      Object.assign(process.env, { HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" });
      repo.git(["config", "user.useConfigOnly", "true"]); // no address guessed from the host name: git var fails
      repo.git(["config", "--unset", "user.email"]);
      const tree = repo.git(["rev-parse", `${base}^{tree}`]);
      const commit = () => ObjectStore.with(repo.root, (store) => store.writeCommit({ tree, parents: [base], message: "x\n" }));
      await expect(commit()).rejects.toThrow(/read the commit identity.*email/is);
      repo.git(["config", "user.email", "set@example.com"]);
      expect(header(await commit())).toMatch(/^author Test Author <set@example.com> /m);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("fail as git commit-tree fails when no identity is set", async () => {
    const home = mkdtempSync(join(tmpdir(), "csess-no-identity-"));
    try {
      for (const key of Object.keys(process.env)) if (/^GIT_(AUTHOR|COMMITTER)_/.test(key) || key === "EMAIL") delete process.env[key];
      Object.assign(process.env, { HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_NOSYSTEM: "1" });
      repo.git(["config", "--unset", "user.name"]);
      repo.git(["config", "--unset", "user.email"]);
      const tree = repo.git(["rev-parse", `${base}^{tree}`]);
      let gitSaid: unknown;
      try {
        commitTree(tree, [base], "x", process.env);
      } catch (error) {
        gitSaid = error;
      }
      const ours = ObjectStore.with(repo.root, (store) => store.writeCommit({ tree, parents: [base], message: "x\n" }));
      // Where the host name gives git an address, both commit (then nothing here differs); else both fail, saying why.
      if (gitSaid) await expect(ours).rejects.toThrow(/identity|email/i);
      else await expect(ours).resolves.toMatch(/^[0-9a-f]{40}$/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe("trees edited by path", () => {
  it("rebuild the folders on the way, drop a folder left empty, and make one that was not there", async () => {
    const tree = repo.git(["rev-parse", `${base}^{tree}`]);
    const blob = repo.git(["rev-parse", `${base}:PRD.md`]);
    const edited = await ObjectStore.with(repo.root, (store) =>
      store.editTree(tree, new Map([["docs/deep/x.md", null], ["new/a/b.md", { mode: "100755", oid: blob }], ["docs/plan.md", null], ["PRD.md", null]])),
    );
    expect(repo.git(["ls-tree", "-r", "--format=%(objectmode) %(path)", edited!])).toBe("100755 new/a/b.md");
    const empty = await ObjectStore.with(repo.root, (store) => store.editTree(edited, new Map([["new", null]])));
    expect(empty).toBe(repo.git(["hash-object", "-t", "tree", "/dev/null"])); // the root stays, empty
  });

  it("read the entry at a path, or null where there is none (or a file stands on the way)", async () => {
    const tree = repo.git(["rev-parse", `${base}^{tree}`]);
    const found = await ObjectStore.with(repo.root, async (store) => [
      await store.entryAt(tree, "docs/deep/x.md"), await store.entryAt(tree, "docs"), await store.entryAt(tree, "PRD.md/x"), await store.entryAt(tree, "none.md"),
    ]);
    expect(found).toEqual([
      { mode: "100644", oid: repo.git(["rev-parse", `${base}:docs/deep/x.md`]) },
      { mode: "40000", oid: repo.git(["rev-parse", `${base}:docs`]) },
      null,
      null,
    ]);
  });
});

describe("what the store is asked", () => {
  it("reads a branch's commit and tree, a file's text, and says what an object is when it is not what was asked", async () => {
    const blob = repo.git(["rev-parse", `${base}:PRD.md`]);
    const tree = repo.git(["rev-parse", `${base}^{tree}`]);
    await ObjectStore.with(repo.root, async (store) => {
      expect(await store.commitAt("refs/heads/main")).toEqual({ commit: base, tree });
      expect(await store.commitAt("refs/heads/none")).toBeNull();
      expect(await store.commitAt(tree)).toBeNull();
      expect(await store.readText(blob)).toBe("- [ ] A\n");
      await expect(store.readTree(blob)).rejects.toThrow(`${blob} is not a tree in ${repo.root} (a blob); the repository may be damaged`);
      await expect(store.treeOf(blob)).rejects.toThrow(`git cat-file --batch: ${blob} is not a commit in ${repo.root}`);
      await expect(store.readText(tree)).rejects.toThrow(`${tree} is not a blob in ${repo.root} (a tree); the repository may be damaged`);
      await expect(store.readTree("1".repeat(40))).rejects.toThrow(`is not a tree in ${repo.root}; the repository may be damaged`);
      expect(await store.writeBlobs([])).toEqual([]);
    });
  });

  it("a commit object without a tree (git fsck's \"missingTree\") is called damaged, naming the commit", async () => {
    // Only --literally writes one: git's own commands refuse it.
    const broken = execFileSync("git", ["hash-object", "-t", "commit", "-w", "--literally", "--stdin"], {
      cwd: repo.root, input: "author A <a@a> 0 +0000\ncommitter A <a@a> 0 +0000\n\nno tree\n", encoding: "utf8",
    }).trim();
    await ObjectStore.with(repo.root, async (store) => {
      await expect(store.commitAt(broken)).rejects.toThrow(`git cat-file --batch: commit ${broken} names no tree in ${repo.root}; the repository may be damaged (git fsck says more)`);
    });
  });

  it("keeps a submodule (gitlink) entry through a tree edit", async () => {
    const sub = "2".repeat(40); // a gitlink names a commit of another repository: never in this one
    repo.git(["update-index", "--add", "--cacheinfo", `160000,${sub},vendor/lib`]);
    const tree = repo.git(["write-tree"]);
    const blob = repo.git(["rev-parse", `${base}:PRD.md`]);
    const edited = await ObjectStore.with(repo.root, (store) => store.editTree(tree, new Map([["vendor/new.md", { mode: "100644", oid: blob }]])));
    const expected = [...repo.git(["ls-tree", "-r", tree]).split("\n"), `100644 blob ${blob}\tvendor/new.md`].sort();
    expect(repo.git(["ls-tree", "-r", edited!]).split("\n").sort()).toEqual(expected);
    expect(repo.git(["ls-tree", edited!, "vendor/lib"])).toBe(`160000 commit ${sub}\tvendor/lib`);
  });

  it("leaves no git running once it is closed", async () => {
    await ObjectStore.with(repo.root, (store) => store.treeOf(base));
    const ours = execFileSync("ps", ["-o", "args=", "--ppid", String(process.pid)], { encoding: "utf8" }).split("\n");
    expect(ours.filter((args) => /^git (cat-file|mktree|hash-object)/.test(args))).toEqual([]);
  });
});

describe("reading git's answers", () => {
  it("a tree object that does not parse is called damaged, never read as entries", () => {
    for (const raw of ["100644 name-without-end", "abc\0", "\0"]) {
      expect(() => parseTree(Buffer.from(raw, "latin1"), 20), JSON.stringify(raw)).toThrow("a tree object that does not parse; the repository may be damaged");
    }
  });

  it("a line answer waits for its newline", () => {
    expect(lineAnswer(Buffer.from("abc"))).toBeUndefined();
    expect(lineAnswer(Buffer.from("abc\nrest"))).toEqual({ value: "abc", length: 4 });
  });
});

/** The pid of the git running `args` in `cwd` (read from /proc: tests in other files run git too). */
function gitRunning(cwd: string, args: string): number {
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
      if (cmdline === `git ${args}` && realpathSync(`/proc/${pid}/cwd`) === cwd) return Number(pid);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  throw new Error(`no git ${args} running in ${cwd}`);
}

describe("a git that fails mid-way", () => {
  it("killed (as the out-of-memory killer would): the next question fails saying so, and so does every later one", async () => {
    const tree = repo.git(["rev-parse", `${base}^{tree}`]);
    await ObjectStore.with(repo.root, async (store) => {
      const entries = await store.readTree(tree);
      process.kill(gitRunning(repo.root, "mktree -z --batch"), "SIGKILL");
      await expect(store.writeTree(entries)).rejects.toThrow(/^git mktree -z --batch failed with exit 137: \(it stopped answering\)$/);
      await expect(store.writeTree(entries)).rejects.toThrow(/^git mktree -z --batch failed with exit 137/);
      expect(await store.readTree(tree)).toEqual(entries); // the others still answer
    });
  });


  it("that cannot start (its folder is gone) fails the question with the reason, and closes", async () => {
    const gone = new GitCoprocess(join(repo.root, "no-such-folder"), ["cat-file", "--batch"]);
    await expect(gone.ask(`${base}\n`, lineAnswer)).rejects.toThrow(/ENOENT/);
    await gone.close();
  });

  it("says what git said, and the store still closes", async () => {
    const missing = "1".repeat(40);
    await expect(ObjectStore.with(repo.root, (store) => store.writeTree([{ mode: "100644", oid: missing, name: "gone.md" }])))
      .rejects.toThrow(new RegExp(`git mktree -z --batch failed with exit \\d+: .*${missing}`));
    await expect(ObjectStore.with(repo.root, (store) => store.readTree(missing))).rejects.toThrow(`${missing} is not a tree in ${repo.root}`);
  });
});
