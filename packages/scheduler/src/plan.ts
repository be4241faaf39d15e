import { DEFAULT_ITERATION_ESTIMATE_MS, DEFAULT_MAX_ITERATIONS, DEFAULT_STAGGER_MS, nonNegative, positiveInteger } from "./options.js";
import type { SchedulerTask, TaskKind } from "./types.js";

/**
 * `todo`: will run. `done`: already verified, never started. `exhausted`: all iterations already used
 * in earlier runs (fails at once). `skipped`: a dependency is exhausted, so it can never start.
 */
export type PlannedStatus = "todo" | "done" | "exhausted" | "skipped";

export interface PlannedTask {
  id: string;
  kind: TaskKind;
  deps: string[];
  status: PlannedStatus;
  /** Dependency depth among the tasks still to do (0 = can start at once); -1 when not `todo`. */
  wave: number;
  iterationsUsed: number;
  attached: boolean;
  /** The host an attached iteration runs on. */
  host?: string;
  /** Projected start, ms after the run starts, if each iteration took `assumedIterationMs` (todo only). */
  projectedStartMs?: number;
  reason?: string;
}

export interface Plan {
  /** Every task, in start order: by wave, then in input (PRD) order. */
  tasks: PlannedTask[];
  /** Ids of `todo` tasks per wave; wave n waits only for waves < n. */
  waves: string[][];
  parallel: number;
  staggerMs: number;
  maxIterations: number;
  assumedIterationMs: number;
  /** End of the projection (last projected end), ms after the run starts. */
  projectedMakespanMs: number;
}

interface PlanSettings {
  parallel: number;
  staggerMs: number;
  maxIterations: number;
  assumedIterationMs: number;
}

/** Thrown by `plan` when tasks wait on each other in a loop; `cycle` lists it, first id repeated last. */
export class CycleError extends Error {
  override readonly name = "CycleError";
  constructor(readonly cycle: string[]) {
    super(
      `dependency cycle: ${cycle.join(" -> ")}. Each task in it waits for the next, so none can ever start.\n` +
        `Expected: dependencies that lead back to no task, e.g. "- [ ] Deploy (after: ${cycle[1] ?? cycle[0]})" ` +
        `without "(after: …)" pointing back the other way. Remember that a nested task always runs before ` +
        `its parent, so a child must not be "(after: <its parent>)".`,
    );
  }
}

/** Thrown by `plan` for a dependency on an id that is not among the tasks, or for duplicate ids. */
export class PlanInputError extends Error {
  override readonly name = "PlanInputError";
}

export interface PlanOptions {
  /** `--parallel`: slots in the projection. */
  parallel: number;
  /** `--stagger` in ms (default 3000). */
  staggerMs?: number;
  /** Iterations per task (default 3): a task that used them all in earlier runs is `exhausted`. */
  maxIterations?: number;
  /** How long the projection assumes each iteration takes (default 10 min). */
  assumedIterationMs?: number;
}

/**
 * Validates and orders the tasks, before anything starts (throws CycleError / PlanInputError), and
 * projects start offsets for `--dry-run`. A plain function: build the plan once, then `run` it.
 */
export function plan(tasks: SchedulerTask[], options: PlanOptions): Plan {
  return buildPlan(tasks, {
    parallel: positiveInteger("parallel", options.parallel),
    staggerMs: nonNegative("staggerMs", options.staggerMs ?? DEFAULT_STAGGER_MS),
    maxIterations: positiveInteger("maxIterations", options.maxIterations ?? DEFAULT_MAX_ITERATIONS),
    assumedIterationMs: nonNegative("assumedIterationMs", options.assumedIterationMs ?? DEFAULT_ITERATION_ESTIMATE_MS),
  });
}

function buildPlan(input: SchedulerTask[], settings: PlanSettings): Plan {
  const byId = new Map<string, SchedulerTask>();
  for (const task of input) {
    if (byId.has(task.id)) {
      throw new PlanInputError(`duplicate task id "${task.id}": every task needs its own id. Received it twice.`);
    }
    byId.set(task.id, task);
  }
  const ids = [...byId.keys()];
  for (const task of input) {
    for (const dep of task.deps ?? []) {
      if (!byId.has(dep)) {
        const near = nearestIds(dep, ids);
        throw new PlanInputError(
          `task "${task.id}" depends on "${dep}", which is not a task id. ` +
            `Expected the id of another task, e.g. "(after: ${ids.find((i) => i !== task.id) ?? "a1b2c3"})"` +
            (near.length > 0 ? `; did you mean ${near.map((n) => `"${n}"`).join(" or ")}?` : "."),
        );
      }
    }
  }
  const cycle = findCycle(input, byId);
  if (cycle) throw new CycleError(cycle);

  const status = new Map<string, PlannedStatus>();
  const reason = new Map<string, string>();
  const wave = new Map<string, number>();
  // Depth-first in dependency order (the graph is acyclic now), memoised through `status`.
  const visit = (task: SchedulerTask): void => {
    if (status.has(task.id)) return;
    let depth = 0;
    let blockedBy: string | undefined;
    for (const dep of task.deps ?? []) {
      visit(byId.get(dep)!);
      const s = status.get(dep)!;
      if (s === "todo") depth = Math.max(depth, wave.get(dep)! + 1);
      if ((s === "exhausted" || s === "skipped") && blockedBy === undefined) blockedBy = dep;
    }
    if (task.done) status.set(task.id, "done");
    else if ((task.kind ?? "agent") === "agent" && (task.iterationsUsed ?? 0) >= settings.maxIterations && !task.attached) {
      status.set(task.id, "exhausted");
      reason.set(task.id, `all ${settings.maxIterations} iterations already used`);
    } else if (blockedBy !== undefined) {
      status.set(task.id, "skipped");
      reason.set(task.id, `dependency ${blockedBy} cannot be verified`);
    } else {
      status.set(task.id, "todo");
      wave.set(task.id, depth);
    }
  };
  input.forEach(visit);

  const tasks: PlannedTask[] = input.map((t) => ({
    id: t.id,
    kind: t.kind ?? "agent",
    deps: [...(t.deps ?? [])],
    status: status.get(t.id)!,
    wave: wave.get(t.id) ?? -1,
    iterationsUsed: t.iterationsUsed ?? 0,
    attached: Boolean(t.attached),
    ...(t.attached && t.host !== undefined ? { host: t.host } : {}),
    ...(reason.has(t.id) ? { reason: reason.get(t.id)! } : {}),
  }));
  // Re-attached iterations first (they are already running), then by wave, then input order (sort is stable).
  const rank = (t: PlannedTask) => (t.status !== "todo" ? Number.MAX_SAFE_INTEGER : t.attached ? -1 : t.wave);
  tasks.sort((a, b) => rank(a) - rank(b));

  const waves: string[][] = [];
  for (const t of tasks) if (t.status === "todo") (waves[t.wave] ??= []).push(t.id);
  const projectedMakespanMs = project(tasks, settings);
  return { tasks, waves, ...settings, projectedMakespanMs };
}

/**
 * Replays the run in miniature: `parallel` slots, the start gate, groups completing with their last
 * dependency, each agent iteration taking `assumedIterationMs` and verifying first time. Sets
 * `projectedStartMs` on todo tasks and returns the projected makespan.
 */
function project(tasks: PlannedTask[], { parallel, staggerMs, assumedIterationMs }: PlanSettings): number {
  const finishedAt = new Map<string, number>();
  for (const t of tasks) if (t.status === "done") finishedAt.set(t.id, 0);
  const waiting = tasks.filter((t) => t.status === "todo");
  const queue: PlannedTask[] = [];
  let running: { id: string; end: number }[] = [];
  let now = 0;
  let lastStart = Number.NEGATIVE_INFINITY;
  let makespan = 0;
  while (waiting.length > 0 || queue.length > 0 || running.length > 0) {
    for (const r of running) if (r.end <= now) finishedAt.set(r.id, r.end);
    running = running.filter((r) => r.end > now);
    // Release tasks whose dependencies have finished; a group finishes with its last dependency.
    for (let i = 0; i < waiting.length; ) {
      const t = waiting[i]!;
      if (!t.deps.every((d) => finishedAt.has(d))) {
        i++;
        continue;
      }
      waiting.splice(i, 1);
      if (t.kind === "group") {
        finishedAt.set(t.id, now);
        i = 0; // may release tasks earlier in the list
      } else {
        queue.push(t);
      }
    }
    let next = Number.POSITIVE_INFINITY;
    if (queue.length > 0 && running.length < parallel) {
      const gate = queue[0]!.attached ? now : lastStart + staggerMs;
      if (gate <= now) {
        const t = queue.shift()!;
        t.projectedStartMs = now;
        lastStart = t.attached ? lastStart : now;
        running.push({ id: t.id, end: now + assumedIterationMs });
        makespan = Math.max(makespan, now + assumedIterationMs);
        continue;
      }
      next = gate;
    }
    for (const r of running) next = Math.min(next, r.end);
    if (next === Number.POSITIVE_INFINITY) break; // only tasks blocked for good are left
    now = Math.max(now, next);
  }
  return makespan;
}

function findCycle(input: SchedulerTask[], byId: Map<string, SchedulerTask>): string[] | undefined {
  const state = new Map<string, "open" | "closed">();
  const path: string[] = [];
  const dfs = (id: string): string[] | undefined => {
    state.set(id, "open");
    path.push(id);
    for (const dep of byId.get(id)!.deps ?? []) {
      const s = state.get(dep);
      if (s === "open") return [...path.slice(path.indexOf(dep)), dep];
      if (s === undefined) {
        const found = dfs(dep);
        if (found) return found;
      }
    }
    path.pop();
    state.set(id, "closed");
    return undefined;
  };
  for (const task of input) {
    if (state.has(task.id)) continue;
    const found = dfs(task.id);
    if (found) return found;
  }
  return undefined;
}

/** Up to two ids within a small edit distance, for "did you mean" hints. */
function nearestIds(wanted: string, ids: string[]): string[] {
  return ids
    .map((id) => ({ id, d: editDistance(wanted.toLowerCase(), id.toLowerCase()) }))
    .filter(({ d }) => d <= Math.max(1, Math.floor(wanted.length / 3)))
    .sort((a, b) => a.d - b.d)
    .slice(0, 2)
    .map(({ id }) => id);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}
