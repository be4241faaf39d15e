/** The report's only stylesheet: light and dark from the system setting, and a print layout. */
export const STYLE = `
:root {
  color-scheme: light dark;
  --bg: #ffffff; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --row: #f6f8fa; --panel: #f6f8fa;
  --ok: #1a7f37; --warn: #b35900; --bad: #cf222e; --limit: #8250df; --info: #0969da; --idle: #8c959f; --teal: #0a7d7d;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --line: #30363d; --row: #161b22; --panel: #161b22;
    --ok: #3fb950; --warn: #d29922; --bad: #f85149; --limit: #bc8cff; --info: #58a6ff; --idle: #6e7681; --teal: #39c5cf;
  }
}
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px; background: var(--bg); color: var(--fg);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 8px; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px; white-space: pre-wrap; overflow-wrap: anywhere; margin: 6px 0 0; }
a { color: var(--info); }
.muted, .meta { color: var(--muted); }
.meta { margin: 0 0 12px; }
.headline { font-size: 16px; margin: 0 0 14px; }
.summary { display: flex; flex-wrap: wrap; gap: 24px; align-items: center; }
.counts { display: flex; gap: 10px; flex-wrap: wrap; }
.count { border: 1px solid var(--line); border-left: 6px solid currentColor; border-radius: 6px; padding: 6px 12px; min-width: 96px; }
.count b { display: block; font-size: 22px; color: var(--fg); }
.count span { font-size: 12px; }
dl { display: grid; grid-template-columns: auto auto; gap: 2px 12px; margin: 0; }
dt { color: var(--muted); } dd { margin: 0; font-variant-numeric: tabular-nums; }
.v-verified { color: var(--ok); } .v-failed, .v-conflict { color: var(--bad); }
.v-claimed-unverified { color: var(--warn); } .v-done-unclaimed { color: var(--teal); }
.v-rate-limited { color: var(--limit); } .v-pending, .v-skipped { color: var(--idle); }
.pill { display: inline-block; border: 1px solid currentColor; border-radius: 999px; padding: 0 8px; font-size: 12px; white-space: nowrap; font-weight: 600; }
table.verdicts { border-collapse: collapse; width: 100%; }
.verdicts th, .verdicts td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
.verdicts th { font-size: 12px; color: var(--muted); font-weight: 600; }
.verdicts td.num { font-variant-numeric: tabular-nums; white-space: nowrap; }
.verdicts td.reason { max-width: 340px; }
.ins { color: var(--ok); } .del { color: var(--bad); }
a.log { white-space: nowrap; font-size: 12px; }
details.check summary { cursor: pointer; font-size: 12px; }
.attention li { margin-bottom: 8px; }
.chart { border: 1px solid var(--line); border-radius: 8px; padding: 8px; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; font-size: 12px; color: var(--muted); margin: 8px 4px 0; }
.legend i { display: inline-block; width: 18px; height: 10px; border-radius: 2px; margin-right: 5px; vertical-align: -1px; }
svg.gantt { display: block; font-size: 11px; }
svg.gantt text { fill: var(--fg); }
svg.gantt .label { font-size: 12px; }
svg.gantt .label.small { font-size: 11px; fill: var(--muted); }
svg.gantt .limit-text { fill: var(--bad); }
svg.gantt .row-bg { fill: var(--row); }
svg.gantt .axis line { stroke: var(--line); stroke-dasharray: 2 3; }
svg.gantt .axis text, svg.gantt .axis-note { fill: var(--muted); font-size: 10px; }
svg.gantt .wait { stroke: var(--idle); stroke-width: 1.5; stroke-dasharray: 2 3; }
svg.gantt .bar text { fill: #fff; font-size: 11px; font-weight: 600; pointer-events: none; }
svg.gantt .bar.ok rect, .legend .ok { fill: var(--ok); background: var(--ok); }
svg.gantt .bar.no-evidence rect, .legend .no-evidence { fill: var(--warn); background: var(--warn); }
svg.gantt .bar.error rect, .legend .error { fill: var(--bad); background: var(--bad); }
svg.gantt .bar.limited rect, .legend .limited { fill: var(--limit); background: var(--limit); }
svg.gantt .bar.dead rect, .legend .dead { fill: var(--idle); background: var(--idle); }
svg.gantt .bar.running rect, .legend .running { fill: var(--info); background: var(--info); }
svg.gantt .check, .legend .check { fill: var(--muted); background: var(--muted); opacity: .55; }
svg.gantt .merge, .legend .merge { fill: var(--teal); background: var(--teal); }
svg.gantt .merge-bad { fill: var(--bad); }
svg.gantt .end { stroke: var(--bg); stroke-width: 1.5; fill: currentColor; }
svg.gantt .verdict-label { font-weight: 600; font-size: 12px; }
svg.gantt .verdict-label.v-verified, svg.gantt .end.v-verified { fill: var(--ok); }
svg.gantt .verdict-label.v-failed, svg.gantt .verdict-label.v-conflict, svg.gantt .end.v-failed, svg.gantt .end.v-conflict { fill: var(--bad); }
svg.gantt .verdict-label.v-claimed-unverified, svg.gantt .end.v-claimed-unverified { fill: var(--warn); }
svg.gantt .verdict-label.v-done-unclaimed, svg.gantt .end.v-done-unclaimed { fill: var(--teal); }
svg.gantt .verdict-label.v-rate-limited, svg.gantt .end.v-rate-limited { fill: var(--limit); }
svg.gantt .verdict-label.v-pending, svg.gantt .verdict-label.v-skipped, svg.gantt .end.v-pending, svg.gantt .end.v-skipped { fill: var(--idle); }
svg.gantt .pause-band rect, .legend .pause { fill: var(--limit); background: var(--limit); opacity: .16; }
svg.gantt .pause-band text { fill: var(--limit); font-size: 10px; font-weight: 600; }
svg.gantt .strip-bg { fill: var(--row); }
svg.gantt .strip-sep { stroke: var(--line); }
svg.gantt .running-area { fill: var(--info); opacity: .35; }
svg.gantt .limit-line { fill: none; stroke: var(--fg); stroke-width: 1.5; stroke-dasharray: 5 3; }
svg.gantt .limit-marker { fill: var(--bad); }
@media print {
  :root { --bg: #fff; --fg: #000; --muted: #444; --line: #bbb; --row: #f3f3f3; --panel: #f7f7f7; }
  body { padding: 0; font-size: 11px; }
  .chart { break-inside: avoid; border: none; padding: 0; }
  tr { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
