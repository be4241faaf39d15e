import { lastMeaningfulLine } from "@csess/agents";
import { inFlight, isRateLimited, iterationsUsed, type RunState, type TaskState } from "./state.js";
import type { ViewRow } from "./view.js";

function hhmm(ms: number): string {
  const d = new Date(ms);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

/**
 * What a task is doing now, in words: its verdict once it has one, else `running`, `checking` (judged
 * by git and the check), `merging` (verified, in the merge queue), `paused until 14:02 (429)`,
 * `waiting for <id>` (a dependency), `queued`.
 */
export function liveState(t: TaskState, state: RunState, now: number, pausedUntil?: number): string {
  if (t.final) return t.final.verdict;
  if (inFlight(t)) return "running";
  const last = t.attempts.at(-1);
  if ((t.mergeStarted && !t.merge) || last?.evidence?.verified) return "merging";
  if (last?.ended && !last.evidence && !isRateLimited(last) && last.ended.outcome.class !== "dead") return "checking";
  if (last && isRateLimited(last)) {
    const limit = last.ended?.outcome.class === "usage-limit" ? "usage limit" : "429";
    return pausedUntil !== undefined && pausedUntil > now ? `paused until ${hhmm(pausedUntil)} (${limit})` : `requeued (${limit})`;
  }
  const blocker = t.deps.find((id) => state.tasks.get(id)?.final?.verdict !== "verified");
  if (blocker) return `waiting for ${blocker}`;
  return t.group ? "group" : "queued";
}

/** Wall time: since the running attempt started, or from the first start to the verdict (or the last end). */
export function elapsedOf(t: TaskState, now: number): number {
  const running = inFlight(t);
  if (running) return now - Date.parse(running.startedAt);
  const first = t.attempts[0];
  if (!first) return 0;
  const end = t.final?.at ?? t.attempts.at(-1)?.ended?.at;
  return end ? Math.max(0, Date.parse(end) - Date.parse(first.startedAt)) : 0;
}

/** The live view's row of a task. `tail` reads the last lines of an attempt's output log. */
export function liveRow(
  t: TaskState, state: RunState, options: { now: number; maxIterations: number; pausedUntil?: number; tail: (stateDir: string, lines: number) => string[] },
): ViewRow {
  const running = inFlight(t);
  return {
    id: t.id,
    title: t.title,
    state: liveState(t, state, options.now, options.pausedUntil),
    iteration: iterationsUsed(t) + (running ? 1 : 0),
    maxIterations: options.maxIterations,
    elapsedMs: elapsedOf(t, options.now),
    // The newest line that says something: CLI warnings and bare event names are skipped.
    lastLine: running ? lastMeaningfulLine(options.tail(running.stateDir, 40)) ?? "" : "",
  };
}
