import { expect, it } from "vitest";
import { FLEET, QUOTAS, runAll, summaryTable, table, TASKS_PER_WORKLOAD } from "./workloads.js";
import { REQUESTS_PER_WORK_MINUTE } from "./sim.js";

// Three strategies on the same seeded workloads, in virtual time; prints a Markdown table for
// BENCHMARKS.md and checks csess's goals on the tight quota.
it("naive vs fixed stagger vs csess on a simulated rate-limited provider", async () => {
  const started = performance.now();
  const rows = await runAll();
  console.log(
    [
      `${TASKS_PER_WORKLOAD} tasks per workload, 2-20 min of work each (log-uniform), ${REQUESTS_PER_WORK_MINUTE} requests per minute of work;`,
      `parallel ${FLEET.parallel}, stagger ${FLEET.staggerMs / 1000}s, max ${FLEET.maxIterations} iterations; quotas ${JSON.stringify(QUOTAS)} req/min,`,
      `bucket burst = 15 s of quota; agents retry a 429 five times (0.2-3.2 s) then exit rate-limited, losing the iteration's work.`,
      "",
      summaryTable(rows),
      "",
      table(rows),
      "",
      `(${rows.length} simulations in ${((performance.now() - started) / 1000).toFixed(1)} s of real time)`,
    ].join("\n"),
  );
  for (const row of rows.filter((r) => r.strategy === "csess")) {
    expect(row.outcome.failed, row.workload.name).toBe(0);
    expect(row.outcome.signalsInOpenPause?.launchedAfter, row.workload.name).toBe(0);
    if (row.workload.perMinute === QUOTAS.tight) expect(row.outcome.makespanMs / row.lowerBoundMs, row.workload.name).toBeLessThanOrEqual(1.15);
  }
}, 600_000);
