import type { RunReport } from "../run/report.js";
import type { TimelineAttempt, TimelineTask } from "../run/timeline.js";
import { clip, clock, duration, html, type Markup } from "./html.js";
import { offsetLabel, ticks, timeScale, type TimeScale } from "./scale.js";
import { concurrencyStrip, STRIP_HEIGHT } from "./strip.js";

const WIDTH = 1100;
const LABEL_WIDTH = 230;
const VERDICT_WIDTH = 150;
const ROW = 30;
const BAR = 18;
const AXIS = 26;

/** The CSS class of an attempt's bar: what happened to it, at a glance. */
function barClass(a: TimelineAttempt): string {
  if (a.end === null) return "bar running";
  if (a.outcome === "rate-limited" || a.outcome === "usage-limit" || a.outcome === "overloaded") return "bar limited";
  if (a.outcome === "dead") return "bar dead";
  if (a.verified) return "bar ok";
  return a.outcome === "success" ? "bar no-evidence" : "bar error";
}

/** "it 2"; a requeued attempt says why instead, its iteration is run again. */
function barLabel(a: TimelineAttempt): string {
  if (a.outcome === "rate-limited") return "429";
  if (a.outcome === "usage-limit") return "limit";
  return `it ${a.iteration}`;
}

function attemptTitle(taskId: string, a: TimelineAttempt, endIso: string): string {
  const end = a.end ?? endIso;
  const what = a.end === null ? "still running" : `${a.outcome ?? "ended"}, exit ${a.exitCode ?? "unknown"}`;
  const judged = a.verified === null ? "" : a.verified ? "; verified by git" : "; no evidence in git";
  return `${taskId} iteration ${a.iteration} (attempt ${a.attempt}): ${clock(a.start)}–${a.end ? clock(a.end) : "now"}, ` +
    `${duration(Date.parse(end) - Date.parse(a.start))}; ${what}${judged}`;
}

function taskRow(task: TimelineTask, report: RunReport, s: TimeScale, y: number, endIso: string): Markup {
  const t = report.tasks.find((r) => r.id === task.id);
  const mid = y + ROW / 2;
  const parts: Markup[] = [];
  let waitFrom = report.timeline.start;
  for (const a of task.attempts) {
    const x0 = s.x(a.start);
    if (s.x(a.start) - s.x(waitFrom) >= 2) {
      parts.push(html`<line class="wait" x1="${s.x(waitFrom)}" x2="${x0}" y1="${mid}" y2="${mid}"><title>${task.id} waiting to start (for a slot, a dependency or a pause): ${clock(waitFrom)}–${clock(a.start)}</title></line>`);
    }
    const x1 = Math.max(s.x(a.end ?? endIso), x0 + 3);
    parts.push(html`<g class="${barClass(a)}" data-task="${task.id}" data-iteration="${a.iteration}" data-attempt="${a.attempt}"><title>${attemptTitle(task.id, a, endIso)}</title><rect x="${x0}" y="${mid - BAR / 2}" width="${x1 - x0}" height="${BAR}" rx="3"/>${x1 - x0 > 34 ? html`<text x="${x0 + 5}" y="${mid + 4}">${barLabel(a)}</text>` : ""}</g>`);
    if (a.end && a.judgedAt && s.x(a.judgedAt) - x1 >= 1) {
      parts.push(html`<rect class="check" x="${x1}" y="${mid - 4}" width="${s.x(a.judgedAt) - x1}" height="8"><title>${task.id}: judged by git${t?.check ? " and the check" : ""} ${clock(a.end)}–${clock(a.judgedAt)}</title></rect>`);
    }
    waitFrom = a.judgedAt ?? a.end ?? endIso;
  }
  if (task.merge) {
    const mx0 = s.x(task.merge.start);
    const mx1 = Math.max(s.x(task.merge.end ?? endIso), mx0 + 4);
    parts.push(html`<rect class="merge ${task.merge.status === "merged" ? "" : "merge-bad"}" x="${mx0}" y="${mid - 6}" width="${mx1 - mx0}" height="12" rx="2"><title>${task.id}: merge ${task.merge.status ?? "in progress"} ${clock(task.merge.start)}${task.merge.end ? `–${clock(task.merge.end)}` : ""}</title></rect>`);
  }
  const verdict = t?.verdict ?? "pending";
  if (task.finishedAt) parts.push(html`<circle class="end v-${verdict}" cx="${s.x(task.finishedAt)}" cy="${mid}" r="5"><title>${task.id}: ${verdict} at ${clock(task.finishedAt)}</title></circle>`);
  const label = `${task.id}  ${t?.title ?? ""}`;
  return html`<g class="row" data-task="${task.id}">
<text class="label" x="8" y="${mid + 4}"><title>${label}</title>${clip(label, 34)}</text>
${parts}
<text class="verdict-label v-${verdict}" x="${WIDTH - VERDICT_WIDTH + 10}" y="${mid + 4}">${verdict}</text>
</g>`;
}

function axis(s: TimeScale, height: number): Markup {
  return html`<g class="axis">${ticks(s).map((ms) => {
    const x = s.x(s.t0 + ms);
    return html`<line x1="${x}" x2="${x}" y1="${AXIS - 4}" y2="${height}"/><text x="${x}" y="${AXIS - 9}" text-anchor="middle">${offsetLabel(ms)}</text>`;
  })}</g>`;
}

function pauseBands(report: RunReport, s: TimeScale, top: number, height: number): Markup {
  return html`${report.timeline.pauses.map((p) => {
    const x0 = s.x(p.from);
    const w = Math.max(s.x(p.to) - x0, 2);
    return html`<g class="pause-band"><title>No new starts ${clock(p.from)}–${clock(p.to)} (${duration(Date.parse(p.to) - Date.parse(p.from))}): ${p.limit} from ${p.taskIds.join(", ")}</title><rect x="${x0}" y="${top}" width="${w}" height="${height}"/><text x="${x0 + 3}" y="${top + 11}">${w > 60 ? `paused (${p.limit === "usage-limit" ? "usage limit" : "429"})` : "||"}</text></g>`;
  })}`;
}

/** The Gantt chart: one row per task, one bar per agent start, pauses shaded, concurrency and 429s below. */
export function gantt(report: RunReport): Markup {
  const tl = report.timeline;
  const s = timeScale(tl.start, tl.end, LABEL_WIDTH, WIDTH - VERDICT_WIDTH);
  const rowsHeight = tl.tasks.length * ROW;
  const stripTop = AXIS + rowsHeight + 12;
  const height = stripTop + STRIP_HEIGHT + 8;
  return html`<svg class="gantt" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="Timeline of run ${report.runId}" xmlns="http://www.w3.org/2000/svg">
${axis(s, AXIS + rowsHeight)}
${tl.tasks.map((_, i) => (i % 2 === 0 ? html`<rect class="row-bg" x="0" y="${AXIS + i * ROW}" width="${WIDTH}" height="${ROW}"/>` : ""))}
${pauseBands(report, s, AXIS, rowsHeight)}
${tl.tasks.map((task, i) => taskRow(task, report, s, AXIS + i * ROW, tl.end))}
${concurrencyStrip(report, s, stripTop, WIDTH)}
</svg>`;
}
