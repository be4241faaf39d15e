import { relative, sep } from "node:path";
import { VERDICTS } from "@csess/verify";
import type { RunReport, TaskReport } from "../run/report.js";
import { formatCost, formatTokens } from "../run/usage.js";
import { clock, duration, html, type Markup } from "./html.js";

/** A link target for a file under the run folder, relative to report.html (which is written there). */
function relativeHref(runDir: string, file: string): string {
  return relative(runDir, file).split(sep).map(encodeURIComponent).join("/");
}

function verdictPill(verdict: string): Markup {
  return html`<span class="pill v-${verdict}">${verdict}</span>`;
}

function logLinks(report: RunReport, t: TaskReport, runDir: string): Markup {
  const attempts = report.timeline.tasks.find((x) => x.id === t.id)?.attempts ?? [];
  return html`${attempts.map((a) => html`<a class="log" href="${relativeHref(runDir, a.log)}" title="output log of iteration ${a.iteration}, attempt ${a.attempt}${a.outcome ? ` (${a.outcome})` : ""}">it ${a.iteration}${a.outcome === "rate-limited" ? " (429)" : a.outcome === "usage-limit" ? " (usage limit)" : ""}</a> `)}`;
}

function evidenceCell(t: TaskReport): Markup {
  const commits = t.commits ?? [];
  const check = t.check;
  return html`${commits.length
    ? html`<div>${commits.map((c) => html`<code>${c.slice(0, 8)}</code> `)}</div><div class="muted">${commits.length} commit${commits.length === 1 ? "" : "s"}, <span class="ins">+${t.insertions ?? 0}</span>/<span class="del">-${t.deletions ?? 0}</span>${t.evidence ? `, ${t.evidence}` : ""}</div>`
    : html`<span class="muted">no commits</span>`}${check
    ? html`<details class="check"><summary>check ${check.exitCode === 0 ? "passed" : `failed (exit ${check.exitCode})`}</summary><pre>${check.tail}</pre></details>`
    : ""}`;
}

function taskRow(report: RunReport, t: TaskReport, runDir: string): Markup {
  return html`<tr data-task="${t.id}" data-verdict="${t.verdict}">
<td>${verdictPill(t.verdict)}</td>
<td><code class="id">${t.id}</code> ${t.title}</td>
<td class="num">${t.iterations}${t.rateLimits ? html` <span class="muted">+${t.rateLimits}×429</span>` : ""}<div>${logLinks(report, t, runDir)}</div></td>
<td>${evidenceCell(t)}</td>
<td>${t.merge ? html`${t.merge.status}${t.merge.commit ? html` <code>${t.merge.commit.slice(0, 8)}</code>` : ""}` : html`<span class="muted">—</span>`}</td>
<td class="num">${t.durationMs ? duration(t.durationMs) : "—"}</td>
<td class="num">${t.usage ? formatTokens(t.usage.tokens) : "unknown"}</td>
<td class="num">${t.usage ? formatCost(t.usage.costUsd) : "unknown"}</td>
<td class="reason">${t.reason}</td>
</tr>`;
}

/** Every task with its verdict and the evidence behind it. */
export function verdictTable(report: RunReport, runDir: string): Markup {
  return html`<table class="verdicts">
<thead><tr><th>Verdict</th><th>Task</th><th>Iterations</th><th>Evidence</th><th>Merge</th><th>Agent time</th><th>Tokens</th><th>Cost</th><th>Reason</th></tr></thead>
<tbody>${report.tasks.map((t) => taskRow(report, t, runDir))}</tbody>
</table>`;
}

const NOT_VERIFIED: Partial<Record<string, string>> = {
  "claimed-unverified": "claimed done without a commit",
  "done-unclaimed": "done but not ticked",
  failed: "failed",
  conflict: "hit a merge conflict",
  "rate-limited": "stopped by rate limits",
  pending: "not finished",
};

/** The run's story in one sentence, for people who will not read the table. */
function headline(report: RunReport): string {
  const wall = duration(Date.parse(report.timeline.end) - Date.parse(report.timeline.start));
  const parts = [`${report.totals.verified} of ${report.totals.tasks} tasks verified by git in ${wall}`];
  for (const [verdict, words] of Object.entries(NOT_VERIFIED)) {
    const n = report.totals[verdict as keyof typeof report.totals] ?? 0;
    if (n > 0) parts.push(`${n} ${words}`);
  }
  const paused = report.timeline.pauses.reduce((ms, p) => ms + Date.parse(p.to) - Date.parse(p.from), 0);
  const limits = report.timeline.limits.length;
  if (limits > 0) parts.push(`${limits} rate limit${limits === 1 ? "" : "s"} paused new starts for ${duration(paused)}`);
  return `${parts.join("; ")}.`;
}

/** The run in one glance: a sentence, verdict counts, time, tokens and cost. */
export function summary(report: RunReport): Markup {
  const counts = VERDICTS.filter((v) => (report.totals[v] ?? 0) > 0);
  const span = Date.parse(report.timeline.end) - Date.parse(report.timeline.start);
  return html`<p class="headline">${headline(report)}</p>
<section class="summary">
<div class="counts">${counts.map((v) => html`<div class="count v-${v}"><b>${report.totals[v]}</b><span>${v}</span></div>`)}</div>
<dl>
<dt>Tasks</dt><dd>${report.totals.tasks}</dd>
<dt>Wall time</dt><dd>${duration(span)} (${clock(report.startedAt)}–${clock(report.timeline.end)})</dd>
<dt>Tokens</dt><dd>${report.usage ? formatTokens(report.usage.tokens) : "unknown"}</dd>
<dt>Cost</dt><dd>${report.usage ? formatCost(report.usage.costUsd) : "unknown"}</dd>
<dt>Rate limits</dt><dd>${report.timeline.limits.length} (${report.timeline.pauses.length} pause${report.timeline.pauses.length === 1 ? "" : "s"})</dd>
</dl>
</section>`;
}

export function attention(report: RunReport): Markup {
  if (report.attention.length === 0) return html``;
  return html`<section class="attention"><h2>Needs a person</h2><ul>${report.attention.map((a) => html`<li><code class="id">${a.taskId}</code> ${a.what}${a.where ? html` <span class="muted">(${a.where})</span>` : ""}${a.lastLines?.length ? html`<pre>${a.lastLines.join("\n")}</pre>` : ""}</li>`)}</ul></section>`;
}
