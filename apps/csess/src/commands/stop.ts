import { join } from "node:path";
import { Journal, readJournal } from "../run/journal.js";
import { isAlive, resolveRunId, runDir } from "../run/rundir.js";
import { findRepoRoot } from "../repo-root.js";
import { inFlight, replay } from "../run/state.js";
import { executorForStateDir } from "./tmux-shared.js";

/** `csess stop [RUN]`: the runner is told to stop, the sessions of its tasks in flight are killed. */
export async function stopCommand(run: string | undefined, options: { socket?: string }): Promise<void> {
  const repoRoot = await findRepoRoot(process.cwd());
  const runId = resolveRunId(repoRoot, run);
  const dir = runDir(repoRoot, runId);
  const journalPath = join(dir, "events.jsonl");
  let state = replay(readJournal(journalPath));
  const runner = state.pids.at(-1);
  if (runner !== undefined && runner !== process.pid && isAlive(runner)) {
    process.kill(runner, "SIGTERM"); // the runner stops starting work and releases its lock
    await waitForExit(runner, 10_000);
    state = replay(readJournal(journalPath));
  }
  const killed: string[] = [];
  for (const task of state.tasks.values()) {
    const attempt = task.final ? undefined : inFlight(task);
    if (!attempt) continue;
    // Here, or on the ssh host the attempt ran on.
    await (await executorForStateDir(attempt.stateDir, options)).kill({ stateDir: attempt.stateDir }).then(() => killed.push(attempt.session), () => undefined);
  }
  if (!state.finished) {
    const journal = new Journal(journalPath);
    journal.append({ type: "run-stopped", reason: "stopped by user" });
    journal.close();
  }
  process.stdout.write(`Run ${runId} stopped; ${killed.length} session(s) killed${killed.length ? `: ${killed.join(", ")}` : ""}.\n`);
  const unmerged = [...state.tasks.values()].filter(
    (t) => t.worktree && t.merge?.status !== "merged" && t.attempts.some((a) => (a.evidence?.commits.length ?? 0) > 0),
  );
  for (const t of unmerged) process.stdout.write(`  kept unmerged work of ${t.id}: ${t.branch} in ${t.worktree}\n`);
  process.stdout.write(`Continue later with: csess resume ${runId}\n`);
}

async function waitForExit(pid: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  // The runner is another process: there is no handle to await, so check its pid a few times.
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}
