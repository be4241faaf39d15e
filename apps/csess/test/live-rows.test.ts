// The live view's words for what each task is doing, from a replayed journal (the runner's own state
// machine; the journal lines are what the runner writes, put together by hand for exact times).
import { describe, expect, it } from "vitest";
import type { JournalEvent, PlannedTask } from "../src/run/events.js";
import { DEFAULTS } from "../src/run/settings.js";
import { elapsedOf, liveRow, liveState } from "../src/run/live-rows.js";
import { replay } from "../src/run/state.js";

const T0 = Date.parse("2026-11-21T14:00:00Z");
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const planned = (id: string, deps: string[] = []): PlannedTask => ({ id, title: `task ${id}`, line: 1, depth: 0, group: false, deps, checkedAtStart: false });

function started(taskId: string, s: number, attempt = 1, iteration = 1): JournalEvent {
  return { type: "iteration-started", at: at(s), taskId, iteration, attempt, session: `s-${taskId}`, stateDir: `/tmp/none/${taskId}/${attempt}`, worktree: "/tmp/none", branch: `b-${taskId}`, base: "0".repeat(40) };
}
function ended(taskId: string, s: number, cls: string, attempt = 1, iteration = 1): JournalEvent {
  return { type: "iteration-ended", at: at(s), taskId, iteration, attempt, exitCode: cls === "success" ? 0 : 1, reason: "exit", durationMs: 1000, outcome: { class: cls, summary: "" } };
}

const events: JournalEvent[] = [
  { type: "run-started", at: at(0), runId: "r", version: "0", pid: 1, repoRoot: "/tmp/none", prdPath: "PRD.md", base: "0".repeat(40), branch: "main", config: { ...DEFAULTS, notes: false },
    tasks: [planned("runner"), planned("judged"), planned("merger"), planned("limitd"), planned("after1", ["merger"]), planned("done01"), planned("queued")] },
  started("runner", 10),
  started("judged", 10), ended("judged", 40, "success"),
  started("merger", 10), ended("merger", 20, "success"),
  { type: "evidence", at: at(21), taskId: "merger", attempt: 1, commits: [], tickedInWorktree: true, verified: true, reason: "1 commit" },
  { type: "merge-started", at: at(22), taskId: "merger" },
  started("limitd", 10), ended("limitd", 12, "rate-limited"),
  { type: "rate-limit", at: at(12), taskId: "limitd", kind: "rate-limited" },
  { type: "paused", at: at(12), taskId: "limitd", until: at(72), limit: "rate-limited" },
  started("done01", 1), ended("done01", 30, "success"),
  { type: "task-finished", at: at(35), taskId: "done01", verdict: "verified", reason: "1 commit" },
];

describe("live view rows", () => {
  const state = replay(events);
  const now = T0 + 50_000;
  const pausedUntil = T0 + 72_000;
  const stateOf = (id: string) => liveState(state.tasks.get(id)!, state, now, pausedUntil);

  it("says what each task is doing: running, checking, merging, paused until HH:MM (429), waiting for <id>", () => {
    const hhmm = new Date(pausedUntil).toTimeString().slice(0, 5);
    expect(stateOf("runner")).toBe("running");
    expect(stateOf("judged")).toBe("checking");
    expect(stateOf("merger")).toBe("merging");
    expect(stateOf("limitd")).toBe(`paused until ${hhmm} (429)`);
    expect(liveState(state.tasks.get("limitd")!, state, pausedUntil + 1, pausedUntil)).toBe("requeued (429)");
    expect(stateOf("after1")).toBe("waiting for merger");
    expect(stateOf("done01")).toBe("verified");
    expect(stateOf("queued")).toBe("queued");
  }, 10_000);

  it("gives finished tasks their elapsed time (first start to verdict), running ones theirs so far", () => {
    expect(elapsedOf(state.tasks.get("done01")!, now)).toBe(34_000);
    expect(elapsedOf(state.tasks.get("runner")!, now)).toBe(40_000);
    expect(elapsedOf(state.tasks.get("queued")!, now)).toBe(0);
  }, 10_000);

  it("shows the running agent's last meaningful line, not a CLI warning or an event name", () => {
    const tail = () => [
      '{"type":"item.completed","item":{"type":"agent_message","text":"Adding the greeting now."}}',
      '{"type":"turn.started"}',
      "WARNING: proceeding, even though we could not create PATH aliases",
    ];
    const row = liveRow(state.tasks.get("runner")!, state, { now, maxIterations: 3, pausedUntil, tail });
    expect(row).toMatchObject({ state: "running", iteration: 1, lastLine: "Adding the greeting now." });
  }, 10_000);
});
