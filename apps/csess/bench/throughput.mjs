// @ts-check
// Benchmark 1: 40 tasks, a trivial custom agent (one commit), --parallel 8. How far the run's wall
// time is from the agents' own time, where the orchestration time per task goes (from the journal),
// and how fast an agent's exit becomes a journal event.
import { readFileSync } from "node:fs";
import path from "node:path";
import { FAKE_AGENT, gitProfiler, makeSandbox, mean, ms, quantile, reportOf, runCsess, s, sum, table, loadAverage } from "./lib.mjs";

export const TASKS = 40;
export const PARALLEL = 8;
export const STAGGER_S = 0.2;
/** The agent's "work" before its commit: long enough that the stagger (8 starts take 1.4 s) never binds. */
export const WORK_S = 3;

const ts = (/** @type {string} */ iso) => Date.parse(iso);

/**
 * @param {{ tasks?: number, parallel?: number, staggerS?: number, workS?: number, profileGit?: boolean }} [options]
 */
export async function throughput(options = {}) {
  const tasks = options.tasks ?? TASKS;
  const parallel = options.parallel ?? PARALLEL;
  const staggerS = options.staggerS ?? STAGGER_S;
  const workS = options.workS ?? WORK_S;
  const prd = ["# Bench PRD", "", ...Array.from({ length: tasks }, (_, i) => `- [ ] Add module ${String(i + 1).padStart(2, "0")}`), ""].join("\n");
  const box = makeSandbox(prd);
  const timesFile = path.join(box.dir, "agent-times.txt");
  const profiler = options.profileGit ? gitProfiler(box.dir) : undefined;
  const env = profiler ? { ...box.env, PATH: `${profiler.binDir}${path.delimiter}${box.env.PATH ?? ""}` } : box.env;
  // The agent records its own start and end (ns) around the scripted agent's one commit.
  const agentCmd =
    `t0=$(date +%s%N); sleep ${workS}; '${FAKE_AGENT}'; rc=$?; ` +
    `printf '%s %s %s\\n' "$CSESS_TASK_ID" "$t0" "$(date +%s%N)" >> '${timesFile}'; exit $rc`;
  try {
    const load = loadAverage();
    const result = await runCsess(
      ["run", "PRD.md", "--agent", "custom", "--agent-cmd", agentCmd, "--parallel", String(parallel), "--stagger", String(staggerS),
        "--max-iterations", "1", "--no-notes", "--no-notify", "--json"],
      { cwd: box.repo, env, limitMs: 10 * 60_000 },
    );
    const report = reportOf(result.stdout);
    const verified = report.totals?.verified ?? 0;
    if (verified !== tasks) {
      throw new Error(`expected ${tasks} verified tasks, got ${verified} (exit ${result.code}): ${result.stderr.slice(-2000)}${result.stdout.slice(-3000)}`);
    }

    const agents = new Map(
      readFileSync(timesFile, "utf8").trim().split("\n").map((line) => {
        const [id, t0, t1] = line.split(" ");
        return [id, { startMs: Number(t0) / 1e6, endMs: Number(t1) / 1e6 }];
      }),
    );
    const events = box.journal();
    const runStarted = ts(events.find((e) => e.type === "run-started").at);
    const runFinished = ts(events.find((e) => e.type === "run-finished").at);
    const perTask = [...agents.keys()].map((id) => {
      const of = (/** @type {string} */ type) => events.find((e) => e.type === type && e.taskId === id);
      const started = of("iteration-started");
      const exit = JSON.parse(readFileSync(path.join(started.stateDir, "exit.json"), "utf8"));
      const agent = /** @type {{ startMs: number, endMs: number }} */ (agents.get(id));
      const finished = of("task-finished");
      return {
        agentMs: agent.endMs - agent.startMs,
        startToAgent: agent.startMs - ts(started.at), // tmux session + launcher + sh, before the agent's first line
        agentToExitFile: ts(exit.endedAt) - agent.endMs,
        exitToEvent: ts(of("iteration-ended").at) - ts(exit.endedAt),
        judge: ts(of("evidence").at) - ts(of("iteration-ended").at),
        waitMerge: ts(of("merge-started").at) - ts(of("evidence").at),
        merge: ts(of("merge-ended").at) - ts(of("merge-started").at),
        tick: ts(of("tick-ended").at) - ts(of("merge-ended").at),
        removeWorktree: ts(finished.at) - ts(of("tick-ended").at),
        exitToVerified: ts(finished.at) - ts(exit.endedAt),
        iterationStarted: ts(started.at),
        finished: ts(finished.at),
      };
    });
    const sumAgentMs = sum(perTask.map((t) => t.agentMs));
    const ideal = sumAgentMs / parallel;
    const wall = result.wallMs;
    // Slot time: each task holds a slot from its start to its verdict; what is not agent time is orchestration.
    return {
      tasks, parallel, staggerS, workS, load,
      wallMs: wall,
      runMs: runFinished - runStarted,
      sumAgentMs,
      idealMs: ideal,
      overheadPerTaskMs: (wall - ideal) / tasks,
      slotOverheadPerTaskMs: (parallel * wall - sumAgentMs) / tasks,
      firstStartMs: Math.min(...perTask.map((t) => t.iterationStarted)) - result.startedAt,
      lastVerdictToExitMs: result.startedAt + wall - Math.max(...perTask.map((t) => t.finished)),
      perTask,
      gitCalls: profiler?.summary(),
    };
  } finally {
    box.cleanup();
  }
}

/** @param {Awaited<ReturnType<typeof throughput>>} r */
export function throughputTable(r) {
  const q = (/** @type {keyof typeof r.perTask[number]} */ key) => {
    const values = r.perTask.map((t) => t[key]);
    return [ms(quantile(values, 0.5)), ms(quantile(values, 0.95)), ms(mean(values))];
  };
  const main = table(["measure", "value"], [
    [`wall time of \`csess run\` (${r.tasks} tasks, --parallel ${r.parallel}, --stagger ${r.staggerS})`, s(r.wallMs)],
    ["sum of agent time / parallel (ideal)", s(r.idealMs)],
    ["wall / ideal", (r.wallMs / r.idealMs).toFixed(3)],
    ["overhead per task = (wall − ideal) / tasks", ms(r.overheadPerTaskMs)],
    ["slot time per task not spent in the agent = (parallel × wall − Σ agent) / tasks", ms(r.slotOverheadPerTaskMs)],
    ["mean agent time (sleep " + r.workS + " s + one commit)", ms(r.sumAgentMs / r.tasks)],
    ["process start → first iteration started", ms(r.firstStartMs)],
    ["last task verified → process exit (report, cleanup)", ms(r.lastVerdictToExitMs)],
  ]);
  const steps = table(["per task (from the journal)", "p50", "p95", "mean"], [
    ["iteration-started → agent's first line (tmux session, launcher, sh)", ...q("startToAgent")],
    ["agent's last line → exit file `endedAt`", ...q("agentToExitFile")],
    ["**exit file `endedAt` → `iteration-ended` event**", ...q("exitToEvent")],
    ["`iteration-ended` → `evidence` (judge: git evidence)", ...q("judge")],
    ["`evidence` → `merge-started` (waiting for the merge queue)", ...q("waitMerge")],
    ["`merge-started` → `merge-ended` (merge)", ...q("merge")],
    ["`merge-ended` → `tick-ended` (tick commit + PRD write)", ...q("tick")],
    ["`tick-ended` → `task-finished` (worktree + branch removal)", ...q("removeWorktree")],
    ["**agent exit → verified, merged and ticked**", ...q("exitToVerified")],
  ]);
  return `${main}\n\n${steps}`;
}

/** Git commands run by csess itself, per task. @param {Awaited<ReturnType<typeof throughput>>} r */
export function gitCallsTable(r) {
  const calls = r.gitCalls ?? [];
  const total = calls.reduce((acc, [, v]) => ({ calls: acc.calls + v.calls, ms: acc.ms + v.ms }), { calls: 0, ms: 0 });
  return table(["git command (run by csess)", "calls per task", "ms per task", "ms per call"], [
    ...calls.map(([sub, v]) => [sub, (v.calls / r.tasks).toFixed(1), (v.ms / r.tasks).toFixed(0), (v.ms / v.calls).toFixed(1)]),
    ["**all**", (total.calls / r.tasks).toFixed(1), (total.ms / r.tasks).toFixed(0), (total.ms / total.calls).toFixed(1)],
  ]);
}

/**
 * The goals of a throughput run, each beside its floor measured in this run (`perTaskFloor`): with
 * instant agents at --stagger 0, the per-task wall time and agent exit → landed (8 agents finish
 * together) and exit → event; with 3-s agents, the overhead per task.
 * @param {ReturnType<typeof import("../../../scripts/bench-kit.mjs").benchReport>} report
 * @param {Awaited<ReturnType<typeof throughput>>} r
 * @param {ReturnType<typeof import("./floor.mjs").perTaskFloor>} floor
 */
export function throughputFigures(report, r, floor) {
  const run = `${r.tasks} tasks, --parallel ${r.parallel} --stagger ${r.staggerS}, ${r.workS ? `agent sleeps ${r.workS} s then commits` : "agent writes a file and commits"}`;
  const perTask = { label: `per task by hand, mean of ${floor.tasks}, half just before the run and half just after: tmux new-session + worktree add + merge --no-ff + tick commit + worktree remove/branch -D + node -e 0`, value: floor.perTaskMs };
  const landing = { label: "one landing by hand (mean, before and after the run): merge --no-ff + tick commit + worktree remove + branch -D", value: floor.landingMs };
  const p = (/** @type {"exitToVerified" | "exitToEvent"} */ key, /** @type {number} */ q) => quantile(r.perTask.map((t) => t[key]), q);
  if (r.workS === 0) {
    report.figure({ name: `per-task wall time (${run})`, unit: "ms", measured: r.wallMs / r.tasks, floor: perTask, goal: { ratio: 1.5 }, note: `wall ${s(r.wallMs)}, load ${r.load}` });
    report.figure({ name: "agent exit → verified, merged and ticked, p50 (8 agents finishing together)", unit: "ms", measured: p("exitToVerified", 0.5), floor: landing, goal: { max: 500, strict: true } });
    report.figure({ name: "agent exit → verified, merged and ticked, p95 (8 agents finishing together)", unit: "ms", measured: p("exitToVerified", 0.95), floor: landing, goal: { max: 1500, strict: true } });
    report.figure({ name: "agent exit (exit file) → iteration-ended event in the journal, p50", unit: "ms", measured: p("exitToEvent", 0.5), goal: { max: 25, strict: true }, note: `p95 ${ms(p("exitToEvent", 0.95))}` });
  } else {
    report.figure({ name: `overhead per task = (wall − Σ agent time / parallel) / tasks (${run})`, unit: "ms", measured: r.overheadPerTaskMs, floor: perTask, goal: { max: 250, strict: true }, note: `wall ${s(r.wallMs)}, ideal ${s(r.idealMs)}, load ${r.load}` });
  }
  report.detail(`Where the time goes (${run}; load ${r.load}):\n\n${throughputTable(r)}`);
}
