import { basename, join, posix } from "node:path";
import type { IterationResult } from "@csess/scheduler";
import { TmuxError, type Executor } from "@csess/tmux";
import { record, type RunContext } from "./context.js";
import { LOCAL } from "./host-entry.js";
import type { IterationState, TaskState } from "./state.js";

/** The executor an attempt runs on: this machine unless the run has ssh hosts. */
export function executorOf(ctx: RunContext, host: string | undefined): Executor {
  return ctx.fleet?.executor(host) ?? ctx.tmux;
}

/** The ssh host of an attempt, undefined for this machine. */
export function remoteHost(host: string | undefined): string | undefined {
  return host === undefined || host === LOCAL ? undefined : host;
}

/** Where the agent works and what it runs, on its host. Locally: the worktree and argv as they are. */
export async function placeOnHost(
  ctx: RunContext,
  host: string | undefined,
  worktree: { path: string; branch: string },
  stateDir: string,
): Promise<{ worktree: string; sessionDir: string; join: (...parts: string[]) => string }> {
  const remote = remoteHost(host);
  const sessionDir = await executorOf(ctx, host).sessionDir(stateDir);
  if (!remote) return { worktree: worktree.path, sessionDir, join };
  const path = await ctx.fleet!.workspace(remote)!.prepare(worktree.branch);
  return { worktree: path, sessionDir, join: (...parts) => posix.join(...parts) };
}

/** The agent's git configuration for cross-task stamps: csess's hooks here, or the ones installed on its ssh host. */
export async function stampsEnv(ctx: RunContext, host: string | undefined): Promise<Record<string, string>> {
  const remote = remoteHost(host);
  return remote ? ctx.fleet!.workspace(remote)!.stampsEnv() : ctx.stamps.env();
}

/** A remote agent runs its CLI from the host's PATH (a path resolved here may not exist there). */
export function argvForHost(host: string | undefined, argv: string[]): string[] {
  return remoteHost(host) && argv[0] ? [basename(argv[0]), ...argv.slice(1)] : argv;
}

/** Brings a remote attempt's task branch back before it is judged here (nothing to do locally). */
export async function fetchBranchBack(ctx: RunContext, t: TaskState, a: IterationState): Promise<void> {
  const remote = remoteHost(a.host);
  if (!remote || !t.branch || !t.worktree) return;
  await ctx.fleet!.workspace(remote)!.fetchBack(t.branch, t.worktree);
}

/** True when an error means the host did not answer (ssh's connection failed, not the command). */
export function isHostUnreachable(error: unknown): boolean {
  return error instanceof TmuxError && error.code === "HOST_UNREACHABLE";
}

/**
 * The attempt's host stopped answering: the attempt ends as lost (like a dead session, it uses no
 * iteration) and the scheduler takes the host out and requeues the task on another.
 */
export function hostLost(ctx: RunContext, t: TaskState, host: string, detail: string): IterationResult {
  const a = t.attempts.at(-1);
  if (a && !a.ended) {
    record(ctx, {
      type: "iteration-ended", taskId: t.id, iteration: a.iteration, attempt: a.attempt,
      exitCode: null, reason: "host-lost", durationMs: 0, outcome: { class: "dead", summary: detail },
    });
  }
  ctx.view.event("host-lost", { taskId: t.id, host }, `${t.id}: ${detail}; the task goes to another host`);
  return { kind: "host-lost", host, reason: detail };
}
