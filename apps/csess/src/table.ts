/** A plain, aligned text table for terminals (no borders, so it pastes cleanly anywhere). */
export function renderTable(header: string[], rows: string[][], maxCell = 72): string {
  const clip = (s: string) => (s.length > maxCell ? s.slice(0, maxCell - 1) + "…" : s);
  const cells = [header, ...rows].map((r) => r.map(clip));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ").trimEnd())
    .join("\n");
}
