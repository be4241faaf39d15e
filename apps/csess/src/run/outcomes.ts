import { join } from "node:path";
import type { RunOutcome } from "@csess/verify";
import { readJournal } from "./journal.js";
import { listRuns, runDir } from "./rundir.js";
import { iterationsUsed, replay, type RunState, type TaskState } from "./state.js";

/**
 * What the csess runs over one PRD saw happen that git cannot show (a failed check, a conflict, a box
 * ticked only in a worktree, a failure): `csess verify` judges these facts with the run's own judge,
 * so the two never disagree on the same history. The newest run that finished a task speaks for it.
 * Commits that reached the integration branch during a run without csess making them, and commits one
 * task's agent made on another task's branch, are evidence for no task.
 */
export function runFacts(repoRoot: string, prdPath: string): { outcomes: Map<string, RunOutcome>; notEvidence: Set<string> } {
  const outcomes = new Map<string, RunOutcome>();
  const notEvidence = new Set<string>();
  for (const runId of listRuns(repoRoot)) {
    let state: RunState;
    try {
      state = replay(readJournal(join(runDir(repoRoot, runId), "events.jsonl")));
    } catch {
      continue; // a damaged journal says nothing reliable; git still does
    }
    if (state.start.prdPath !== prdPath) continue;
    for (const commit of state.outsideCommits) notEvidence.add(commit.hash);
    for (const task of state.tasks.values()) {
      for (const attempt of task.attempts) for (const hash of attempt.evidence?.foreign?.commits ?? []) notEvidence.add(hash);
    }
    for (const task of state.tasks.values()) {
      if (!task.final) continue; // not attempted, or still running
      const outcome = outcomeOf(runId, task, state.start.config.check);
      if (outcome) outcomes.set(task.id, outcome);
      else outcomes.delete(task.id);
    }
  }
  return { outcomes, notEvidence };
}

function outcomeOf(runId: string, task: TaskState, checkCommand: string | undefined): RunOutcome | undefined {
  const { verdict, reason } = task.final!;
  const base = { iterations: iterationsUsed(task), note: `run ${runId}: ${reason}` };
  const check = task.attempts.at(-1)?.evidence?.check;
  switch (verdict) {
    case "verified":
    case "done-unclaimed":
    case "pending":
      return undefined; // git alone decides these
    case "claimed-unverified":
      return { ...base, outcome: "failed", claimed: true };
    case "failed":
      return {
        ...base,
        outcome: "failed",
        ...(task.merge?.status === "check-failed" && checkCommand
          ? { check: { command: checkCommand, passed: false, exitCode: null } } // failed on the merge result
          : check && checkCommand ? { check: { command: checkCommand, passed: check.exitCode === 0, exitCode: check.exitCode } } : {}),
      };
    default:
      return { ...base, outcome: verdict };
  }
}
