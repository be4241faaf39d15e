import { execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach } from "vitest";

/** Environment for test git commands: a fixed identity, no user/system config (CI has none either). */
export const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Test Author",
  GIT_AUTHOR_EMAIL: "author@example.com",
  GIT_COMMITTER_NAME: "Test Author",
  GIT_COMMITTER_EMAIL: "author@example.com",
};

export interface TestRepo {
  root: string;
  git(args: string[], cwd?: string): string;
  write(path: string, content: string, cwd?: string): void;
  read(path: string, cwd?: string): string;
  /** Writes the files and commits them; returns the new commit hash. */
  commit(message: string, files?: Record<string, string>, cwd?: string): string;
  cleanup(): void;
}

/** A real repository in a temp dir, branch main, with its own identity in .git/config. */
export function makeRepo(prefix = "csess-verify-"): TestRepo {
  const root = realpathSync(mkdtempSync(join(tmpdir(), prefix)));
  const git = (args: string[], cwd = root) =>
    execFileSync("git", args, { cwd, env: GIT_ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
  git(["init", "-q", "-b", "main"]);
  git(["config", "user.name", "Test Author"]);
  git(["config", "user.email", "author@example.com"]);
  git(["config", "commit.gpgsign", "false"]);
  const write = (path: string, content: string, cwd = root) => {
    mkdirSync(dirname(join(cwd, path)), { recursive: true });
    writeFileSync(join(cwd, path), content);
  };
  return {
    root,
    git,
    write,
    read: (path, cwd = root) => readFileSync(join(cwd, path), "utf8"),
    commit(message, files = {}, cwd = root) {
      for (const [path, content] of Object.entries(files)) write(path, content, cwd);
      if (Object.keys(files).length > 0) git(["add", "--", ...Object.keys(files)], cwd);
      git(["commit", "-q", "--allow-empty", "-m", message], cwd);
      return git(["rev-parse", "HEAD"], cwd);
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/**
 * A new repository for every test of the file, its first commit ("init") holding `prd` as PRD.md,
 * shared.txt and notes.txt; `set` receives it and that commit, and it is removed after the test.
 */
export function freshRepoEachTest(prd: string, set: (repo: TestRepo, base: string) => void): void {
  let current: TestRepo | undefined;
  beforeEach(() => {
    current = makeRepo();
    set(current, current.commit("init", { "PRD.md": prd, "shared.txt": "one\ntwo\nthree\n", "notes.txt": "keep\n" }));
  });
  afterEach(() => current?.cleanup());
}
