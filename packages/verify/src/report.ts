import { VERDICTS, type TaskVerdict, type Verdict } from "./reconcile.js";

/** How many tasks got each verdict (every verdict present, zeros included). */
export function countVerdicts(tasks: readonly TaskVerdict[]): Record<Verdict, number> {
  const counts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const task of tasks) counts[task.verdict]++;
  return counts;
}

/** One line such as "2 verified, 2 claimed-unverified" (verdicts with zero tasks left out). */
export function summarizeVerdicts(tasks: readonly TaskVerdict[]): string {
  const counts = countVerdicts(tasks);
  const parts = VERDICTS.filter((v) => counts[v] > 0).map((v) => `${counts[v]} ${v}`);
  return parts.length > 0 ? parts.join(", ") : "no tasks";
}

/** A GitHub-flavoured markdown table of verdicts, for pasting into a pull request. */
export function renderVerdictsMarkdown(tasks: readonly TaskVerdict[], title = "csess verification"): string {
  const cell = (s: string) => s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
  const rows = tasks.map((t) =>
    [
      `\`${t.verdict}\``,
      cell(t.title),
      t.commits.map((h) => `\`${h.slice(0, 7)}\``).join(" ") || "—",
      t.commits.length > 0 ? `+${t.insertions} −${t.deletions}` : "",
      cell(t.reason),
    ].join(" | "),
  );
  return [
    `### ${title}`,
    "",
    summarizeVerdicts(tasks),
    "",
    "| Verdict | Task | Commits | +/− | Reason |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map((r) => `| ${r} |`),
    "",
  ].join("\n");
}
