import path from "node:path";
import type { SessionRef, SshTmux, Tmux } from "@csess/tmux";
import { UserError } from "../errors.js";
import { readJournal } from "../run/journal.js";
import { listRuns, resolveRunId, runDir } from "../run/rundir.js";
import { findRepoRoot } from "../repo-root.js";
import { describeOutcome, executorForSession, executorForStateDir, sessionNamed } from "./tmux-shared.js";

export interface LogsOptions {
  lines: number;
  follow?: boolean;
  iteration?: number;
  run?: string;
}

/** `csess logs NAME|TASK`: the last lines of a session's (or a task iteration's) output, here or on its ssh host, or follow it. */
export async function logsCommand(name: string, options: LogsOptions): Promise<void> {
  const { executor, ref } = options.iteration !== undefined || options.run !== undefined
    ? await onExecutor(await taskIteration(name, options))
    : await sessionOrTask(name, options);
  if (!options.follow) {
    process.stdout.write(await executor.tail(ref, options.lines));
    return;
  }
  const outcome = await executor.follow(ref, (chunk) => process.stdout.write(chunk), { lines: options.lines });
  process.stderr.write(describeOutcome(name, outcome));
}

interface LogSource {
  executor: Tmux | SshTmux;
  ref: SessionRef;
}

/** A run task's iteration on the machine it ran on (here, or the ssh host its remote.json names). */
async function onExecutor(ref: { stateDir: string }): Promise<LogSource> {
  return { executor: await executorForStateDir(ref.stateDir), ref };
}

/** A session by name (here or on an ssh host); else the latest iteration of the task with that id; else the session lookup's error. */
async function sessionOrTask(name: string, options: LogsOptions): Promise<LogSource> {
  const session = sessionNamed(name);
  const executor = await executorForSession(session);
  try {
    await executor.status(session);
    return { executor, ref: session };
  } catch (unknownSession) {
    const task = await taskIteration(name, options).catch(() => undefined);
    if (task) return onExecutor(task);
    throw unknownSession;
  }
}

/** The output of one iteration of a task, found through the run's journal (newest attempt of it). */
async function taskIteration(taskId: string, options: LogsOptions): Promise<{ stateDir: string }> {
  let repoRoot: string;
  try {
    repoRoot = await findRepoRoot(process.cwd());
  } catch {
    throw new UserError(`no session named "${taskId}" (see csess status), and not inside a repository to look for a task with that id`);
  }
  const runs = options.run !== undefined ? [resolveRunId(repoRoot, options.run)] : listRuns(repoRoot).reverse();
  for (const run of runs) {
    const started = readJournal(path.join(runDir(repoRoot, run), "events.jsonl"))
      .flatMap((e) => (e.type === "iteration-started" && e.taskId === taskId ? [e] : []));
    if (started.length === 0) continue;
    const wanted = options.iteration ?? Math.max(...started.map((e) => e.iteration));
    const match = started.filter((e) => e.iteration === wanted).at(-1);
    if (!match) {
      throw new UserError(`task ${taskId} in run ${run} has iterations ${[...new Set(started.map((e) => e.iteration))].join(", ")}; received --iteration ${wanted}`);
    }
    return { stateDir: match.stateDir };
  }
  throw new UserError(`no session named "${taskId}" (see csess status) and no task "${taskId}" started in ${options.run ? `run ${options.run}` : "this repository's runs"} (task ids: csess tasks PRD.md)`);
}
