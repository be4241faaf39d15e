// The hooks csess gives every agent's git (src/run/stamps.ts): its reference-transaction stamps each ref
// update with the agent's task, and the user's own hooks still run behind it. Real git in temp repos.
import { execFile } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { removeTree } from "@csess/test-kit";
import { prepareStamps, type Stamps } from "../src/run/stamps.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeTree(dir);
});

type Git = (args: string[], options?: { cwd?: string; input?: string; task?: string }) => Promise<{ code: number; stdout: string; stderr: string }>;

/** A repo with one commit, and a git that runs as an agent of task `t1` would (csess's hooks env). */
async function makeRepo(setUp?: (repo: string, git: Git) => void | Promise<void>): Promise<{ repo: string; run: string; stamps: Stamps; git: Git; log: () => string[] }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "csess-stamps-"));
  dirs.push(dir);
  const repo = path.join(dir, "repo");
  const run = path.join(dir, "run");
  mkdirSync(repo);
  const plain = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@t", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@t" };
  let agentEnv: NodeJS.ProcessEnv = plain;
  const git: Git = (args, options = {}) =>
    new Promise((resolve) => {
      const env = options.task === undefined ? agentEnv : { ...agentEnv, CSESS_TASK_ID: options.task };
      const child = execFile("git", args, { cwd: options.cwd ?? repo, env, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
      child.stdin?.on("error", () => undefined); // a git that reads no input may exit before it is written
      child.stdin?.end(options.input ?? "");
    });
  await git(["init", "-q", "-b", "main"]);
  writeFileSync(path.join(repo, "README.md"), "hello\n");
  await git(["add", "README.md"]);
  await git(["commit", "-q", "-m", "initial"]);
  await setUp?.(repo, git);
  const stamps = await prepareStamps(run, repo);
  agentEnv = { ...plain, ...stamps.env(plain), CSESS_TASK_ID: "t1" };
  const log = () => readFileSync(path.join(run, "ref-updates.log"), "utf8").split("\n").filter(Boolean);
  return { repo, run, stamps, git, log };
}

function hook(file: string, body: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
}

describe("csess's hooks for agents' git", () => {
  it("stamps every ref an agent's git moves with its task, each update of a transaction on its own line", async () => {
    const { git, log } = await makeRepo();
    const head = (await git(["rev-parse", "HEAD"])).stdout.trim();
    expect((await git(["commit", "-q", "--allow-empty", "-m", "work"])).code).toBe(0);
    const tip = (await git(["rev-parse", "HEAD"])).stdout.trim();
    const batch = ["a", "b", "c"].map((name) => `create refs/heads/${name} ${tip}\n`).join("");
    expect((await git(["update-ref", "--stdin"], { input: batch, task: "t2" })).code).toBe(0);
    expect(log()).toEqual([
      `t1 ${head} ${tip} HEAD`, // git updates HEAD and the branch it names in one transaction
      `t1 ${head} ${tip} refs/heads/main`,
      ...["a", "b", "c"].map((name) => `t2 ${"0".repeat(40)} ${tip} refs/heads/${name}`),
    ]);
  });

  it("an agent's commit starts no git maintenance (csess runs it after landings), and the user's own GIT_CONFIG_* still apply", async () => {
    const { repo, stamps } = await makeRepo();
    const commit = (env: NodeJS.ProcessEnv, message: string) =>
      new Promise<string>((resolve, reject) => {
        const trace = path.join(repo, "..", `trace-${message}.txt`);
        execFile("git", ["commit", "-q", "--allow-empty", "-m", message], { cwd: repo, env: { ...env, GIT_TRACE: trace } }, (error) =>
          error ? reject(error) : resolve(readFileSync(trace, "utf8")));
      });
    const user = { ...process.env, GIT_CONFIG_GLOBAL: "/dev/null", GIT_CONFIG_COUNT: "2", GIT_CONFIG_KEY_0: "user.name", GIT_CONFIG_VALUE_0: "From Env",
      GIT_CONFIG_KEY_1: "user.email", GIT_CONFIG_VALUE_1: "env@example.com" };
    // The same commit without csess's settings starts it: what the assertion below looks for is there to see.
    expect(await commit(user, "plain")).toMatch(/run_command: git maintenance run --auto/);
    const traced = await commit({ ...user, ...stamps.env(user), CSESS_TASK_ID: "t1" }, "agent");
    expect(traced).not.toMatch(/maintenance/);
    expect(traced).toMatch(/run_command: .*reference-transaction/); // csess's hook still runs
    const author = await new Promise<string>((resolve) =>
      execFile("git", ["log", "-1", "--format=%an <%ae> %s"], { cwd: repo }, (_error, stdout) => resolve(stdout.trim())));
    expect(author).toBe("From Env <env@example.com> agent");
  });

  it("a git run outside any task (no CSESS_TASK_ID) is not stamped", async () => {
    const { git, log } = await makeRepo();
    expect((await git(["commit", "-q", "--allow-empty", "-m", "by the user"], { task: "" })).code).toBe(0);
    expect((await git(["commit", "-q", "--allow-empty", "-m", "by t1"])).code).toBe(0);
    expect(log().map((line) => line.split(" ")[0])).toEqual(["t1", "t1"]); // HEAD and main, both by t1's commit
  });

  it("a transaction larger than a pipe holds (5,000 refs) passes and is stamped whole", async () => {
    const { git, log } = await makeRepo();
    const head = (await git(["rev-parse", "HEAD"])).stdout.trim();
    const batch = Array.from({ length: 5_000 }, (_, i) => `create refs/heads/many/${i} ${head}\n`).join("");
    const r = await git(["update-ref", "--stdin"], { input: batch });
    expect(r.code, r.stderr).toBe(0);
    expect(log()).toHaveLength(5_000);
    expect((await git(["for-each-ref", "--count=6000", "refs/heads/many/"])).stdout.trim().split("\n")).toHaveLength(5_000);
  });

  it("without hooks of the user's, git finds no hook but csess's to start (no process for the others)", async () => {
    const { run } = await makeRepo();
    expect(readdirSync(path.join(run, "hooks"))).toEqual(["reference-transaction"]);
  });

  it("the user's hooks that exist run behind csess's: a failing pre-commit still stops the commit", async () => {
    let marker = "";
    const { repo, git, run } = await makeRepo((r) => {
      marker = path.join(r, "..", "pre-commit-ran");
      hook(path.join(r, ".git", "hooks", "pre-commit"), `echo "$CSESS_TASK_ID" >> '${marker}'\n[ ! -e "$PWD/block" ]`);
      writeFileSync(path.join(r, ".git", "hooks", "commit-msg"), "#!/bin/sh\nexit 1\n"); // not executable: git would not run it
    });
    expect(readdirSync(path.join(run, "hooks")).sort()).toEqual(["pre-commit", "reference-transaction"]);
    expect((await git(["commit", "-q", "--allow-empty", "-m", "ok"])).code).toBe(0);
    writeFileSync(path.join(repo, "block"), "");
    const blocked = await git(["commit", "-q", "--allow-empty", "-m", "blocked"]);
    expect(blocked.code).not.toBe(0);
    expect(readFileSync(marker, "utf8")).toBe("t1\nt1\n");
    expect((await git(["log", "--format=%s"])).stdout).toBe("ok\ninitial\n");
  });

  it("the user's reference-transaction gets every phase with exactly the lines git sent, and its verdict counts", async () => {
    let seen = "";
    const { git, log } = await makeRepo((r) => {
      seen = path.join(r, "..", "seen");
      hook(path.join(r, ".git", "hooks", "reference-transaction"), `{ echo "phase $1"; cat; } >> '${seen}'\n[ "$1" != prepared ] || ! grep -q refs/heads/refused '${seen}'`);
    });
    const head = (await git(["rev-parse", "HEAD"])).stdout.trim();
    const batch = `create refs/heads/x ${head}\ncreate refs/heads/y ${head}\n`;
    expect((await git(["update-ref", "--stdin"], { input: batch })).code).toBe(0);
    const lines = [`${"0".repeat(40)} ${head} refs/heads/x`, `${"0".repeat(40)} ${head} refs/heads/y`];
    expect(readFileSync(seen, "utf8")).toBe(["phase prepared", ...lines, "phase committed", ...lines, ""].join("\n"));
    expect(log()).toEqual(lines.map((line) => `t1 ${line}`));
    // The user's hook refuses a transaction in its prepared phase: git aborts it, and nothing is stamped.
    const refused = await git(["update-ref", "refs/heads/refused", head]);
    expect(refused.code).not.toBe(0);
    expect((await git(["rev-parse", "--verify", "-q", "refs/heads/refused"])).code).not.toBe(0);
    expect(log()).toHaveLength(2);
  });

  it("a relative core.hooksPath (husky's .husky/_) is found from each worktree", async () => {
    let marker = "";
    const { repo, git } = await makeRepo(async (r, plainGit) => {
      marker = path.join(r, "..", "husky-ran");
      hook(path.join(r, ".husky", "_", "pre-commit"), `pwd >> '${marker}'`);
      await plainGit(["add", ".husky"]);
      await plainGit(["commit", "-q", "-m", "husky"]);
      await plainGit(["config", "core.hooksPath", ".husky/_"]);
    });
    const worktree = path.join(repo, "..", "wt");
    expect((await git(["worktree", "add", "-q", "-b", "task", worktree])).code).toBe(0);
    expect((await git(["commit", "-q", "--allow-empty", "-m", "in the worktree"], { cwd: worktree })).code).toBe(0);
    expect(readFileSync(marker, "utf8")).toBe(`${worktree}\n`);
  });
});
