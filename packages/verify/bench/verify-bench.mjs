// @ts-check
// `pnpm --filter @csess/verify bench` (on dist/, built by turbo first): verifyHistory on a 1,000-task
// PRD against 10,000 commits, a task worktree's create + remove, and the landing of 8 task branches
// with their ticks, each beside the bare git commands doing the same job, measured in turns in this run.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parsePrd, setTaskChecked } from "@csess/prd";
import { benchReport, median } from "../../../scripts/bench-kit.mjs";
import { addTaskWorktree, mergeTaskBranches, removeTaskWorktree, runGit, verifyHistory, withTaskTrailer } from "../dist/index.js";
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
const IDENTITY = ["-c", "user.name=Bench", "-c", "user.email=bench@example.com"];

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
  git(small, ...IDENTITY, "commit", "-q", "-m", "init");
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
  await landingFigures();
} finally {
  rmSync(fixture.root, { recursive: true, force: true });
  rmSync(small, { recursive: true, force: true });
}
report.finish();

/**
 * Landing 8 task branches that finished together, with their PRD ticks: `mergeTaskBranches` with
 * `fileChanges` (as `csess run` lands them) beside the same commits made the bare porcelain way in a
 * twin repository (per task: `git merge --no-ff --no-commit`, main's PRD checked out again, `git commit`,
 * then the tick's `git commit -a`). Git processes are counted from
 * git's own trace (GIT_TRACE: one "built-in" line per git process), which no machine's speed changes.
 */
async function landingFigures() {
  const LANDED = 8;
  const prd = ["# Plan", "", ...Array.from({ length: LANDED }, (_, i) => `- [ ] Task ${i + 1}`), ""].join("\n");
  const ids = parsePrd(prd).tasks.map((t) => t.id);
  const dirs = ["csess", "bare"].map((name) => realpathSync(mkdtempSync(join(tmpdir(), `csess-verify-bench-land-${name}-`))));
  const trace = join(tmpdir(), `csess-verify-bench-trace-${process.pid}`);
  const tracedProcesses = () => readFileSync(trace, "utf8").split("\n").filter((l) => l.includes("trace: built-in: git ")).length;
  try {
    for (const dir of dirs) {
      git(dir, "init", "-q", "-b", "main");
      for (let i = 0; i < 20; i++) writeFileSync(join(dir, `f${i}.txt`), `${i}\n`);
      writeFileSync(join(dir, "PRD.md"), prd);
      git(dir, "add", ".");
      git(dir, ...IDENTITY, "commit", "-q", "-m", "init");
    }
    let round = 0;
    const branches = (/** @type {string} */ dir) => freshTaskBranches(dir, prd, ids, `r${round}`);
    const tick = (/** @type {string} */ id) => ({ edit: (/** @type {string} */ text) => setTaskChecked(text, id, true), message: withTaskTrailer(`csess: tick ${id}`, undefined, id) });
    /** @type {number[]} */
    const processes = [];
    /** @type {number[]} */
    const bareProcesses = [];
    const [bareMs, csessMs] = await inTurns(
      5,
      () => {
        const tasks = branches(dirs[1]);
        writeFileSync(trace, "");
        const env = { ...process.env, GIT_TRACE: trace, GIT_AUTHOR_NAME: "Bench", GIT_AUTHOR_EMAIL: "bench@example.com", GIT_COMMITTER_NAME: "Bench", GIT_COMMITTER_EMAIL: "bench@example.com" };
        const run = (/** @type {string[]} */ ...args) => execFileSync("git", args, { cwd: dirs[1], env, stdio: ["ignore", "ignore", "pipe"] });
        for (const { branch, taskId } of tasks) {
          // The same commits as csess makes: the merge keeps main's PRD (the agent ticked its own copy), then the tick.
          run("merge", "-q", "--no-ff", "--no-commit", "-X", "ours", branch);
          run("checkout", "HEAD", "--", "PRD.md");
          run("commit", "-q", "-m", `Merge csess task ${taskId}`);
          writeFileSync(join(dirs[1], "PRD.md"), setTaskChecked(readFileSync(join(dirs[1], "PRD.md"), "utf8"), taskId, true));
          run("commit", "-q", "-a", "-m", `csess: tick ${taskId}`);
        }
        bareProcesses.push(tracedProcesses());
      },
      async () => {
        const tasks = branches(dirs[0]);
        round++;
        writeFileSync(trace, "");
        process.env.GIT_TRACE = trace;
        try {
          const results = await mergeTaskBranches({ root: dirs[0], keepPaths: ["PRD.md"], tasks, fileChanges: { path: "PRD.md", byTask: new Map(ids.map((id) => [id, tick(id)])) } });
          if (results.some((r) => r.status !== "merged" || !r.fileCommit)) throw new Error(`landing: ${results.map((r) => r.message).join("; ")}`);
        } finally {
          delete process.env.GIT_TRACE;
        }
        processes.push(tracedProcesses());
      },
    );
    report.figure({
      name: `git processes to land ${LANDED} task branches with their ticks (mergeTaskBranches + fileChanges)`, unit: "processes", measured: median(processes) ?? NaN,
      goal: { ratio: 1 }, floor: { label: `the same commits the bare way: per task git merge --no-ff --no-commit + git checkout HEAD -- PRD.md + git commit + tick git commit -a (git's own upkeep after each included)`, value: median(bareProcesses) ?? NaN },
    });
    report.figure({
      name: `landing ${LANDED} task branches with their ticks (mergeTaskBranches + fileChanges)`, unit: "ms", measured: csessMs ?? NaN,
      floor: { label: "the same commits the bare way: per task git merge --no-ff --no-commit + git checkout HEAD -- PRD.md + git commit + tick git commit -a", value: bareMs ?? NaN },
      note: "no goal of its own: csess run's exit → verified figures hold the goals; the bare way touches the checkout, csess never does",
    });
  } finally {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    rmSync(trace, { force: true });
  }
}


/**
 * Task branches from main as agents leave them, one per id: a file of their own, their own box ticked
 * in their copy of the PRD, a commit with the trailer. Main's boxes are all opened again first.
 */
function freshTaskBranches(/** @type {string} */ dir, /** @type {string} */ prd, /** @type {string[]} */ ids, /** @type {string} */ round) {
  writeFileSync(join(dir, "PRD.md"), prd);
  git(dir, ...IDENTITY, "commit", "-q", "--allow-empty", "-am", `${round}: every box open again`);
  return ids.map((id, i) => {
    const branch = `task-${round}-${i}`;
    git(dir, "checkout", "-q", "-b", branch, "main");
    writeFileSync(join(dir, `${round}-t${i}.txt`), `${id}\n`);
    writeFileSync(join(dir, "PRD.md"), setTaskChecked(prd, id, true));
    git(dir, "add", ".");
    git(dir, ...IDENTITY, "commit", "-q", "-m", `feat: task ${i}`, "-m", `Csess-Task: ${id}`);
    git(dir, "checkout", "-q", "main");
    return { branch, taskId: id };
  });
}
