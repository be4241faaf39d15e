#!/usr/bin/env node
// `pnpm mutate [package...]`: StrykerJS mutation testing of the packages whose tests are fast enough to
// run once per mutant (each package's stryker.config.mjs; shared settings in scripts/stryker.base.mjs).
// Prints each package's mutation score against its goal, writes the "Mutation testing" section of
// BENCHMARKS.md (score, date, survivors, and the mutants marked equivalent in the source with a
// `// Stryker disable` comment and its reason), and exits 1 when a package misses its goal.
// `--report-only` re-renders from the last reports without running Stryker.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { calculateMetrics } from "mutation-testing-metrics";

/** Minimum mutation score (%) per package, from issue #18. */
const GOALS = { prd: 90, scheduler: 90, agents: 90, verify: 85 };
const root = new URL("..", import.meta.url).pathname;
const benchmarks = join(root, "BENCHMARKS.md");

const args = process.argv.slice(2);
const reportOnly = args.includes("--report-only");
const names = args.filter((a) => !a.startsWith("--"));
const unknown = [...names.filter((n) => !(n in GOALS)), ...args.filter((a) => a.startsWith("--") && a !== "--report-only")];
if (unknown.length) {
  console.error(`pnpm mutate: unknown package or option ${unknown.join(", ")}; expected any of ${Object.keys(GOALS).join(", ")} and --report-only, e.g. pnpm mutate prd scheduler`);
  process.exit(2);
}

const results = [];
for (const name of names.length ? names : Object.keys(GOALS)) {
  const dir = join(root, "packages", name);
  const started = Date.now();
  if (!reportOnly) {
    console.log(`\n== pnpm mutate: @csess/${name} ==`);
    const run = spawnSync("pnpm", ["exec", "stryker", "run"], { cwd: dir, stdio: "inherit" });
    if (run.status !== 0) {
      results.push({ name, error: `stryker exited ${run.status ?? run.signal}` });
      continue;
    }
  }
  const reportFile = join(dir, "reports", "mutation", "mutation.json");
  if (!existsSync(reportFile)) {
    results.push({ name, error: `no report at ${reportFile} (run pnpm mutate ${name} first)` });
    continue;
  }
  results.push(summarize(name, JSON.parse(readFileSync(reportFile, "utf8")), reportOnly ? undefined : Date.now() - started));
}

console.log("\nMutation scores (killed + timed out, of the mutants that compile and are not marked equivalent):");
for (const r of results) {
  console.log(r.error
    ? `  @csess/${r.name}: FAILED (${r.error})`
    : `  @csess/${r.name}: ${r.score.toFixed(1)} % (goal >= ${GOALS[r.name]} %) ${r.score >= GOALS[r.name] ? "ok" : "MISSED"}; ${r.survivors.length} survived, ${r.ignored.length} equivalent`);
}
writeBenchmarks(results.filter((r) => !r.error));
process.exit(results.every((r) => !r.error && r.score >= GOALS[r.name]) ? 0 : 1);

/** Score, counts, survivors and ignored (equivalent) mutants of one package's Stryker JSON report. */
function summarize(name, report, durationMs) {
  const { metrics } = calculateMetrics(report.files);
  const list = (statuses) =>
    Object.entries(report.files).flatMap(([file, { mutants }]) =>
      mutants
        .filter((m) => statuses.includes(m.status))
        .map((m) => ({ where: `${file}:${m.location.start.line}`, mutator: m.mutatorName, replacement: m.replacement ?? "", reason: m.statusReason ?? "", status: m.status })));
  return {
    name,
    score: Number.isNaN(metrics.mutationScore) ? 0 : metrics.mutationScore,
    metrics,
    survivors: list(["Survived", "NoCoverage"]),
    ignored: list(["Ignored"]),
    durationMs,
    date: new Date().toISOString().slice(0, 10),
  };
}

function cell(text) {
  return text.replace(/\s+/g, " ").replaceAll("|", "\\|").replaceAll("`", "'").slice(0, 120);
}

function packageSection(r) {
  const m = r.metrics;
  const lines = [
    `### @csess/${r.name}: ${r.score.toFixed(1)} % (goal >= ${GOALS[r.name]} %), ${r.date}`,
    "",
    `${m.totalMutants} mutants: ${m.killed} killed, ${m.timeout} timed out, ${m.survived} survived, ${m.noCoverage} without coverage, ` +
      `${m.ignored} marked equivalent, ${m.compileErrors} rejected by the TypeScript checker, ${m.runtimeErrors} runtime errors` +
      (r.durationMs === undefined ? "." : `; this run took ${(r.durationMs / 60_000).toFixed(1)} min.`),
  ];
  if (r.survivors.length) {
    lines.push("", `<details><summary>Survivors (${r.survivors.length})</summary>`, "", "| where | mutator | replacement |", "|---|---|---|");
    for (const s of r.survivors) lines.push(`| ${s.where}${s.status === "NoCoverage" ? " (no coverage)" : ""} | ${s.mutator} | \`${cell(s.replacement)}\` |`);
    lines.push("", "</details>");
  }
  if (r.ignored.length) {
    lines.push("", `<details><summary>Equivalent mutants (${r.ignored.length}), with the reason given in the source</summary>`, "", "| where | mutator | replacement | why it is equivalent |", "|---|---|---|---|");
    for (const s of r.ignored) lines.push(`| ${s.where} | ${s.mutator} | \`${cell(s.replacement)}\` | ${cell(s.reason)} |`);
    lines.push("", "</details>");
  }
  return lines.join("\n");
}

/** Replaces each run package's block in BENCHMARKS.md's mutation section (created when missing). */
function writeBenchmarks(done) {
  if (!done.length) return;
  let text = readFileSync(benchmarks, "utf8");
  const heading = "## Mutation testing (pnpm mutate)";
  if (!text.includes(heading)) {
    text = `${text.trimEnd()}\n\n${heading}\n\n` +
      "Generated by `pnpm mutate` (scripts/mutate.mjs): StrykerJS 9.6 with the vitest runner and the TypeScript checker, " +
      "perTest coverage, incremental. Score = (killed + timed out) / (mutants that compile and are not marked equivalent). " +
      "A mutant judged equivalent is marked where it is, with a `// Stryker disable next-line <mutator>: <why>` comment; " +
      "the reason is copied here.\n";
  }
  for (const r of done) {
    const start = `<!-- mutate:${r.name}:start -->`;
    const end = `<!-- mutate:${r.name}:end -->`;
    const block = `${start}\n${packageSection(r)}\n${end}`;
    const from = text.indexOf(start);
    text = from === -1 ? `${text.trimEnd()}\n\n${block}\n` : text.slice(0, from) + block + text.slice(text.indexOf(end) + end.length);
  }
  writeFileSync(benchmarks, text);
}
