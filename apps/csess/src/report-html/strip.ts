import type { RunReport } from "../run/report.js";
import { clock, html, type Markup } from "./html.js";
import type { TimeScale } from "./scale.js";

export const STRIP_HEIGHT = 64;

/** Agents running over time: +1 at each start, -1 at each end (still running: until the chart's end). */
function runningSteps(report: RunReport): Array<{ t: number; n: number }> {
  const deltas: Array<{ t: number; d: number }> = [];
  for (const task of report.timeline.tasks) {
    for (const a of task.attempts) {
      deltas.push({ t: Date.parse(a.start), d: 1 });
      if (a.end) deltas.push({ t: Date.parse(a.end), d: -1 });
    }
  }
  deltas.sort((a, b) => a.t - b.t || a.d - b.d);
  let n = 0;
  return deltas.map(({ t, d }) => ({ t, n: (n += d) }));
}

/** A step path through (t, value) points, held flat to `endT`. */
function stepPath(points: Array<{ t: number; v: number }>, s: TimeScale, y: (v: number) => number, endT: number): string {
  if (points.length === 0) return "";
  let d = `M${s.x(points[0]!.t)},${y(points[0]!.v)}`;
  for (let i = 1; i < points.length; i += 1) d += ` H${s.x(points[i]!.t)} V${y(points[i]!.v)}`;
  return `${d} H${s.x(endT)}`;
}

/** The strip under the Gantt chart: agents running, the concurrency limit, and a marker per 429. */
export function concurrencyStrip(report: RunReport, s: TimeScale, top: number, width: number): Markup {
  const tl = report.timeline;
  const running = runningSteps(report).map(({ t, n }) => ({ t, v: n }));
  const limit = tl.concurrency.map((c) => ({ t: Date.parse(c.at), v: c.value }));
  const max = Math.max(1, ...running.map((p) => p.v), ...limit.map((p) => p.v));
  const bottom = top + STRIP_HEIGHT - 14;
  const y = (v: number) => bottom - (v / max) * (STRIP_HEIGHT - 22);
  const end = s.t1;
  const area = running.length ? `${stepPath([{ t: s.t0, v: 0 }, ...running], s, y, end)} V${bottom} H${s.left} Z` : "";
  return html`<g class="strip">
<rect class="strip-bg" x="${s.left}" y="${top}" width="${s.right - s.left}" height="${STRIP_HEIGHT - 14}"/>
<text class="label" x="8" y="${top + 14}">agents running</text>
<text class="label small" x="8" y="${top + 30}">— limit (concurrency)</text>
<text class="label small limit-text" x="8" y="${top + 44}">▲ rate / usage limit hit</text>
<path class="running-area" d="${area}"><title>agents running at once (max ${Math.max(0, ...running.map((p) => p.v))})</title></path>
<path class="limit-line" d="${stepPath(limit, s, y, end)}"><title>concurrency limit: ${tl.concurrency.map((c) => `${c.value} from ${clock(c.at)}`).join(", ")}</title></path>
<text class="axis-note" x="${s.right + 6}" y="${y(max) + 4}">${max}</text>
<text class="axis-note" x="${s.right + 6}" y="${bottom + 4}">0</text>
${tl.limits.map((l) => {
    const x = s.x(l.at);
    return html`<path class="limit-marker" d="M${x - 6},${bottom + 12} L${x + 6},${bottom + 12} L${x},${bottom + 2} Z" data-task="${l.taskId}"><title>${l.kind} from ${l.taskId} at ${clock(l.at)}</title></path>`;
  })}
<line class="strip-sep" x1="0" x2="${width}" y1="${top - 6}" y2="${top - 6}"/>
</g>`;
}
