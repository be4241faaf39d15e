// @ts-check
// `pnpm --filter @csess/verify bench` (on dist/, built by turbo first): verifyHistory on a 1,000-task
// PRD against 10,000 commits, and a task worktree's create + remove, each beside the bare git commands
// doing the same job, measured in turns in this run.
import { execFileSync } from "node:child_process";
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parsePrd } from "@csess/prd";
import { benchReport, median } from "../../../scripts/bench-kit.mjs";
import { addTaskWorktree, removeTaskWorktree, runGit, verifyHistory } from "../dist/index.js";
import { buildFixture } from "./fixture.mjs";

const report = benchReport({
  id: "verify",
  title: "@csess/verify",
  reproduce: "pnpm --filter @csess/verify bench",
  about: "verifyHistory on a fixture built with git fast-import (1,000-task PRD, half ticked; 10,000 commits over 3,500 files: " +
    "15 % with Csess-Task trailers, 45 % conventional subjects paraphrasing a task, 40 % noise), in-process, PRD parse excluded; " +
    "worktree create + remove per task in a 20-file repository. Medians of runs taken in turns with the floor.",
});

const git = (/** @type {string} */ cwd, /** @type {string[]} */ ...args) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();

/** Runs each function `runs` times in turns (after one warm-up round); the wall times of each, in ms. */
async function inTurns(/** @type {number} */ runs, /** @type {Array<() => Promise<unknown> | unknown>} */ ...fns) {
  /** @type {number[][]} */
  const times = fns.map(() => []);
  for (let round = -1; round < runs; round++) {
    for (const [i, fn] of fns.entries()) {
      const t0 = performance.now();
      await fn();
      if (round >= 0) times[i]?.push(performance.now() - t0);
    }
  }
  return times.map(median);
}

const fixture = buildFixture(1000, 10_000);
const tasks = parsePrd(fixture.prd).tasks;
const small = realpathSync(mkdtempSync(join(tmpdir(), "csess-verify-bench-small-")));
try {
  const [logMs, verifyMs] = await inTurns(
    5,
    () => runGit(fixture.root, ["log", "--format=%H%x1f%P%x1f%B", "--numstat", "--no-renames", "HEAD", "--"]),
    async () => {
      const history = await verifyHistory({ root: fixture.root, tasks, prdPath: "PRD.md" });
      if (history.commitsScanned !== fixture.commits) throw new Error(`scanned ${history.commitsScanned} commits, expected ${fixture.commits}`);
    },
  );
  report.figure({
    name: "verifyHistory, 1,000 tasks × 10,000 commits", unit: "ms", measured: verifyMs ?? NaN, goal: { max: 1000, strict: true },
    floor: { label: "one git log --numstat over the range, same format", value: logMs ?? NaN },
  });

  git(small, "init", "-q", "-b", "main");
  for (let i = 0; i < 20; i++) writeFileSync(join(small, `f${i}.txt`), `${i}\n`);
  git(small, "add", ".");
  git(small, "-c", "user.name=Bench", "-c", "user.email=bench@example.com", "commit", "-q", "-m", "init");
  const base = git(small, "rev-parse", "HEAD");
  let n = 0;
  const [bareMs, taskMs] = await inTurns(
    10,
    () => {
      const path = join(small, ".csess", `raw-${n}`);
      git(small, "worktree", "add", "-q", "-b", `raw-${n}`, path, base);
      git(small, "worktree", "remove", path);
      git(small, "branch", "-q", "-D", `raw-${n++}`);
    },
    async () => {
      const wt = await addTaskWorktree({ root: small, runId: "bench", slug: `task-${n++}`, base });
      const removed = await removeTaskWorktree({ root: small, path: wt.path, branch: wt.branch });
      if (!removed.worktreeRemoved || !removed.branchDeleted) throw new Error(removed.kept);
    },
  );
  report.figure({
    name: "addTaskWorktree + removeTaskWorktree, 20-file repository", unit: "ms", measured: taskMs ?? NaN,
    floor: { label: "git worktree add -b + worktree remove + branch -D", value: bareMs ?? NaN },
    note: "no goal of its own: it is part of the per-task floor of csess run",
  });
} finally {
  rmSync(fixture.root, { recursive: true, force: true });
  rmSync(small, { recursive: true, force: true });
}
report.finish();
