#!/usr/bin/env node
// `pnpm mutate [package...]`: StrykerJS mutation testing of the packages whose tests are fast enough to
// run once per mutant (each package's stryker.config.mjs; shared settings in scripts/stryker.base.mjs).
// Prints each package's mutation score against its goal, writes the "Mutation testing" section of
// BENCHMARKS.md (score, date, survivors, and the survivors judged equivalent with the reason given in
// scripts/mutation-equivalents.json), and exits 1 when a package misses its goal.
// `--report-only` re-renders from the last reports without running Stryker.
// `--survivors` also prints each survivor as a mutation-equivalents.json entry (reason left empty), to
// copy the ones judged equivalent.
// `--files a.ts,b.ts` (one package) mutates only those source files: a run too long for one sitting is
// done in parts, since Stryker's incremental file keeps the results of the files a run leaves out. A
// report that still lacks some of the package's files is printed as partial, fails, and is not written
// into BENCHMARKS.md.
// `--retest-timeouts` also tests again the mutants that timed out last time (in the files being run): a
// run on a loaded machine (or with MUTATE_CONCURRENCY above 2) can time out a mutant that would survive,
// and a timeout counts as caught.
// `--ignore-static` leaves out the static mutants (module-level tables and patterns, which Stryker can only
// test with the whole suite each: most of verify's match.ts, hours on 2 cores): the others are tested and
// their survivors listed, and the report counts as partial (not the package's score).
// `--tests a.test.ts,b.test.ts` (one package) runs only those test files against the mutants (the
// package's vitest config reads them from CSESS_MUTATE_TESTS; under Stryker's own --testFiles no static
// mutant was active in any test, so all survived): a mutant they kill is killed by the whole suite too,
// so a static mutant of a module with its own fast tests costs those tests, not the whole suite. The
// report counts as partial: the next run without --tests keeps the kills (the killing test is unchanged)
// and tests the rest with the whole suite.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { calculateMetrics } from "mutation-testing-metrics";
import ts from "typescript";

/** Minimum mutation score (%) per package, from issue #18. */
const GOALS = { prd: 90, scheduler: 90, agents: 90, verify: 85 };
const OPTIONS = ["--report-only", "--survivors", "--files", "--tests", "--retest-timeouts", "--ignore-static"];
/** The options that take a value (the next argument). */
const VALUED = ["--files", "--tests"];
const root = new URL("..", import.meta.url).pathname;
const benchmarks = join(root, "BENCHMARKS.md");
const equivalentsFile = join(root, "scripts", "mutation-equivalents.json");

const args = process.argv.slice(2);
const reportOnly = args.includes("--report-only");
const printSurvivors = args.includes("--survivors");
const ignoreStatic = args.includes("--ignore-static");
const valueAt = (option) => (args.includes(option) ? args.indexOf(option) + 1 : -1);
const files = args[valueAt("--files")];
const tests = args[valueAt("--tests")];
const names = args.filter((a, i) => !a.startsWith("--") && !VALUED.some((option) => valueAt(option) === i));
const unknown = [...names.filter((n) => !(n in GOALS)), ...args.filter((a) => a.startsWith("--") && !OPTIONS.includes(a))];
if (unknown.length) {
  console.error(`pnpm mutate: unknown package or option ${unknown.join(", ")}; expected any of ${Object.keys(GOALS).join(", ")} and ${OPTIONS.join(", ")}, e.g. pnpm mutate prd scheduler`);
  process.exit(2);
}
for (const [option, example] of [["--files", "--files plumbing.ts,merge.ts"], ["--tests", "--files match.ts --tests match.test.ts"]]) {
  const value = args[valueAt(option)];
  if (valueAt(option) !== -1 && (!value || value.startsWith("--") || names.length !== 1 || reportOnly)) {
    console.error(`pnpm mutate: ${option} needs one package and a comma-separated list of its ${option === "--files" ? "source" : "test"} files, e.g. pnpm mutate verify ${example}; received: ${args.join(" ")}`);
    process.exit(2);
  }
}
const mutateArg = files && mutateOption(join(root, "packages", names[0]), files);
const testFiles = tests && testFilesOption(join(root, "packages", names[0]), tests);
const equivalents = loadEquivalents();

const results = [];
for (const name of names.length ? names : Object.keys(GOALS)) {
  const dir = join(root, "packages", name);
  const started = Date.now();
  if (!reportOnly) {
    console.log(`\n== pnpm mutate: @csess/${name} ==`);
    // Sandboxes left by an interrupted run would be picked up as test files by the next plain vitest run.
    rmSync(join(dir, ".stryker-tmp"), { recursive: true, force: true });
    forgetSurvivors(join(dir, "reports", "stryker-incremental.json"), mutateArg?.split(","), args.includes("--retest-timeouts"));
    const strykerArgs = [...(mutateArg ? ["--mutate", mutateArg] : []), ...(ignoreStatic ? ["--ignoreStatic"] : [])];
    const run = spawnSync("pnpm", ["exec", "stryker", "run", ...strykerArgs], { cwd: dir, stdio: "inherit", env: { ...process.env, CSESS_MUTATE: "1", ...(testFiles ? { CSESS_MUTATE_TESTS: testFiles } : {}) } });
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
  const report = JSON.parse(readFileSync(reportFile, "utf8"));
  results.push({ ...summarize(name, report, reportOnly ? undefined : Date.now() - started), missing: filesNotRun(dir, report), staticLeftOut: staticLeftOut(report), files, tests });
}

console.log("\nMutation scores (killed + timed out, of the mutants that compile and are not judged equivalent):");
for (const r of results) {
  console.log(r.error
    ? `  @csess/${r.name}: FAILED (${r.error})`
    : `  @csess/${r.name}: ${r.score.toFixed(1)} % (goal >= ${GOALS[r.name]} %) ${!passed(r) ? "MISSED" : "ok"}; ${r.survivors.length} survived, ${r.ignored.length} equivalent` +
      (r.missing.length ? `; PARTIAL: not run yet: ${r.missing.join(", ")} (pnpm mutate ${r.name} --files ${r.missing.map((f) => f.replace(/^src\//, "")).join(",")})` : "") +
      (r.staticLeftOut ? `; PARTIAL: ${r.staticLeftOut} static mutants left out (--ignore-static)` : "") +
      (r.tests ? `; PARTIAL: only ${r.tests} run (--tests)` : ""));
  for (const e of r.stale ?? []) {
    console.log(`    stale entry in scripts/mutation-equivalents.json (no surviving mutant matches it): ${e.file} ${e.mutator} \`${e.original}\` -> \`${e.replacement}\``);
  }
  if (printSurvivors && r.survivors?.length) {
    console.log(`    survivors of @csess/${r.name} as mutation-equivalents.json entries:`);
    for (const s of r.survivors) {
      console.log(`    ${JSON.stringify({ file: s.file, mutator: s.mutator, original: s.original, replacement: s.replacement, reason: "" })}, // line ${s.line}`);
    }
  }
}
// A partial report's score is not the package's: BENCHMARKS.md keeps the last whole one.
writeBenchmarks(results.filter(whole));
process.exit(results.every(passed) ? 0 : 1);

function passed(r) {
  return whole(r) && r.score >= GOALS[r.name];
}

/** A report of every file and every mutant in it, against the whole suite (not --ignore-static's or --tests'): the package's score. */
function whole(r) {
  return !r.error && !r.missing.length && !r.staticLeftOut && !r.tests;
}

/** How many static mutants a run with --ignore-static left out (Stryker's "Ignored" with that reason). */
function staticLeftOut(report) {
  return Object.values(report.files).flatMap((f) => f.mutants).filter((m) => m.status === "Ignored" && /static/i.test(m.statusReason ?? "")).length;
}

/** Stryker's --mutate value for `--files a.ts,b.ts`: each must be one of the package's source files. */
function mutateOption(dir, list) {
  const known = sourceFiles(dir);
  const chosen = list.split(",").map((f) => (f.startsWith("src/") ? f : `src/${f}`));
  const wrong = chosen.filter((f) => !known.includes(f));
  if (wrong.length) {
    console.error(`pnpm mutate: --files names ${wrong.join(", ")}, which is not a mutated source file of ${dir}; expected some of ${known.join(", ")}`);
    process.exit(2);
  }
  return chosen.join(",");
}

/** The test files of `--tests a.test.ts,b.test.ts` (comma-separated, relative to the package): each must be one of its test files. */
function testFilesOption(dir, list) {
  const known = readdirSync(join(dir, "test")).filter((f) => /\.test\.ts$/.test(f)).map((f) => `test/${f}`);
  const chosen = list.split(",").map((f) => (f.startsWith("test/") ? f : `test/${f}`));
  const wrong = chosen.filter((f) => !known.includes(f));
  if (wrong.length) {
    console.error(`pnpm mutate: --tests names ${wrong.join(", ")}, which is not a test file of ${dir}; expected some of ${known.join(", ")}`);
    process.exit(2);
  }
  return chosen.join(",");
}

/** The files Stryker mutates (scripts/stryker.base.mjs: src/**\/*.ts but src/index.ts), relative to the package. */
function sourceFiles(dir) {
  return readdirSync(join(dir, "src"), { recursive: true })
    .map((f) => `src/${String(f)}`)
    .filter((f) => f.endsWith(".ts") && f !== "src/index.ts")
    .sort();
}

/**
 * The package's source files that no run has mutated yet (a report made of parts run with --files).
 * Stryker lists only files with mutants, so a file of types and re-exports (no code once TypeScript
 * erases it) is never missing.
 */
function filesNotRun(dir, report) {
  return sourceFiles(dir).filter((f) => !(f in report.files) && hasCode(readFileSync(join(dir, f), "utf8")));
}

function hasCode(source) {
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, removeComments: true } });
  return outputText.split("\n").some((line) => line.trim() && !/^(?:import\b|export \{.*\}(?: from .*)?;$|export \* from )/.test(line.trim()));
}

/**
 * Drops the survivors from Stryker's incremental file, so every run tests them again. Stryker reuses a
 * survivor when the tests that covered it are unchanged, but a static mutant (a module-level regex or
 * table) records no covering tests, so it stayed "survived" however many new tests would kill it.
 * Killed mutants stay reused; only survivors (usually few) are re-run, with the static mutants an
 * --ignore-static run left out, and with `timeoutsToo` the mutants that timed out.
 */
function forgetSurvivors(file, only, timeoutsToo = false) {
  if (!existsSync(file)) return;
  const report = JSON.parse(readFileSync(file, "utf8"));
  // A run of some files (--files) keeps the others' results as they are: their survivors too, or they
  // would vanish from the report until those files run again.
  for (const [name, entry] of Object.entries(report.files ?? {})) {
    if (only && !only.includes(name)) continue;
    // "Ignored": left out by an --ignore-static run, not tested: a later run tests them.
    entry.mutants = entry.mutants.filter((m) => m.status !== "Survived" && m.status !== "NoCoverage" && m.status !== "Ignored" && !(timeoutsToo && m.status === "Timeout"));
  }
  writeFileSync(file, JSON.stringify(report));
}

/**
 * scripts/mutation-equivalents.json: per package, the surviving mutants judged equivalent (no test can
 * tell them from the original), each with its reason. A mutant is named by its file, mutator, the source
 * text it replaces and its replacement, not by line, so entries survive edits elsewhere in the file.
 */
function loadEquivalents() {
  const data = JSON.parse(readFileSync(equivalentsFile, "utf8"));
  for (const [pkg, entries] of Object.entries(data)) {
    if (pkg.startsWith("$")) continue; // "$comment"
    if (!(pkg in GOALS) || !Array.isArray(entries)) throw new Error(`${equivalentsFile}: "${pkg}" is not one of ${Object.keys(GOALS).join(", ")} with a list of entries`);
    for (const e of entries) {
      for (const key of ["file", "mutator", "original", "replacement", "reason"]) {
        if (typeof e[key] !== "string" || (key === "reason" && !e.reason.trim())) {
          throw new Error(`${equivalentsFile}: an entry of ${pkg} lacks "${key}" (every equivalent needs file, mutator, original, replacement and a reason): ${JSON.stringify(e)}`);
        }
      }
    }
  }
  return data;
}

/** The source text a mutant replaces (Stryker locations: 1-based lines and columns, end exclusive). */
function originalText(source, { start, end }) {
  const lines = source.split("\n");
  const offset = (p) => lines.slice(0, p.line - 1).reduce((sum, l) => sum + l.length + 1, 0) + p.column - 1;
  return source.slice(offset(start), offset(end));
}

/** Score, counts, survivors and equivalent mutants of one package's Stryker JSON report. */
function summarize(name, report, durationMs) {
  const entries = equivalents[name] ?? [];
  const used = new Set();
  const survivors = [];
  const ignored = [];
  for (const [file, { source, mutants }] of Object.entries(report.files)) {
    for (const m of mutants) {
      // A timeout counts as caught, except for a mutant judged equivalent: nothing can catch it, so its
      // timeout was a loaded machine's, and it stays out of the score like the equivalent it is.
      if (m.status !== "Survived" && m.status !== "NoCoverage" && m.status !== "Timeout") continue;
      const info = {
        file,
        line: m.location.start.line,
        mutator: m.mutatorName,
        original: originalText(source, m.location),
        replacement: m.replacement ?? "",
        status: m.status,
      };
      const match = entries.find((e) => e.file === file && e.mutator === info.mutator && e.original === info.original && e.replacement === info.replacement);
      if (match) {
        used.add(match);
        // Stryker's own status for mutants excluded from the score; the metrics below leave them out.
        m.status = "Ignored";
        m.statusReason = match.reason;
        ignored.push({ ...info, reason: match.reason });
      } else if (m.status !== "Timeout") {
        survivors.push(info);
      }
    }
  }
  const { metrics } = calculateMetrics(report.files);
  return {
    name,
    score: Number.isNaN(metrics.mutationScore) ? 0 : metrics.mutationScore,
    metrics,
    survivors,
    ignored,
    // An entry of a file this report has no mutants of (a part not run yet) is not stale: it is unknown.
    stale: entries.filter((e) => !used.has(e) && e.file in report.files),
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
      `${m.ignored} judged equivalent, ${m.compileErrors} rejected by the TypeScript checker, ${m.runtimeErrors} runtime errors` +
      (r.durationMs === undefined ? "." : `; this run${r.files ? ` (${r.files.split(",").join(", ")} only; the rest from the incremental file)` : ""} took ${(r.durationMs / 60_000).toFixed(1)} min.`),
  ];
  if (r.survivors.length) {
    lines.push("", `<details><summary>Survivors (${r.survivors.length})</summary>`, "", "| where | mutator | original | replacement |", "|---|---|---|---|");
    for (const s of r.survivors) {
      lines.push(`| ${s.file}:${s.line}${s.status === "NoCoverage" ? " (no coverage)" : ""} | ${s.mutator} | \`${cell(s.original)}\` | \`${cell(s.replacement)}\` |`);
    }
    lines.push("", "</details>");
  }
  if (r.ignored.length) {
    lines.push("", `<details><summary>Equivalent mutants (${r.ignored.length}), with the reason from scripts/mutation-equivalents.json</summary>`, "", "| where | mutator | original | replacement | why it is equivalent |", "|---|---|---|---|---|");
    for (const s of r.ignored) lines.push(`| ${s.file}:${s.line} | ${s.mutator} | \`${cell(s.original)}\` | \`${cell(s.replacement)}\` | ${cell(s.reason).replace(/\.\.\.$/, "")} |`);
    lines.push("", "</details>");
  }
  return lines.join("\n");
}

/** Rewrites BENCHMARKS.md's mutation section: the intro, then every package's block (kept from the last run when not run now). */
function writeBenchmarks(done) {
  if (!done.length) return;
  let text = readFileSync(benchmarks, "utf8");
  const heading = "## Mutation testing (pnpm mutate)";
  const intro =
    "Generated by `pnpm mutate` (scripts/mutate.mjs); do not edit by hand. StrykerJS 9.6 with the vitest runner and the " +
    "TypeScript checker, perTest coverage, incremental. Score = (killed + timed out) / (mutants that compile and are not " +
    "judged equivalent). A surviving mutant judged equivalent (no test can tell it from the original) is listed in " +
    "scripts/mutation-equivalents.json with the reason, which is copied here; when such a mutant timed out (a loaded " +
    "machine), it is left out the same way rather than counted as caught.";
  const blocks = new Map();
  const at = text.indexOf(heading);
  const rest = at === -1 ? "" : text.slice(at);
  for (const name of Object.keys(GOALS)) {
    const found = rest.match(new RegExp(`<!-- mutate:${name}:start -->[\\s\\S]*?<!-- mutate:${name}:end -->`));
    if (found) blocks.set(name, found[0]);
  }
  for (const r of done) blocks.set(r.name, `<!-- mutate:${r.name}:start -->\n${packageSection(r)}\n<!-- mutate:${r.name}:end -->`);
  // The section runs to the next "## " heading or the next other tool's section marker (or the end of the file).
  const next = at === -1 ? -1 : rest.slice(heading.length).search(/\n(?:## |<!-- (?!mutate:))/);
  const after = next === -1 ? "" : rest.slice(heading.length + next);
  const before = at === -1 ? text.trimEnd() + "\n\n" : text.slice(0, at);
  const section = [heading, intro, ...Object.keys(GOALS).filter((n) => blocks.has(n)).map((n) => blocks.get(n))].join("\n\n");
  text = `${before}${section}\n${after}`;
  writeFileSync(benchmarks, text);
}
