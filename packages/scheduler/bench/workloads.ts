import { adaptive, fixedStagger, naive, type Fleet, type Outcome } from "./strategies.js";
import { makeTasks, REQUESTS_PER_WORK_MINUTE, type Workload } from "./sim.js";

export const FLEET: Fleet = { parallel: 8, staggerMs: 5000, maxIterations: 3 };
export const SEEDS = process.env.SEEDS ? process.env.SEEDS.split(",").map(Number) : [1, 2, 3, 4, 5, 6, 7, 8];
export const TASKS_PER_WORKLOAD = 40;
/** Quotas in requests per minute; the bucket holds 15 s of quota. 8 agents at full speed ask 48/min. */
export const QUOTAS = { tight: 24, medium: 40, loose: 120 } as const;

export function workloads(): Workload[] {
  return SEEDS.flatMap((seed) =>
    Object.entries(QUOTAS).map(([quota, perMinute]) => ({
      name: `${quota} s${seed}`,
      seed,
      tasks: makeTasks(seed, TASKS_PER_WORKLOAD),
      perMinute,
      burst: Math.max(1, Math.round(perMinute / 4)),
    })),
  );
}

export function lowerBoundMs(w: Workload, fleet: Fleet): number {
  const work = w.tasks.reduce((sum, t) => sum + t.workMs, 0);
  const requests = w.tasks.reduce((sum, t) => sum + t.requests, 0);
  return Math.max(work / fleet.parallel, (requests / w.perMinute) * 60_000);
}

export const STRATEGIES = ["naive", "fixed stagger", "csess", "csess + warnings", "oracle"] as const;
export type Strategy = (typeof STRATEGIES)[number];

export interface Row {
  workload: Workload;
  strategy: Strategy;
  outcome: Outcome;
  lowerBoundMs: number;
}

export async function runAll(): Promise<Row[]> {
  const rows: Row[] = [];
  for (const w of workloads()) {
    const lb = lowerBoundMs(w, FLEET);
    rows.push({ workload: w, strategy: "naive", outcome: await naive(w, FLEET), lowerBoundMs: lb });
    rows.push({ workload: w, strategy: "fixed stagger", outcome: await fixedStagger(w, FLEET), lowerBoundMs: lb });
    rows.push({ workload: w, strategy: "csess", outcome: await adaptive(w, FLEET), lowerBoundMs: lb });
    rows.push({ workload: w, strategy: "csess + warnings", outcome: await adaptive(w, FLEET, true), lowerBoundMs: lb });
    // Reference, not a contender: fixed stagger at the concurrency the quota sustains, known in advance.
    const sustainable = Math.max(1, Math.min(FLEET.parallel, Math.floor(w.perMinute / REQUESTS_PER_WORK_MINUTE)));
    rows.push({ workload: w, strategy: "oracle", outcome: await fixedStagger(w, { ...FLEET, parallel: sustainable }), lowerBoundMs: lb });
  }
  return rows;
}

const minutes = (ms: number) => (ms / 60_000).toFixed(1);

export function table(rows: Row[]): string {
  const out = [
    "| workload | quota/min | requests | lower bound (min) | strategy | makespan (min) | makespan / LB | 429s | rate-limited exits | extra signals in an open pause (launched before the first signal / after) | failed |",
    "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|",
  ];
  for (const { workload: w, strategy, outcome: o, lowerBoundMs: lb } of rows) {
    const requests = w.tasks.reduce((sum, t) => sum + t.requests, 0);
    out.push(
      `| ${w.name} | ${w.perMinute} | ${requests} | ${minutes(lb)} | ${strategy === "oracle" ? `oracle (fixed ${Math.min(FLEET.parallel, Math.floor(w.perMinute / REQUESTS_PER_WORK_MINUTE))})` : strategy} | ${minutes(o.makespanMs)} | ` +
        `${o.failed > 0 ? "—" : (o.makespanMs / lb).toFixed(3)} | ${o.rejected} | ${o.limitedExits} | ${o.signalsInOpenPause ? `${o.signalsInOpenPause.launchedBeforeFirstSignal} / ${o.signalsInOpenPause.launchedAfter}` : "—"} | ${o.failed} |`,
    );
  }
  return out.join("\n");
}

/** One line per quota and strategy, over all seeds. */
export function summaryTable(rows: Row[]): string {
  const out = [
    "| quota | strategy | makespan / LB (min–max over seeds) | mean makespan (min) | 429s (total) | rate-limited exits (total) | extra signals in an open pause (before first signal / after) | failed tasks (total) |",
    "|---|---|---|---:|---:|---:|---:|---:|",
  ];
  for (const [quota, perMinute] of Object.entries(QUOTAS)) {
    for (const strategy of STRATEGIES) {
      const group = rows.filter((r) => r.workload.perMinute === perMinute && r.strategy === strategy);
      const ratios = group.filter((r) => r.outcome.failed === 0).map((r) => r.outcome.makespanMs / r.lowerBoundMs);
      const sum = (f: (r: Row) => number) => group.reduce((total, r) => total + f(r), 0);
      const range = ratios.length === group.length ? `${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)}` : `— (runs with failed tasks: ${group.length - ratios.length} of ${group.length})`;
      const signals = strategy.startsWith("csess") ? `${sum((r) => r.outcome.signalsInOpenPause!.launchedBeforeFirstSignal)} / ${sum((r) => r.outcome.signalsInOpenPause!.launchedAfter)}` : "—";
      const label = strategy === "oracle" ? `oracle (fixed ${Math.min(FLEET.parallel, Math.floor(perMinute / REQUESTS_PER_WORK_MINUTE))}, reference)` : strategy;
      out.push(
        `| ${quota} ${perMinute}/min | ${label} | ${range} | ${minutes(sum((r) => r.outcome.makespanMs) / group.length)} | ` +
          `${sum((r) => r.outcome.rejected)} | ${sum((r) => r.outcome.limitedExits)} | ${signals} | ${sum((r) => r.outcome.failed)} |`,
      );
    }
  }
  return out.join("\n");
}
