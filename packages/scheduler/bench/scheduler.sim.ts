import { expect, it } from "vitest";
import { benchReport } from "../../../scripts/bench-kit.mjs";
import { checkGoals } from "./goals.js";
import { FLEET, QUOTAS, runAll, summaryTable, table, TASKS_PER_WORKLOAD } from "./workloads.js";
import { REQUESTS_PER_WORK_MINUTE } from "./sim.js";

// Three strategies on the same seeded workloads, in virtual time; prints a Markdown table for
// BENCHMARKS.md, each goal of issue #13 beside its worst figure; fails when a goal is missed.
it("naive vs fixed stagger vs csess on a simulated rate-limited provider", async () => {
  const started = performance.now();
  const rows = await runAll();
  const report = benchReport({
    id: "scheduler",
    title: "@csess/scheduler: adapting to a rate-limited provider (simulation)",
    reproduce: "pnpm --filter @csess/scheduler bench",
    about:
      `The real scheduler against simulated agents in virtual time: ${TASKS_PER_WORKLOAD} tasks per workload, 2-20 min of work each (log-uniform), ` +
      `${REQUESTS_PER_WORK_MINUTE} requests per minute of work; parallel ${FLEET.parallel}, stagger ${FLEET.staggerMs / 1000} s, max ${FLEET.maxIterations} iterations; ` +
      `quotas ${JSON.stringify(QUOTAS)} req/min, bucket burst = 15 s of quota; agents retry a 429 five times (0.2-3.2 s), then exit rate-limited, losing the iteration's work. ` +
      "Each goal holds on every seed: the figure is the worst seed's. The floor of a makespan is the fixed-concurrency oracle that knows the quota in advance.",
  });
  for (const c of checkGoals(rows)) report.figure({ name: `${c.quota}, ${c.strategy}: ${c.goal}`, unit: c.goal.includes("makespan") ? "x" : "", measured: c.value, goal: { max: c.limit } });
  report.detail(summaryTable(rows));
  report.detail(`<details><summary>Every simulation</summary>\n\n${table(rows)}\n\n</details>`);
  console.log(`(${rows.length} simulations in ${((performance.now() - started) / 1000).toFixed(1)} s of real time)`);
  report.finish();
  const missed = checkGoals(rows).filter((c) => !c.met);
  expect(missed.map((c) => `${c.quota} ${c.strategy}: ${c.goal} (worst ${c.worst})`), "goals missed").toEqual([]);
}, 600_000);
