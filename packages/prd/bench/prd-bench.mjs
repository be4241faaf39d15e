// Benchmark for @csess/prd: `pnpm --filter @csess/prd bench` (runs on dist/, built by turbo first).
// Reports wall and CPU time per operation (best and median of N runs): on a shared machine the CPU
// time of this process is the steadier figure. The goal (parse < 300 ms) is judged beside a floor measured
// in this run (one pass over the text's lines), through scripts/bench-kit.mjs; exit 1 when it is missed.
import { cpus } from "node:os";
import remarkFrontmatter from "remark-frontmatter";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified } from "unified";
import { benchReport } from "../../../scripts/bench-kit.mjs";
import { describeTasks, parsePrd, setTaskChecked } from "../dist/index.js";
import { parseFresh } from "../dist/parse.js";
import { compact, realistic } from "./inputs.mjs";

function measure(runs, fn) {
  const wall = [];
  const cpu = [];
  fn(); // warm-up
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const best = (xs) => Math.min(...xs);
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return { wallBest: best(wall), wallMedian: median(wall), cpuBest: best(cpu), cpuMedian: median(cpu) };
}

const rows = [];
function row(name, runs, fn) {
  const m = measure(runs, fn);
  rows.push({ name, ...m });
  const f = (x) => x.toFixed(x < 10 ? 1 : 0).padStart(6);
  console.error(`${name.padEnd(78)} wall ${f(m.wallBest)} / ${f(m.wallMedian)} ms  cpu ${f(m.cpuBest)} / ${f(m.cpuMedian)} ms`);
  return m;
}

const big = realistic(10_000);
const bigCrlf = big.replace(/\n/g, "\r\n");
/** Returns a or b by turns: parsePrd memoises the last text, so each run must see a different one. */
function alternating(a, b) {
  let flip = false;
  return () => ((flip = !flip) ? a : b);
}
const alternate = alternating(big, bigCrlf);
const small = compact(10_000);
const nextSmall = alternating(small, small.replace(/\n/g, "\r\n"));
const typical = realistic(100);
const nextTypical = alternating(typical, typical.replace(/\n/g, "\r\n"));
const numbered = big.replace(/^- \[/gm, "1. [").replace(/^  - \[/gm, "   1. [");
const nextNumbered = alternating(numbered, numbered.replace(/\n/g, "\r\n"));
const tabbed = big.replace(/^  - \[/gm, "\t- [");
const nextTabbed = alternating(tabbed, tabbed.replace(/\n/g, "\r\n"));
const open = parsePrd(big).tasks.filter((t) => !t.checked).map((t) => t.id);
const toggled = open.filter((_, i) => i % Math.floor(open.length / 1000) === 0).slice(0, 1000);
const remark = unified().use(remarkParse).use(remarkGfm).use(remarkFrontmatter, ["yaml"]).freeze();

const report = benchReport({
  id: "prd",
  title: "@csess/prd",
  reproduce: "pnpm --filter @csess/prd bench",
  about: "In-process on dist/; best and median of 3–30 runs after a warm-up, wall and CPU (this process's user + system). Inputs: a realistic " +
    "10,000-task PRD (100 sections with a heading and a paragraph, every fifth task nested, every tenth with a detail line, every ninth " +
    "checked), the same numbered and with tab-indented subtasks (the line scanner declines those: micromark), a compact one (`- [ ] Task N`) " +
    "and a 100-task PRD. Runs alternate LF and CRLF texts so the one-entry parse memo never answers.",
});
const taskLine = /^\s*(?:[-*+]|\d+[.)])\s+\[[ xX]\]/;
const floor = row("floor: one pass over the lines (split, a task-marker regex per line), realistic 10,000", 15, () => alternate().split(/\r?\n/).filter((l) => taskLine.test(l)).length);
console.error(`Node ${process.version}, ${cpus().length} cores; realistic 10,000-task PRD ${(big.length / 1024).toFixed(0)} KiB, compact ${(small.length / 1024).toFixed(0)} KiB`);
const before = row("before: micromark path only (`scan: false`, 4 KiB chunks), realistic 10,000", 5, () => parseFresh(alternate(), { scan: false }));
const parse = row("parsePrd, realistic 10,000-task PRD", 15, () => parsePrd(alternate()));
row("describeTasks, realistic 10,000-task PRD", 5, () => describeTasks(alternate()));
row("toggle 1,000 tasks one after another with setTaskChecked (incl. first parse)", 5, () => {
  let text = alternate();
  for (const id of toggled) text = setTaskChecked(text, id, true);
});
row("parsePrd, compact 10,000-task PRD (`- [ ] Task N`)", 15, () => parsePrd(nextSmall()));
row("parsePrd, realistic 10,000 numbered (`1. [ ]`, nested `   1. [ ]`)", 15, () => parsePrd(nextNumbered()));
row("parsePrd, realistic 10,000 with tab-indented subtasks (scanner declines: micromark)", 5, () => parsePrd(nextTabbed()));
row("parsePrd, realistic 100-task PRD", 30, () => parsePrd(nextTypical()));
const whole = row("reference: micromark path without chunking, realistic 10,000", 3, () => parseFresh(alternate(), { chunkChars: Infinity, scan: false }));
const plain = row("reference: plain remark parse (gfm + frontmatter), realistic 10,000", 3, () => remark.parse(alternate()));

report.figure({
  name: "parsePrd, realistic 10,000-task PRD (wall, median)", unit: "ms", measured: parse.wallMedian, goal: { max: 300, strict: true },
  floor: { label: "one pass over the lines with a task-marker regex (median)", value: floor.wallMedian },
  note: `CPU best ${parse.cpuBest.toFixed(0)} ms; the micromark path alone ${before.wallMedian.toFixed(0)} ms`,
});
const ms = (x) => x.toFixed(x < 10 ? 1 : 0);
report.detail([
  "| operation | wall best / median (ms) | CPU best / median (ms) |",
  "|---|---:|---:|",
  ...rows.map((r) => `| ${r.name} | ${ms(r.wallBest)} / ${ms(r.wallMedian)} | ${ms(r.cpuBest)} / ${ms(r.cpuMedian)} |`),
  "",
  `Ratios (CPU best): parsePrd is ${(before.cpuBest / parse.cpuBest).toFixed(1)}x faster than the micromark path alone, ${(whole.cpuBest / parse.cpuBest).toFixed(1)}x faster than it unchunked and ${(plain.cpuBest / parse.cpuBest).toFixed(1)}x faster than a plain remark parse.`,
].join("\n"));
report.finish();
