import { QUOTAS, type Row, type Strategy } from "./workloads.js";

/** One goal of issue #13, checked on every run of one quota and strategy: the worst figure against the goal. */
export interface GoalCheck {
  quota: string;
  strategy: Strategy;
  goal: string;
  worst: string;
  /** The worst seed's figure and the goal's limit (at most). */
  value: number;
  limit: number;
  met: boolean;
}

const CONTENDERS: Strategy[] = ["csess", "csess + warnings"];

/**
 * Per run (seed): makespan <= 1.05 x the fixed-concurrency oracle's; 0 failed tasks; 0 signals inside
 * an open pause from agents launched after the run's first signal; on the tight quota at most 1 such
 * signal from the startup burst (agents launched before the first signal); on the loose quota no
 * slower than fixed stagger.
 *
 * Why "extra signals" are counted inside an open pause, and not every 429 after the first: the fleet
 * cannot see the quota before its first signal (agents without warnings say nothing before their first
 * 429; those with warnings say it when the bucket is half spent, after most of the fleet launched), and
 * the loose-quota goal forbids launching slower than the stagger until then. So on the tight quota all 8
 * agents run when the first signal comes, twice what it sustains; agents already running are held back by
 * no pause and no cut, so about 4 of them exit rate-limited while the load drains to 4, whatever the
 * scheduler does. Zero rate-limited exits after the first is impossible there in principle; what the
 * scheduler controls is measured: no launch into that congestion (signals from agents launched after the
 * first signal) and the burst's signals that a pause overlaps (at most 1). The total of rate-limited exits is
 * in the tables beside them.
 */
export function checkGoals(rows: Row[]): GoalCheck[] {
  const checks: GoalCheck[] = [];
  for (const [quota, perMinute] of Object.entries(QUOTAS)) {
    const runs = (strategy: Strategy) => rows.filter((r) => r.workload.perMinute === perMinute && r.strategy === strategy);
    const oracle = new Map(runs("oracle").map((r) => [r.workload.seed, r.outcome.makespanMs]));
    const fixed = new Map(runs("fixed stagger").map((r) => [r.workload.seed, r.outcome.makespanMs]));
    for (const strategy of CONTENDERS) {
      const group = runs(strategy);
      const worst = (f: (r: Row) => number) => Math.max(...group.map(f));
      const add = (goal: string, value: number, limit: number, format: (n: number) => string) =>
        checks.push({ quota: `${quota} ${perMinute}/min`, strategy, goal, worst: format(value), value, limit, met: value <= limit });
      add("makespan / oracle's <= 1.05", worst((r) => r.outcome.makespanMs / oracle.get(r.workload.seed)!), 1.05, (n) => n.toFixed(3));
      add("failed tasks = 0", worst((r) => r.outcome.failed), 0, String);
      add("signals in an open pause after the first signal = 0", worst((r) => r.outcome.signalsInOpenPause!.launchedAfter), 0, String);
      if (quota === "tight") add("startup burst signals <= 1", worst((r) => r.outcome.signalsInOpenPause!.launchedBeforeFirstSignal), 1, String);
      if (quota === "loose") add("makespan / fixed stagger's <= 1", worst((r) => r.outcome.makespanMs / fixed.get(r.workload.seed)!), 1, (n) => n.toFixed(3));
    }
  }
  return checks;
}
