import { join } from "node:path";
import type { AgentProbe, ProviderEndpoint } from "@csess/agents";
import type { TaskDetail } from "@csess/prd";
import type { Tmux } from "@csess/tmux";
import type { DailyNotes } from "../notes.js";
import type { Fleet } from "./hosts.js";
import type { RunConfig } from "./settings.js";
import type { Journal } from "./journal.js";
import type { JournalEvent } from "./events.js";
import { applyEvent, type RunState, type TaskState } from "./state.js";
import type { Stamps } from "./stamps.js";
import type { ProgressView } from "./view.js";

/** Everything a running (or resumed) run works with. */
export interface RunContext {
  runId: string;
  dir: string;
  repoRoot: string;
  /** PRD path relative to the repo root (same inside every worktree). */
  prdPath: string;
  prdAbs: string;
  /** Integration branch the verified work is merged into. */
  branch: string;
  config: RunConfig;
  provider?: ProviderEndpoint;
  agentEnv: Record<string, string>;
  state: RunState;
  /** Current PRD details (body, section text) per task id, for prompts. */
  details: Map<string, TaskDetail>;
  journal: Journal;
  tmux: Tmux;
  /** The run's machines when it has `--host`s; undefined: everything runs on `tmux` here. */
  fleet?: Fleet;
  probe: AgentProbe;
  view: ProgressView;
  notes?: DailyNotes;
  notify?: string;
  /** Which task's agent moved which branch (cross-task isolation, see stamps.ts). */
  stamps: Stamps;
  /** Set on the first fatal setup problem (auth, missing binary, bad flags): start nothing new. */
  fatal?: string;
}

export function sessionName(runId: string, taskId: string): string {
  return `csess-${runId}-${taskId}`;
}

export function attemptDir(ctx: RunContext, taskId: string, attempt: number): string {
  return join(ctx.dir, "tasks", taskId, `attempt-${attempt}`);
}

export function task(ctx: RunContext, id: string): TaskState {
  const found = ctx.state.tasks.get(id);
  if (!found) throw new Error(`internal: task ${id} is not part of run ${ctx.runId}`);
  return found;
}

/** Journals an event (fsync'd) and only then applies it to the live state. */
export function record(ctx: RunContext, event: JournalEvent): void {
  const stamped = { ...event, at: new Date().toISOString() };
  ctx.journal.append(stamped);
  applyEvent(ctx.state, stamped);
}
