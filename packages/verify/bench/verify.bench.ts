import { execFileSync } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, bench, describe } from "vitest";
import { parsePrd } from "@csess/prd";
import { addTaskWorktree, removeTaskWorktree, runGit, verifyHistory } from "../src/index.js";
import { buildFixture } from "./fixture.js";

// Built once, outside the measured functions (a few seconds with git fast-import).
const fixture = buildFixture(1000, 10_000);
const tasks = parsePrd(fixture.prd).tasks; // @csess/prd's cost, measured in its own benchmark
const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();
git(fixture.root, "config", "user.name", "Bench");
git(fixture.root, "config", "user.email", "bench@example.com");
const bigBase = git(fixture.root, "rev-parse", "HEAD");

const small = realpathSync(mkdtempSync(join(tmpdir(), "csess-verify-bench-small-")));
git(small, "init", "-q", "-b", "main");
for (let i = 0; i < 20; i++) writeFileSync(join(small, `f${i}.txt`), `${i}\n`);
git(small, "add", ".");
git(small, "-c", "user.name=Bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "init");
const smallBase = git(small, "rev-parse", "HEAD");

afterAll(() => {
  rmSync(fixture.root, { recursive: true, force: true });
  rmSync(small, { recursive: true, force: true });
});

describe("verify: 1,000-task PRD against a 10,000-commit repository", () => {
  bench("baseline: one plain git log --numstat over the range", async () => {
    await runGit(fixture.root, ["log", "--format=%H%x1f%P%x1f%B", "--numstat", "--no-renames", "HEAD", "--"]);
  }, { iterations: 5, warmupIterations: 1 });

  bench("verifyHistory (1 log pass + diffs of candidate commits + matching)", async () => {
    const report = await verifyHistory({ root: fixture.root, tasks, prdPath: "PRD.md" });
    if (report.commitsScanned !== fixture.commits) throw new Error(`scanned ${report.commitsScanned}`);
  }, { iterations: 5, warmupIterations: 1 });
});

let n = 0;
async function createAndRemove(root: string, base: string): Promise<void> {
  const wt = await addTaskWorktree({ root, runId: "bench", slug: `task-${n++}`, base });
  const removed = await removeTaskWorktree({ root, path: wt.path, branch: wt.branch });
  if (!removed.worktreeRemoved || !removed.branchDeleted) throw new Error(removed.kept);
}

describe("worktrees: create + remove per task", () => {
  bench("baseline: plain git worktree add -b + remove + branch -D, 20-file repository", () => {
    const path = join(small, ".csess", `raw-${n}`);
    git(small, "worktree", "add", "-q", "-b", `raw-${n}`, path, smallBase);
    git(small, "worktree", "remove", path);
    git(small, "branch", "-q", "-D", `raw-${n++}`);
  }, { iterations: 10, warmupIterations: 1 });
  bench("20-file repository", () => createAndRemove(small, smallBase), { iterations: 10, warmupIterations: 1 });
  bench("3,500-file repository (the 10,000-commit fixture)", () => createAndRemove(fixture.root, bigBase), { iterations: 5, warmupIterations: 1 });
});
