/**
 * A plain, aligned text table for terminals (no borders, so it pastes cleanly anywhere). Plain loops
 * and one join: `csess tasks` renders one row per task, 10,000 of them in a long PRD, before the code is warm.
 */
export function renderTable(header: string[], rows: string[][], maxCell = 72): string {
  const widths = header.map((h) => Math.min(h.length, maxCell));
  for (const row of rows) {
    for (let i = 0; i < row.length - 1; i++) {
      const width = Math.min(row[i]!.length, maxCell);
      if (width > (widths[i] ?? 0)) widths[i] = width;
    }
  }
  const lines = new Array<string>(rows.length + 1);
  lines[0] = renderRow(header, widths, maxCell);
  for (let r = 0; r < rows.length; r++) lines[r + 1] = renderRow(rows[r]!, widths, maxCell);
  return lines.join("\n");
}

/**
 * One row: each cell clipped to `maxCell` and padded to its column's width and two spaces, up to the
 * last cell with text, which is neither padded nor followed by blanks. No padded copy of each cell and
 * no trimmed copy of each line: a 10,000-row table's garbage was a fifth of `csess tasks`' time.
 */
function renderRow(row: string[], widths: number[], maxCell: number): string {
  let last = row.length - 1;
  let lastText = last >= 0 ? clip(row[last]!, maxCell).trimEnd() : "";
  while (last > 0 && lastText === "") lastText = clip(row[--last]!, maxCell).trimEnd();
  let text = "";
  for (let i = 0; i < last; i++) {
    const cell = clip(row[i]!, maxCell);
    text += cell + blanks((widths[i] ?? 0) - cell.length + 2);
  }
  return text + lastText;
}

function clip(cell: string, maxCell: number): string {
  return cell.length > maxCell ? cell.slice(0, maxCell - 1) + "…" : cell;
}

/** `n` spaces, from a cache: the same few paddings recur on every row. */
function blanks(n: number): string {
  return (BLANKS[n] ??= " ".repeat(n));
}
const BLANKS: string[] = [];
