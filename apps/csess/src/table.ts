/**
 * A plain, aligned text table for terminals (no borders, so it pastes cleanly anywhere). Plain loops:
 * `csess tasks` renders one row per task, 10,000 of them in a long PRD, before the code is warm.
 */
export function renderTable(header: string[], rows: string[][], maxCell = 72): string {
  const clip = (s: string) => (s.length > maxCell ? s.slice(0, maxCell - 1) + "…" : s);
  const widths = header.map((h) => clip(h).length);
  for (const row of rows) {
    for (let i = 0; i < row.length - 1; i++) widths[i] = Math.max(widths[i] ?? 0, Math.min(row[i]!.length, maxCell));
  }
  const line = (row: string[]) => {
    let text = "";
    for (let i = 0; i < row.length - 1; i++) text += clip(row[i]!).padEnd(widths[i] ?? 0) + "  ";
    return (text + clip(row[row.length - 1] ?? "")).trimEnd();
  };
  let out = line(header);
  for (const row of rows) out += "\n" + line(row);
  return out;
}
