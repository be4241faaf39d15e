import { join } from "node:path";
import { UserError } from "../errors.js";
import { readJournal } from "../run/journal.js";
import { writeHtmlReport } from "../report-html/index.js";
import { formatReportMarkdown, formatReportTable, makeReport } from "../run/report.js";
import { isAlive, resolveRunId, runDir, RunLock } from "../run/rundir.js";
import { findRepoRoot } from "../repo-root.js";
import { replay } from "../run/state.js";

/** `csess report [RUN]`: the run's report as a table, markdown, JSON or an HTML file. */
export async function reportCommand(run: string | undefined, options: { json?: boolean; md?: boolean; html?: boolean }): Promise<void> {
  const formats = (["json", "md", "html"] as const).filter((f) => options[f]);
  if (formats.length > 1) throw new UserError(`--${formats.join(" and --")} are alternatives; pick one (e.g. csess report --html)`);
  const repoRoot = await findRepoRoot(process.cwd());
  const runId = resolveRunId(repoRoot, run);
  const dir = runDir(repoRoot, runId);
  const state = replay(readJournal(join(dir, "events.jsonl")));
  const running = !state.finished && state.pids.some(isAlive) && RunLock.holder(repoRoot, state.start.prdPath) !== undefined;
  const report = makeReport({ state, prdAbs: join(repoRoot, state.start.prdPath) }, running);
  if (options.html) process.stdout.write(writeHtmlReport(dir, report) + "\n");
  else if (options.json) process.stdout.write(JSON.stringify(report, null, 2) + "\n");
  else if (options.md) process.stdout.write(formatReportMarkdown(report));
  else process.stdout.write(formatReportTable(report));
}
