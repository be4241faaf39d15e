import type { MergeStatus, Verdict } from "@csess/verify";
import type { RunConfig } from "./settings.js";

/** A task as the run planned it (from the PRD at the start of the run). */
export interface PlannedTask {
  id: string;
  title: string;
  line: number;
  depth: number;
  parentId?: string;
  section?: string;
  /** A parent with no text of its own: verified when all its children are, no agent run. */
  group: boolean;
  deps: string[];
  /** Checked in the PRD when the run started: not run, reported as it stands. */
  checkedAtStart: boolean;
}

export interface CommitRecord {
  hash: string;
  subject: string;
  insertions: number;
  deletions: number;
  trailer: boolean;
}

export interface OutcomeRecord {
  class: string;
  summary: string;
  retryAfterMs?: number;
  resetAt?: string;
  /** As the agent reported it (costUsd only where the agent states a price). */
  tokens?: { input?: number; output?: number; total?: number; costUsd?: number };
  advice?: string;
}

/** Every state change of a run, in the order it was decided. The run's state is the replay. */
export type JournalEvent = { at?: string } & (
  | {
      type: "run-started";
      runId: string;
      version: string;
      pid: number;
      repoRoot: string;
      /** PRD path relative to the repo root (the same path inside every worktree). */
      prdPath: string;
      base: string;
      branch: string;
      config: RunConfig;
      tasks: PlannedTask[];
    }
  | { type: "runner-attached"; pid: number }
  | {
      type: "iteration-started";
      taskId: string;
      iteration: number;
      attempt: number;
      session: string;
      stateDir: string;
      worktree: string;
      branch: string;
      base: string;
      /** The ssh host the agent runs on (its worktree there mirrors `worktree`); absent: this machine. */
      host?: string;
    }
  | {
      type: "iteration-ended";
      taskId: string;
      iteration: number;
      attempt: number;
      exitCode: number | null;
      reason: string;
      durationMs: number;
      outcome: OutcomeRecord;
    }
  | {
      type: "evidence";
      taskId: string;
      attempt: number;
      commits: CommitRecord[];
      tickedInWorktree: boolean;
      /** strong: Csess-Task trailer on its own branch with a real change; medium: own branch, no trailer. */
      grade?: "strong" | "medium" | null;
      /** The branch's net change outside the PRD and csess's paths (whitespace-only edits left out). */
      change?: { files: number; insertions: number; deletions: number };
      check?: { exitCode: number; tail: string };
      /** Commits on its branch that another task's agent made (they are nobody's evidence). */
      foreign?: { by: string; commits: string[] };
      verified: boolean;
      reason: string;
    }
  | { type: "merge-started"; taskId: string }
  | { type: "merge-ended"; taskId: string; status: MergeStatus; commit?: string; paths?: string[]; message: string }
  /** The check run again on the merge commit (the integration branch had moved past the task's base). */
  | { type: "merge-checked"; taskId: string; commit: string; exitCode: number; tail: string }
  | { type: "tick-ended"; taskId: string; commit?: string; changed: boolean }
  | { type: "task-finished"; taskId: string; verdict: Verdict; reason: string }
  | { type: "rate-limit"; taskId: string; pausedUntil?: string; kind: string }
  /** The fleet-wide pause the scheduler decided after a rate or usage limit: no new starts until `until`. */
  | { type: "paused"; taskId: string; until: string; limit: string }
  | { type: "concurrency"; value: number }
  /** What an agent said about its provider's quota (journaled when a provider's gauge changes). */
  | { type: "quota"; provider: string; status: "ok" | "warning" | "rejected"; usedPercent?: number; resetAt?: string; taskId: string }
  | { type: "run-stopped"; reason: string }
  /** Commits on the integration branch since the run's base that csess did not make (see outside.ts). */
  | { type: "outside-commits"; commits: Array<{ hash: string; author: string; subject: string }> }
  | { type: "run-finished"; exitCode: number }
  | { type: "host-down"; host: string; taskId: string; reason?: string }
);

/** The contract's verdicts. */
export type { Verdict } from "@csess/verify";

export type EventOf<T extends JournalEvent["type"]> = Extract<JournalEvent, { type: T }>;
