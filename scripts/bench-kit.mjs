// @ts-check
// The one way every benchmark reports a figure: what was measured, its goal, and the floor (the least
// the machine can do for the same job, measured in the same run, beside it), the ratio to that floor,
// met or MISSED. `finish()` prints the summary, writes bench-results/<id>.json (from which
// scripts/benchmarks-md.mjs regenerates BENCHMARKS.md) and sets a non-zero exit code when a goal is missed.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("..", import.meta.url));
export const RESULTS_DIR = path.join(ROOT, "bench-results");

/**
 * @typedef {{ label: string, value: number }} Floor what the same job costs done the bare way, in the same unit
 * @typedef {{ max?: number, ratio?: number, plus?: number, strict?: boolean }} Goal
 *   `max`: an absolute limit; else `ratio` × floor (+ `plus`). `strict`: "<" instead of "≤".
 * @typedef {{ name: string, unit: string, measured: number, floor?: Floor, goal?: Goal, note?: string }} FigureInput
 * @typedef {FigureInput & { limit?: number, ratio?: number, met?: boolean }} Figure
 */

/** The machine, for the record: cores, memory, versions, load average now. */
export function machine() {
  const version = (/** @type {string} */ cmd, /** @type {string[]} */ args) => {
    try {
      return execFileSync(cmd, args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim().split("\n")[0] ?? "";
    } catch {
      return `${cmd}: not found`;
    }
  };
  return {
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.versions.node,
    tmux: version("tmux", ["-V"]),
    git: version("git", ["--version"]),
  };
}

/** The load average (1, 5, 15 min), as printed. */
export const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(" ");

/** The limit a goal sets, or undefined when the figure has no goal (or a ratio goal and no floor). */
function limitOf(/** @type {FigureInput} */ f) {
  if (!f.goal) return undefined;
  if (f.goal.max !== undefined) return f.goal.max;
  if (f.goal.ratio === undefined || !f.floor) return undefined;
  return f.goal.ratio * f.floor.value + (f.goal.plus ?? 0);
}

/** A value with its unit, rounded for people. @param {number} value @param {string} unit */
export function format(value, unit) {
  if (!Number.isFinite(value)) return "n/a";
  const digits = Number.isInteger(value) || Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}${unit === "x" ? "×" : unit ? ` ${unit}` : ""}`;
}

/** "≤ 1.5× floor + 150 ms = 210 ms", "< 500 ms", or "—". @param {Figure} f */
export function goalText(f) {
  if (!f.goal || f.limit === undefined) return "—";
  const op = f.goal.strict ? "<" : "≤";
  if (f.goal.max !== undefined) return `${op} ${format(f.goal.max, f.unit)}`;
  const plus = f.goal.plus ? ` + ${format(f.goal.plus, f.unit)}` : "";
  return `${op} ${f.goal.ratio}× floor${plus} = ${format(f.limit, f.unit)}`;
}

/** Computes a figure's limit, ratio to its floor and verdict. @param {FigureInput} input @returns {Figure} */
export function judge(input) {
  const limit = limitOf(input);
  const ratio = input.floor && input.floor.value > 0 ? input.measured / input.floor.value : undefined;
  const met = limit === undefined ? undefined : Number.isFinite(input.measured) && (input.goal?.strict ? input.measured < limit : input.measured <= limit);
  return { ...input, ...(limit === undefined ? {} : { limit }), ...(ratio === undefined ? {} : { ratio }), ...(met === undefined ? {} : { met }) };
}

/** One line per figure: verdict, measured, goal, floor, ratio. @param {Figure} f */
export function figureLine(f) {
  const verdict = f.met === undefined ? "info" : f.met ? "met " : "MISS";
  const floor = f.floor ? `; floor (${f.floor.label}) ${format(f.floor.value, f.unit)}` : "";
  const ratio = f.ratio === undefined ? "" : `; ratio ${f.ratio.toFixed(2)}×`;
  return `[${verdict}] ${f.name}: ${format(f.measured, f.unit)} — goal ${goalText(f)}${floor}${ratio}${f.note ? ` (${f.note})` : ""}`;
}

/**
 * A benchmark's report. `figure()` judges and prints a figure at once, `detail()` keeps a markdown
 * block (tables of the parts) for BENCHMARKS.md, `finish()` closes the report.
 * @param {{ id: string, title: string, reproduce: string, about?: string }} bench
 */
export function benchReport(bench) {
  const began = { at: new Date().toISOString(), load: loadAverage(), ms: Date.now() };
  const host = machine();
  /** @type {Figure[]} */
  const figures = [];
  /** @type {string[]} */
  const details = [];
  console.log(`# ${bench.title} — ${began.at}\nmachine: ${host.cores} cores, ${host.memoryGiB} GiB, Node ${host.node}, ${host.tmux}, ${host.git}; load average ${began.load}\n`);
  return {
    /** @param {FigureInput} input */
    figure(input) {
      const f = judge(input);
      figures.push(f);
      console.log(figureLine(f));
      return f;
    },
    /** @param {string} markdown */
    detail(markdown) {
      details.push(markdown);
      console.log(`\n${markdown}\n`);
    },
    /** Prints the summary, writes the results file (and returns it); the exit code is 1 when a goal was missed. */
    finish() {
      const goals = figures.filter((f) => f.met !== undefined);
      const missed = goals.filter((f) => !f.met);
      const result = { ...bench, date: began.at, machine: host, load: { start: began.load, end: loadAverage() }, seconds: Math.round((Date.now() - began.ms) / 1000), figures, details };
      mkdirSync(RESULTS_DIR, { recursive: true });
      writeFileSync(path.join(RESULTS_DIR, `${bench.id}.json`), JSON.stringify(result, null, 2) + "\n");
      console.log(`\n${bench.title}: ${goals.length - missed.length} of ${goals.length} goals met${missed.length ? `; MISSED: ${missed.map((f) => f.name).join("; ")}` : ""} (${result.seconds} s, load ${result.load.end})`);
      if (missed.length > 0) process.exitCode = 1;
      return result;
    },
  };
}

/** @param {number[]} values @param {number} q nearest-rank quantile, 0..1 */
export function quantile(values, q) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? NaN;
}
export const median = (/** @type {number[]} */ values) => quantile(values, 0.5);

/**
 * Times commands run one after the other, `runs` rounds, taking turns so that the machine's load
 * falls on each alike. Returns each command's wall times (ms). A command exiting other than `okCodes` (0) throws.
 * @template {string} K
 * @param {Record<K, { file: string, args: string[], cwd?: string, env?: NodeJS.ProcessEnv, okCodes?: number[] }>} commands
 * @param {number} runs
 * @returns {Record<K, number[]>}
 */
export function timeInTurns(commands, runs) {
  const keys = /** @type {K[]} */ (Object.keys(commands));
  const times = /** @type {Record<K, number[]>} */ (/** @type {unknown} */ (Object.fromEntries(keys.map((k) => [k, []]))));
  for (let round = -1; round < runs; round++) {
    for (const key of keys) {
      const { file, args, cwd, env, okCodes = [0] } = commands[key];
      const t0 = performance.now();
      const child = spawnSync(file, args, { cwd, env, stdio: ["ignore", "ignore", "pipe"], maxBuffer: 1 << 26 });
      const ms = performance.now() - t0;
      if (!okCodes.includes(child.status ?? -1)) throw new Error(`${file} ${args.join(" ")} exited ${child.status}: ${child.stderr?.toString().slice(-500)}`);
      if (round >= 0) times[key].push(ms); // round -1 warms the file cache
    }
  }
  return times;
}
