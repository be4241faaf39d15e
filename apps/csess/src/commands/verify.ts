import { realpath } from "node:fs/promises";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { parsePrd, PrdError, updatePrdFile } from "@csess/prd";
import {
  countVerdicts,
  openRepo,
  RepoError,
  renderVerdictsMarkdown,
  summarizeVerdicts,
  uncommittedChanges,
  verifyHistory,
  withRepoLock,
  type HistoryReport,
  type TaskVerdict,
  type UncommittedChanges,
} from "@csess/verify";
import { UserError } from "../errors.js";
import { renderTable } from "../table.js";
import { runFacts } from "../run/outcomes.js";
import { readPrd } from "../prd-file.js";

export interface VerifyOptions {
  since?: string;
  fix?: boolean;
  json?: boolean;
  md?: boolean;
}

/** A checkbox `--fix` changed. */
interface Fix {
  id: string;
  title: string;
  line: number;
  checked: boolean;
  why: string;
}

/** `csess verify [PRD.md]`: the PRD's claims against the history, optionally fixing the checkboxes. */
export async function verifyCommand(prdArg: string, options: VerifyOptions): Promise<void> {
  if (options.json && options.md) throw new UserError("--json and --md cannot be combined (expected one output format, e.g. --json)");
  const prdPath = resolve(prdArg);
  // git finds the repository while the PRD is read and parsed.
  const opening = openRepo(dirname(prdPath), { requireCommits: true });
  opening.catch(() => undefined); // awaited below; a PRD error comes first
  const tasks = parseOrExplain(await readPrd(prdArg), prdArg);
  const repo = await opening.catch(toUserError);
  const prdRel = relative(repo.root, await realpath(prdPath)).split(sep).join("/");
  if (prdRel.startsWith("..") || isAbsolute(prdRel)) {
    throw new UserError(`${prdArg} is outside the repository ${repo.root} (expected a PRD inside it)`);
  }
  // Without --fix the checkout does not change here: git status runs beside the history pass.
  const uncommittedBefore = options.fix ? undefined : uncommittedChanges(repo.root);
  uncommittedBefore?.catch(() => undefined); // awaited below; only verifyHistory's error may come first
  const report = await verifyHistory({
    root: repo.root,
    tasks,
    prdPath: prdRel,
    ...runFactsFor(repo.root, prdRel),
    ...(options.since === undefined ? {} : { since: options.since }),
  }).catch(toUserError);
  const fixes = options.fix ? await applyFixes(repo.root, prdPath, report.tasks, tasks) : [];
  const verdicts = fixes.length > 0 ? afterFixes(report.tasks, fixes) : report.tasks;
  const lines = new Map(tasks.map((t) => [t.id, t.line]));
  const uncommitted = await (uncommittedBefore ?? uncommittedChanges(repo.root));
  const context: Context = { prd: prdArg, report, verdicts, fixes, uncommitted, lines, branch: repo.branch, fixRequested: options.fix === true };
  const out = options.json ? renderJson(context) : options.md ? renderMarkdown(context) : renderText(context);
  process.stdout.write(out);
  process.exitCode = verdicts.some((t) => t.verdict === "claimed-unverified") ? 1 : 0;
}

function runFactsFor(root: string, prdPath: string) {
  const { outcomes, notEvidence } = runFacts(root, prdPath);
  return { runOutcomes: outcomes, notEvidence };
}

function parseOrExplain(text: string, prdArg: string) {
  try {
    return parsePrd(text).tasks;
  } catch (error) {
    if (error instanceof PrdError) throw new UserError(`cannot read tasks from ${prdArg}: ${error.message}`);
    throw error;
  }
}

function toUserError(error: unknown): never {
  if (error instanceof RepoError || (error instanceof Error && /^--since /.test(error.message))) {
    throw new UserError(error.message);
  }
  throw error;
}

/** Unticks claims git does not back and ticks strongly evidenced work, each a one-character edit. */
async function applyFixes(
  root: string,
  prdPath: string,
  verdicts: TaskVerdict[],
  tasks: ReadonlyArray<{ id: string; line: number }>,
): Promise<Fix[]> {
  const line = new Map(tasks.map((t) => [t.id, t.line]));
  const wanted = verdicts.flatMap((t): Fix[] => {
    if (t.verdict === "claimed-unverified") return [{ id: t.id, title: t.title, line: line.get(t.id) ?? 0, checked: false, why: "no commit shows this work" }];
    if (t.verdict === "done-unclaimed" && (t.evidence === "trailer" || t.evidence === "branch")) {
      return [{ id: t.id, title: t.title, line: line.get(t.id) ?? 0, checked: true, why: t.reason.replace(/^not ticked, but /, "") }];
    }
    return [];
  });
  // The same lock as a running csess: its merges and PRD ticks never interleave with these edits.
  return withRepoLock(root, async () => {
    const done: Fix[] = [];
    for (const fix of wanted) if ((await updatePrdFile(prdPath, fix.id, fix.checked)).changed) done.push(fix);
    return done;
  }, { purpose: "csess verify --fix" });
}

function afterFixes(verdicts: TaskVerdict[], fixes: Fix[]): TaskVerdict[] {
  const byId = new Map(fixes.map((f) => [f.id, f]));
  return verdicts.map((t) => {
    const fix = byId.get(t.id);
    if (!fix) return t;
    return fix.checked
      ? { ...t, checked: true, verdict: "verified", reason: `ticked by --fix: ${fix.why}` }
      : { ...t, checked: false, verdict: "pending", reason: `unticked by --fix: ${fix.why}` };
  });
}

interface Context {
  prd: string;
  report: HistoryReport;
  verdicts: TaskVerdict[];
  fixes: Fix[];
  uncommitted: UncommittedChanges;
  lines: Map<string, number>;
  branch: string | null;
  fixRequested: boolean;
}

function renderJson(c: Context): string {
  const tasks = c.verdicts.map((t) => ({
    id: t.id,
    title: t.title,
    checked: t.checked,
    verdict: t.verdict,
    commits: t.commits,
    iterations: t.iterations,
    evidence: t.evidence,
    grade: t.grade,
    score: t.score,
    insertions: t.insertions,
    deletions: t.deletions,
    branch: t.branch,
    line: c.lines.get(t.id) ?? null,
    reason: t.reason,
  }));
  return (
    JSON.stringify(
      {
        prd: c.prd,
        branch: c.branch,
        head: c.report.head,
        since: c.report.since,
        commitsScanned: c.report.commitsScanned,
        summary: countVerdicts(c.verdicts),
        tasks,
        fixed: c.fixes.map(({ id, title, line, checked }) => ({ id, title, line, checked })),
        unknownTrailers: c.report.unknownTrailers,
        uncommitted: c.uncommitted,
      },
      null,
      2,
    ) + "\n"
  );
}

function renderText(c: Context): string {
  const parts: string[] = [];
  if (c.verdicts.length === 0) {
    parts.push(`No tasks in ${c.prd} (expected GitHub task items such as "- [ ] Add login").`);
  } else {
    parts.push(
      renderTable(
        ["VERDICT", "ID", "TASK", "COMMITS", "+/-", "REASON"],
        c.verdicts.map((t) => [
          t.verdict,
          t.id,
          t.title,
          commitCell(t.commits),
          t.commits.length > 0 ? `+${t.insertions} -${t.deletions}` : "",
          t.reason,
        ]),
        60,
      ),
    );
    const range = c.report.since ? `${c.report.since.slice(0, 7)}..${c.report.head.slice(0, 7)}` : `history of ${c.branch ?? c.report.head.slice(0, 7)}`;
    parts.push(`\n${summarizeVerdicts(c.verdicts)} (${c.report.commitsScanned} commits in ${range})`);
  }
  if (c.fixes.length > 0) {
    parts.push(`\nChanged ${c.prd}:`);
    for (const f of c.fixes) parts.push(`  line ${f.line}: ${f.checked ? "ticked" : "unticked"} "${f.title}" (${f.why})`);
  } else if (c.fixRequested) {
    parts.push(`\nNothing to fix in ${c.prd}.`);
  }
  const weak = c.verdicts.filter((t) => t.verdict === "done-unclaimed" && t.evidence === "message").length;
  const claimed = c.verdicts.filter((t) => t.verdict === "claimed-unverified").length;
  if (claimed > 0 && !c.fixRequested) parts.push(`\n${claimed} ticked without evidence: \`csess verify ${c.prd} --fix\` unticks them.`);
  if (weak > 0) parts.push(`${weak} look done by commit message only (weak): review and tick them by hand.`);
  if (c.report.unknownTrailers.length > 0) {
    const ids = [...new Set(c.report.unknownTrailers.map((u) => u.taskId))].join(", ");
    parts.push(`Commits name task ids this PRD does not have: ${ids}.`);
  }
  parts.push(uncommittedText(c.uncommitted));
  return parts.join("\n") + "\n";
}

function renderMarkdown(c: Context): string {
  const parts = [renderVerdictsMarkdown(c.verdicts, `csess verify ${c.prd}`)];
  if (c.fixes.length > 0) {
    parts.push(`**Changed by --fix:**\n\n${c.fixes.map((f) => `- line ${f.line}: ${f.checked ? "ticked" : "unticked"} ${f.title}`).join("\n")}\n`);
  }
  if (!c.uncommitted.clean) parts.push("**Uncommitted changes:**\n\n```\n" + uncommittedText(c.uncommitted).split("\n").slice(2).join("\n") + "\n```\n");
  return parts.join("\n");
}

function uncommittedText(u: UncommittedChanges): string {
  if (u.clean) return "\nWorking tree clean: nothing uncommitted.";
  const lines = ["\nUncommitted changes (not counted as evidence):"];
  if (u.diffStat) lines.push(u.diffStat);
  if (u.untracked.length > 0) lines.push(`untracked: ${u.untracked.slice(0, 10).join(", ")}${u.untracked.length > 10 ? `, and ${u.untracked.length - 10} more` : ""}`);
  return lines.join("\n");
}

function commitCell(commits: string[]): string {
  if (commits.length === 0) return "-";
  const first = commits[0]!.slice(0, 7);
  return commits.length === 1 ? first : `${first} +${commits.length - 1}`;
}
