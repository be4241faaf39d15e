import { spawn } from "node:child_process";
import { join } from "node:path";
import { runGit } from "@csess/verify";
import { UserError } from "../errors.js";
import { readJournal } from "../run/journal.js";
import { listRuns, resolveRunId, runDir } from "../run/rundir.js";
import { findRepoRoot } from "../repo-root.js";
import { replay, type TaskState } from "../run/state.js";

interface Found {
  runId: string;
  task: TaskState;
}

function matches(t: TaskState, wanted: string): boolean {
  return t.id === wanted || (t.branch !== undefined && (t.branch === wanted || t.branch.endsWith(`/${wanted}`)));
}

/** The task with that id (or branch) in the given run, else in the newest run that ran it. */
function findTask(repoRoot: string, wanted: string, run?: string): Found {
  const runs = run ? [resolveRunId(repoRoot, run)] : listRuns(repoRoot).reverse();
  if (runs.length === 0) resolveRunId(repoRoot); // throws the "no csess runs" error
  for (const runId of runs) {
    const state = replay(readJournal(join(runDir(repoRoot, runId), "events.jsonl")));
    const task = [...state.tasks.values()].find((t) => matches(t, wanted) && t.attempts.length > 0);
    if (task) return { runId, task };
  }
  const newest = replay(readJournal(join(runDir(repoRoot, runs[0]!), "events.jsonl")));
  const known = [...newest.tasks.values()].filter((t) => t.attempts.length > 0).slice(0, 8).map((t) => `${t.id} (${t.title})`);
  throw new UserError(
    `no task "${wanted}" was run in ${run ? `run ${runs[0]}` : "any csess run here"}; expected a task id or branch as csess report shows it, e.g. csess diff ${known[0]?.split(" ")[0] ?? "k3m9qa"}` +
      (known.length ? `; tasks of run ${runs[0]}: ${known.join(", ")}` : ""),
  );
}

/** The task's newest work: its branch while it exists, else its last recorded commit (the branch is removed after a merge). */
async function tipOf(repoRoot: string, found: Found): Promise<string> {
  const { task } = found;
  if (task.branch) {
    const branch = await runGit(repoRoot, ["rev-parse", "--verify", "--quiet", `refs/heads/${task.branch}^{commit}`], { okExitCodes: [1, 128] });
    if (branch.exitCode === 0) return branch.stdout.trim();
  }
  const commits = task.attempts.map((a) => a.evidence?.commits).filter((c) => c !== undefined).at(-1) ?? [];
  const newest = commits[0]?.hash;
  if (!newest) throw new UserError(`task ${task.id} of run ${found.runId} has no commits: its branch ${task.branch ?? "(none)"} is gone and no commit was recorded, so there is no change to show`);
  return newest;
}

/** `csess diff TASK`: git diff of the task's newest work against its base, through git's own pager. */
export async function diffCommand(wanted: string, options: { run?: string; stat?: boolean }): Promise<void> {
  const repoRoot = await findRepoRoot(process.cwd());
  const found = findTask(repoRoot, wanted, options.run);
  const base = found.task.base ?? found.task.attempts[0]!.base;
  const tip = await tipOf(repoRoot, found);
  if (tip === base) {
    const { task } = found;
    process.stderr.write(
      `csess: task ${task.id} (run ${found.runId}) has no commits on ${task.branch ?? "its branch"}: nothing was committed against its base ${base.slice(0, 10)}` +
        `${task.worktree ? `; uncommitted changes, if any, are in ${task.worktree} (git -C ${task.worktree} status)` : ""}\n`,
    );
    return;
  }
  const args = ["diff", ...(options.stat ? ["--stat"] : ["--stat", "--patch"]), base, tip, "--"];
  process.exitCode = await new Promise<number>((resolve) => {
    // git's own pager and colours, as `git diff` in a terminal.
    const child = spawn("git", args, { cwd: repoRoot, stdio: "inherit" });
    child.on("error", () => resolve(2));
    child.on("exit", (code) => resolve(code ?? 1));
  });
}
