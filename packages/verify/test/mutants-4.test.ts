import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parsePrd } from "@csess/prd";
import { countVerdicts, gatherEvidence, judgeTask, reconcile, renderVerdictsMarkdown, runCheck, summarizeVerdicts, type TaskFindings } from "../src/index.js";
import { addNumstat, addStats, readCommits } from "../src/log.js";
import { GIT_ENV, makeRepo, type TestRepo } from "./helpers.js";

// Behaviour the csess runner and a person reading `csess verify` rely on, one group per module:
// why a task branch is (not) evidence, what a check run reports, how commits and trailers are read,
// and the verdict and reason each task gets.

const PRD = "# Plan\n\n- [ ] Create the login API endpoint\n- [x] Add a logout button\n";
const [LOGIN, LOGOUT] = parsePrd(PRD).tasks.map((t) => t.id) as [string, string];

let repo: TestRepo;
let base: string;
beforeEach(() => {
  repo = makeRepo();
  base = repo.commit("init", { "PRD.md": PRD, "src/app.ts": "export const a = 1;\nexport const b = 2;\n" });
});
afterEach(() => repo.cleanup());

/** A task branch from `base`, checked out in the main worktree; commits go onto it. */
function onBranch(name = "csess/r1/login"): string {
  repo.git(["checkout", "-q", "-b", name, base]);
  return name;
}

const evidenceOf = (branch: string, extra: { taskId?: string; prdPath?: string; worktreePath?: string } = {}) =>
  gatherEvidence({ root: repo.root, base, branch, taskId: extra.taskId ?? LOGIN, prdPath: extra.prdPath ?? "PRD.md", ...(extra.worktreePath ? { worktreePath: extra.worktreePath } : {}) });

describe("gatherEvidence: why a task branch is no evidence, in words", () => {
  it("a deleted branch is gone: no commits, no tick read, no grade", async () => {
    const evidence = await evidenceOf("csess/r1/deleted");
    expect(evidence).toMatchObject({
      problem: "its branch is gone (the agent deleted it)",
      grade: null,
      commits: [],
      prdTicked: null,
      netChange: { files: [], insertions: 0, deletions: 0 },
      insertions: 0,
      deletions: 0,
    });
  });

  it("a branch with history unrelated to its base is refused and shows no net change", async () => {
    repo.git(["checkout", "-q", "--orphan", "csess/r1/orphan"]);
    repo.commit(`rewrote everything\n\nCsess-Task: ${LOGIN}`, { "src/new.ts": "x\n" });
    const evidence = await evidenceOf("csess/r1/orphan");
    expect(evidence.problem).toBe("its branch shares no history with the commit it started from");
    expect(evidence.grade).toBeNull();
    expect(evidence.netChange).toEqual({ files: [], insertions: 0, deletions: 0 });
  });

  it("a base that is no commit is git's error, never taken for a branch without shared history", async () => {
    const branch = onBranch();
    repo.commit("work", { "src/app.ts": "export const a = 10;\n" });
    const missing = "0123456789abcdef0123456789abcdef01234567";
    await expect(gatherEvidence({ root: repo.root, base: missing, branch, taskId: LOGIN, prdPath: "PRD.md" }))
      .rejects.toThrow(/evidence of csess\/r1\/login.*(bad object|bad revision|Invalid revision|unknown revision)/s);
  });

  it("a branch still at its base has no commit", async () => {
    const branch = onBranch();
    const evidence = await evidenceOf(branch);
    expect(evidence).toMatchObject({ problem: "no commit on the task branch", grade: null, commits: [], prdTicked: false });
  });

  it("a commit naming other tasks in its trailer is a mismatch, named with its short hash and every task", async () => {
    const branch = onBranch();
    repo.commit("plain work", { "src/plain.ts": "p\n" });
    const wrong = repo.commit("work for others\n\nCsess-Task: aaaaaa\nCsess-Task: bbbbbb", { "src/login.ts": "l\n" });
    const evidence = await evidenceOf(branch);
    expect(evidence.mismatched).toEqual([{ commit: wrong, taskIds: ["aaaaaa", "bbbbbb"] }]);
    expect(evidence.problem).toBe(
      `commit ${wrong.slice(0, 10)} on its branch names task aaaaaa, bbbbbb in its Csess-Task trailer (a mismatch: nobody's evidence)`,
    );
    expect(evidence.grade).toBeNull();
  });

  it("a commit naming its own task besides another is no mismatch", async () => {
    const branch = onBranch();
    const both = repo.commit(`shared work\n\nCsess-Task: ${LOGIN}\nCsess-Task: ${LOGOUT}`, { "src/shared.ts": "s\n" });
    const evidence = await evidenceOf(branch);
    expect(evidence.mismatched).toEqual([]);
    expect(evidence.trailerCommits).toEqual([both]);
    expect(evidence).toMatchObject({ problem: null, grade: "strong" });
  });

  it("empty commits: counted in the reason, one or several", async () => {
    const branch = onBranch();
    repo.commit("nothing");
    expect((await evidenceOf(branch)).problem).toBe("1 commit on its branch, all empty");
    repo.commit("still nothing");
    expect((await evidenceOf(branch)).problem).toBe("2 commits on its branch, all empty");
  });

  it("commits that only tick the PRD are not work", async () => {
    const branch = onBranch();
    repo.commit("tick", { "PRD.md": PRD.replace("- [ ] Create", "- [x] Create") });
    const evidence = await evidenceOf(branch);
    expect(evidence.problem).toBe("1 commit on its branch only change PRD.md (ticking a box is not work)");
    expect(evidence.prdTicked).toBe(true);
    expect(evidence.grade).toBeNull();
  });

  it("commits that only change csess's own paths (and the PRD) are not work", async () => {
    const branch = onBranch();
    repo.commit("state", { ".csess/state.json": "{}\n" });
    repo.commit("tick", { "PRD.md": PRD.replace("- [ ] Create", "- [x] Create") });
    const evidence = await evidenceOf(branch);
    expect(evidence.problem).toBe("2 commits on its branch only change csess's own paths (.csess/)");
    expect(evidence.netChange.files).toEqual([]);
  });

  it("whitespace-only edits, blank lines and work undone again are no net change", async () => {
    const branch = onBranch();
    repo.commit("reindent", { "src/app.ts": "export  const a = 1;\n\n\nexport const b = 2;   \n" });
    const evidence = await evidenceOf(branch);
    expect(evidence.problem).toBe("1 commit on its branch, but no net change (whitespace only, or undone again)");
    expect(evidence.netChange).toEqual({ files: [], insertions: 0, deletions: 0 });
    repo.commit("add", { "src/tmp.ts": "t\n" });
    repo.git(["rm", "-q", "src/tmp.ts"]);
    repo.commit("remove again");
    expect((await evidenceOf(branch)).problem).toBe("3 commits on its branch, but no net change (whitespace only, or undone again)");
  });

  it("csess's own paths beside a whitespace-only edit: still no net change, not only csess's paths", async () => {
    const branch = onBranch();
    repo.commit("state and reindent", { ".csess/state.json": "{}\n", "src/app.ts": "export  const a = 1;\nexport const b = 2;\n" });
    expect((await evidenceOf(branch)).problem).toBe("1 commit on its branch, but no net change (whitespace only, or undone again)");
  });
});

describe("gatherEvidence: what the task would really land", () => {
  it("counts the net change without the PRD and csess's paths; the trailer makes it strong", async () => {
    const branch = onBranch();
    const first = repo.commit(`login\n\nCsess-Task: ${LOGIN}`, { "src/login.ts": "a\nb\nc\n", ".csess/note.md": "n\n", "PRD.md": PRD.replace("- [ ] Create", "- [x] Create") });
    const second = repo.commit("trim", { "src/login.ts": "a\nc\n", "src/app.ts": "export const a = 1;\n" });
    const evidence = await evidenceOf(branch);
    expect(evidence.commits.map((c) => c.hash)).toEqual([second, first]);
    expect(evidence.trailerCommits).toEqual([first]);
    expect(evidence.netChange).toEqual({ files: ["src/app.ts", "src/login.ts"], insertions: 2, deletions: 1 });
    expect(evidence).toMatchObject({ insertions: 2, deletions: 1, problem: null, grade: "strong", prdTicked: true, mismatched: [] });
  });

  it("a real change without the trailer is medium evidence", async () => {
    const branch = onBranch();
    repo.commit("login", { "src/login.ts": "a\n" });
    expect(await evidenceOf(branch)).toMatchObject({ problem: null, grade: "medium", trailerCommits: [] });
  });

  it("a renamed file counts as the old path removed and the new one added", async () => {
    const branch = onBranch();
    repo.git(["mv", "src/app.ts", "src/main.ts"]);
    repo.commit("rename");
    expect((await evidenceOf(branch)).netChange).toEqual({ files: ["src/app.ts", "src/main.ts"], insertions: 2, deletions: 2 });
  });

  it("an absolute PRD path is read and left out like a relative one", async () => {
    const branch = onBranch();
    repo.commit("work and tick", { "src/login.ts": "a\n", "PRD.md": PRD.replace("- [ ] Create", "- [x] Create") });
    const evidence = await evidenceOf(branch, { prdPath: join(repo.root, "PRD.md") });
    expect(evidence.prdTicked).toBe(true);
    expect(evidence.netChange.files).toEqual(["src/login.ts"]);
  });

  it("a branch reset below its base is judged on what it adds since the fork, not on what it dropped", async () => {
    repo.git(["checkout", "-q", "main"]);
    const parent = base;
    base = repo.commit("later on main", { "src/late.ts": "late\n" });
    repo.git(["checkout", "-q", "-b", "csess/r1/old", parent]);
    repo.commit("work", { "src/login.ts": "a\n" });
    const evidence = await evidenceOf("csess/r1/old");
    expect(evidence.netChange.files).toEqual(["src/login.ts"]);
    expect(evidence.problem).toBeNull();
  });

  it("reads the tick from the worktree's copy on disk; a missing copy or a missing task is no claim", async () => {
    const branch = onBranch();
    repo.commit("work", { "src/login.ts": "a\n" });
    const wt = mkdtempSync(join(tmpdir(), "csess-mut4-wt-"));
    try {
      expect((await evidenceOf(branch, { worktreePath: wt })).prdTicked).toBeNull();
      repo.write("PRD.md", PRD.replace("- [x] Add", "- [ ] Add").replace("- [ ] Create", "- [x] Create"), wt);
      expect((await evidenceOf(branch, { worktreePath: wt })).prdTicked).toBe(true);
      expect((await evidenceOf(branch, { worktreePath: wt, taskId: LOGOUT })).prdTicked).toBe(false);
      expect((await evidenceOf(branch, { worktreePath: wt, taskId: "zzzzzz" })).prdTicked).toBeNull();
    } finally {
      rmSync(wt, { recursive: true, force: true });
    }
    // The committed copy, when the branch has no PRD at all.
    repo.git(["rm", "-q", "PRD.md"]);
    repo.commit("drop the PRD");
    expect((await evidenceOf(branch)).prdTicked).toBeNull();
  });
});

/** The promise's outcome, or a failure after `ms` (a hang fails fast instead of waiting for the test's limit). */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

describe("runCheck: what a person reads about the user's check", () => {
  it("keeps the last 40 lines by default, or as many as asked", async () => {
    const script = "i=1; while [ $i -le 50 ]; do echo line $i; i=$((i+1)); done";
    const all = await runCheck({ cwd: repo.root, command: script });
    expect(all.tail.split("\n")).toEqual(Array.from({ length: 40 }, (_, i) => `line ${i + 11}`));
    expect((await runCheck({ cwd: repo.root, command: script, tailLines: 2 })).tail).toBe("line 49\nline 50");
  });

  it("a huge output still ends with the command's last words", async () => {
    // One big write, read in pipe-sized chunks: what is kept stays bounded however much is printed.
    const result = await runCheck({ cwd: repo.root, command: `"${process.execPath}" -e "process.stdout.write('x'.repeat(400000) + '\\nthe end\\n')"` });
    expect(result.passed).toBe(true);
    expect(result.tail.endsWith("\nthe end")).toBe(true);
    expect(result.tail.length).toBeLessThanOrEqual(64_000);
  });

  it("a last line of up to 64,000 characters is kept whole", async () => {
    const result = await runCheck({ cwd: repo.root, command: `"${process.execPath}" -e "process.stdout.write('y'.repeat(64000))"` });
    expect(result.tail).toBe("y".repeat(64000));
  });

  it("a check that reads its input gets none, instead of waiting forever", async () => {
    const result = await within(15_000, runCheck({ cwd: repo.root, command: "cat; echo done" }));
    expect(result).toMatchObject({ passed: true, tail: "done" });
  });

  it("a check that ignores SIGTERM is still stopped at its timeout", async () => {
    const result = await runCheck({ cwd: repo.root, command: "trap '' TERM; sleep 30 & sleep 30", timeoutMs: 300 });
    expect(result).toMatchObject({ passed: false, timedOut: true });
    expect(result.durationMs).toBeLessThan(15_000);
  });

  it("runs with the environment it is given, and reports how long it took", async () => {
    const result = await runCheck({ cwd: repo.root, command: 'sleep 0.2; echo "mode=$CSESS_MUT4"', env: { ...process.env, CSESS_MUT4: "ci" } });
    expect(result).toMatchObject({ command: 'sleep 0.2; echo "mode=$CSESS_MUT4"', passed: true, exitCode: 0, timedOut: false, tail: "mode=ci" });
    expect(result.durationMs).toBeGreaterThanOrEqual(150);
    expect(result.durationMs).toBeLessThan(30_000);
  });

  it("a timed-out check returns at once: the command's background children are killed with it", async () => {
    const result = await runCheck({ cwd: repo.root, command: "sleep 30 & sleep 30; echo never", timeoutMs: 300 });
    expect(result).toMatchObject({ passed: false, exitCode: null, timedOut: true });
    expect(result.durationMs).toBeLessThan(15_000);
  });

  it("a folder that does not exist is an error, not a failed check", async () => {
    await expect(within(15_000, runCheck({ cwd: join(repo.root, "no-such-dir"), command: "true" }))).rejects.toThrow(/ENOENT/);
  });
});

describe("readCommits / addStats / addNumstat: the commits and trailers git shows", () => {
  it("reads trailers case-insensitively with spaces or tabs around the id, one task per line", async () => {
    const hash = repo.commit("  Subject with spaces  \n\nbody\n\ncsess-task:\tabc123  \nCSESS-TASK: def456\nCsess-Task:ghi789\nCsess-Task:   jkl012\nX-Csess-Task: nope01\nCsess-Task: two words\n  Csess-Task: indented\n");
    const [commit] = await readCommits(repo.root, [`${base}..${hash}`]);
    expect(commit).toMatchObject({ hash, parents: [base], subject: "Subject with spaces", taskIds: ["abc123", "def456", "ghi789", "jkl012"], files: [] });
    expect(commit!.message.endsWith("Csess-Task: indented")).toBe(true);
  });

  it("a root commit has no parents; binary files count no lines", async () => {
    repo.write("logo.png", "\u0000\u0001binary\u0000");
    repo.git(["add", "logo.png"]);
    const bin = repo.commit("logo");
    const commits = await readCommits(repo.root, ["HEAD"]);
    expect(commits.map((c) => c.hash)).toEqual([bin, base]);
    expect(commits[0]).toMatchObject({ files: ["logo.png"], insertions: 0, deletions: 0 });
    expect(commits[1]).toMatchObject({ parents: [], files: ["PRD.md", "src/app.ts"], insertions: 6 });
  });

  it("without stats, then addStats fills files and counts of every commit, more than 200 included", async () => {
    // 205 commits in one fast-import, each adding a file of n+1 lines.
    const stream = Array.from({ length: 205 }, (_, n) => {
      const data = "x\n".repeat(n + 1);
      return `commit refs/heads/many\ncommitter T <t@example.com> ${1_700_000_000 + n} +0000\ndata 2\nc\n${n === 0 ? `from ${base}\n` : ""}M 100644 inline f${n}.txt\ndata ${data.length}\n${data}\n`;
    }).join("");
    execFileSync("git", ["fast-import", "--quiet"], { cwd: repo.root, env: GIT_ENV, input: stream });
    const commits = await readCommits(repo.root, [`${base}..many`], { stats: false });
    expect(commits).toHaveLength(205);
    expect(commits.every((c) => c.files.length === 0 && c.insertions === 0)).toBe(true);
    await addStats(repo.root, commits);
    const n = (c: { files: string[] }) => Number(c.files[0]!.slice(1, -4));
    expect(commits.every((c) => c.files.length === 1 && c.insertions === n(c) + 1 && c.deletions === 0)).toBe(true);
  });

  it("addNumstat sums lines, counts binary files as 0 and skips lines that are not entries", () => {
    const total = { files: ["a"], insertions: 1, deletions: 1 };
    addNumstat(total, "3\t1\tsrc/x.ts\n-\t-\timg.png\n\n2\t0\tsrc/y.ts\n");
    expect(total).toEqual({ files: ["a", "src/x.ts", "img.png", "src/y.ts"], insertions: 6, deletions: 2 });
  });
});

describe("judgeTask / reconcile: each task's verdict and the reason a person reads", () => {
  const ticked = { id: "t1", title: "Ticked task", checked: true };
  const open = { id: "t2", title: "Open task", checked: false };
  const trailer = (extra: Partial<TaskFindings> = {}): TaskFindings => ({ commits: ["c1"], evidence: "trailer", ...extra });

  it("copies the task and its findings into the verdict, with defaults for what is unknown", () => {
    expect(judgeTask(ticked, { commits: [], evidence: null })).toEqual({
      id: "t1", title: "Ticked task", checked: true, verdict: "claimed-unverified", reason: "ticked, but no commit shows this work",
      commits: [], evidence: null, grade: null, score: null, iterations: null, insertions: 0, deletions: 0, branch: null,
    });
    expect(judgeTask(open, { commits: ["c1", "c2"], evidence: "message", score: 0.8, insertions: 5, deletions: 2, iterations: 3, branch: "feat/x" })).toEqual({
      id: "t2", title: "Open task", checked: false, verdict: "done-unclaimed", reason: "not ticked, but 2 commits whose message matches (score 0.80, weak)",
      commits: ["c1", "c2"], evidence: "message", grade: "weak", score: 0.8, iterations: 3, insertions: 5, deletions: 2, branch: "feat/x",
    });
  });

  it("evidence kinds and grades: trailer strong, branch medium, message weak; no commits means no evidence", () => {
    expect(judgeTask(ticked, trailer())).toMatchObject({ verdict: "verified", reason: "ticked; 1 commit with the Csess-Task trailer", evidence: "trailer", grade: "strong" });
    expect(judgeTask(ticked, { commits: ["c1", "c2"], evidence: "branch", branch: "csess/r1/x" })).toMatchObject({
      verdict: "verified", reason: "ticked; 2 commits on branch csess/r1/x", evidence: "branch", grade: "medium",
    });
    expect(judgeTask(ticked, { commits: ["c1"], evidence: "branch" }).reason).toBe("ticked; 1 commit on its branch");
    expect(judgeTask(ticked, { commits: ["c1"], evidence: "message" }).reason).toBe("ticked; 1 commit whose message matches (score 0.00, weak)");
    expect(judgeTask(ticked, { commits: ["c1"], evidence: "children" })).toMatchObject({ reason: "ticked; its sub-tasks have evidence", grade: "strong" });
    expect(judgeTask(ticked, { commits: ["c1"], evidence: "message" }).grade).toBe("weak");
    // A kind without commits is nothing to show.
    expect(judgeTask(open, { commits: [], evidence: "trailer" })).toMatchObject({ verdict: "pending", evidence: null, grade: null });
    // Commits without a kind are no evidence either.
    expect(judgeTask(ticked, { commits: ["c1"], evidence: null })).toMatchObject({ verdict: "claimed-unverified", evidence: null, grade: null });
  });

  it("a claim made only in the worktree counts like a ticked box, and says where it was made", () => {
    expect(judgeTask(open, trailer({ claimed: true }))).toMatchObject({ verdict: "verified", reason: "claimed in its worktree; 1 commit with the Csess-Task trailer" });
    expect(judgeTask(open, { commits: [], evidence: null, claimed: true })).toMatchObject({ verdict: "claimed-unverified", reason: "claimed in its worktree, but no commit shows this work" });
    expect(judgeTask(open, trailer({ claimed: false }))).toMatchObject({ verdict: "done-unclaimed", reason: "not ticked, but 1 commit with the Csess-Task trailer" });
  });

  it("the check decides: a passing one is named, a failing one fails the work with how it ended", () => {
    const check = (passed: boolean, exitCode: number | null, timedOut?: boolean) => ({ command: "pnpm test", passed, exitCode, ...(timedOut === undefined ? {} : { timedOut }) });
    expect(judgeTask(ticked, trailer({ check: check(true, 0) })).reason).toBe("ticked; 1 commit with the Csess-Task trailer, check `pnpm test` passed");
    expect(judgeTask(open, trailer({ check: check(true, 0) })).reason).toBe("not ticked, but 1 commit with the Csess-Task trailer, check `pnpm test` passed");
    expect(judgeTask(ticked, trailer({ check: check(false, 2) }))).toMatchObject({ verdict: "failed", reason: "1 commit with the Csess-Task trailer, but check `pnpm test` exited 2" });
    expect(judgeTask(ticked, trailer({ check: check(false, null) })).reason).toBe("1 commit with the Csess-Task trailer, but check `pnpm test` exited by signal");
    expect(judgeTask(ticked, trailer({ check: check(false, null, true) })).reason).toBe("1 commit with the Csess-Task trailer, but check `pnpm test` timed out");
    expect(judgeTask(ticked, trailer({ check: check(false, 1, false) })).reason).toBe("1 commit with the Csess-Task trailer, but check `pnpm test` exited 1");
    // No evidence: a failing check changes nothing about the claim.
    expect(judgeTask(ticked, { commits: [], evidence: null, check: check(false, 1) }).verdict).toBe("claimed-unverified");
  });

  it("the run's outcomes: skipped and conflict stand over evidence; failed and rate-limited only without a claim", () => {
    expect(judgeTask(ticked, trailer({ outcome: "skipped" }))).toMatchObject({ verdict: "skipped", reason: "skipped" });
    expect(judgeTask(ticked, trailer({ outcome: "conflict", branch: "csess/r1/x" }))).toMatchObject({
      verdict: "conflict", reason: "work on branch csess/r1/x conflicts with the integration branch; branch kept",
    });
    expect(judgeTask(open, { commits: [], evidence: null, outcome: "conflict" }).reason).toBe("work conflicts with the integration branch; branch kept");
    expect(judgeTask(open, { commits: [], evidence: null, outcome: "failed" })).toMatchObject({ verdict: "failed", reason: "no commit shows this work" });
    expect(judgeTask(open, { commits: [], evidence: null, outcome: "rate-limited" })).toMatchObject({ verdict: "rate-limited", reason: "stopped by rate limits before finishing" });
    expect(judgeTask(ticked, { commits: [], evidence: null, outcome: "failed" }).verdict).toBe("claimed-unverified");
    expect(judgeTask(open, trailer({ outcome: "failed" })).verdict).toBe("done-unclaimed");
    expect(judgeTask(open, { commits: [], evidence: null })).toMatchObject({ verdict: "pending", reason: "not ticked, no commits" });
  });

  it("the runner's note is added to the reason", () => {
    expect(judgeTask(open, { commits: [], evidence: null, outcome: "failed", note: "agent exited 1 in all 3 iterations" }).reason).toBe(
      "no commit shows this work; agent exited 1 in all 3 iterations",
    );
  });

  it("takes findings from a Map or a plain record; tasks without findings are judged on their box", () => {
    const tasks = [ticked, open];
    expect(reconcile(tasks, new Map([["t2", trailer()]])).map((v) => v.verdict)).toEqual(["claimed-unverified", "done-unclaimed"]);
    expect(reconcile(tasks, { t1: trailer() }).map((v) => v.verdict)).toEqual(["verified", "pending"]);
  });
});

describe("reconcile: a parent that only groups sub-tasks", () => {
  const tree = (parentChecked: boolean) => [
    { id: "p", title: "Parent", checked: parentChecked, parentId: null },
    { id: "a", title: "A", checked: true, parentId: "p" },
    { id: "g", title: "Group", checked: false, parentId: "p" },
    { id: "g1", title: "G1", checked: false, parentId: "g" },
    { id: "b", title: "B", checked: false, parentId: "p" },
  ];
  const work = (hash: string, insertions: number, deletions: number): TaskFindings => ({ commits: [hash], evidence: "trailer", insertions, deletions });

  it("is done when every sub-task, nested groups included, has evidence; sums their commits and lines", () => {
    const findings = { a: work("ca", 3, 1), g1: { ...work("cg", 2, 0), commits: ["cg", "ca"] }, b: work("cb", 1, 4) };
    const [parent, , group] = reconcile(tree(true), findings);
    expect(group).toMatchObject({ verdict: "done-unclaimed", reason: "not ticked, but all 1 sub-task have evidence", evidence: "children", grade: "strong", commits: ["cg", "ca"], insertions: 2, deletions: 0 });
    expect(parent).toMatchObject({ verdict: "verified", reason: "ticked; all 3 sub-tasks have evidence", evidence: "children", grade: "strong", insertions: 6, deletions: 5 });
    expect(parent!.commits).toEqual(["ca", "cg", "cb"]);
    expect(reconcile(tree(false), findings)[0]).toMatchObject({ verdict: "done-unclaimed", reason: "not ticked, but all 3 sub-tasks have evidence" });
  });

  it("keeps its own verdict while a sub-task has no evidence (a claim without work is not evidence)", () => {
    const verdicts = reconcile(tree(true), { a: work("ca", 1, 0), b: work("cb", 1, 0) });
    expect(verdicts[2]!.verdict).toBe("pending");
    expect(verdicts[0]).toMatchObject({ verdict: "claimed-unverified", evidence: null, grade: null, commits: [] });
    const claimedOnly = reconcile(tree(true), { a: { commits: [], evidence: null }, g1: work("cg", 1, 0), b: work("cb", 1, 0) });
    expect(claimedOnly[1]!.verdict).toBe("claimed-unverified");
    expect(claimedOnly[0]!.verdict).toBe("claimed-unverified");
  });

  it("a parent with its own evidence, or its own run outcome, is judged on that, not on its sub-tasks", () => {
    const all = { a: work("ca", 1, 0), g1: work("cg", 1, 0), b: work("cb", 1, 0) };
    const own = reconcile(tree(true), { ...all, p: work("cp", 7, 0) })[0]!;
    expect(own).toMatchObject({ verdict: "verified", evidence: "trailer", commits: ["cp"], insertions: 7 });
    const failed = reconcile(tree(false), { ...all, p: { commits: [], evidence: null, outcome: "failed" } })[0]!;
    expect(failed).toMatchObject({ verdict: "failed", evidence: null });
  });

  it("only a task's own sub-tasks count toward it, not its siblings'", () => {
    const tasks = [
      { id: "x", title: "X", checked: false },
      { id: "x1", title: "X1", checked: false, parentId: "x" },
      { id: "y", title: "Y", checked: false },
      { id: "y1", title: "Y1", checked: false, parentId: "y" },
    ];
    const verdicts = reconcile(tasks, { x1: work("c1", 1, 0) });
    expect(verdicts.map((v) => v.verdict)).toEqual(["done-unclaimed", "done-unclaimed", "pending", "pending"]);
  });
});

describe("the verdict table pasted into a pull request", () => {
  it("escapes every pipe and line break in titles and reasons; work with no line changes still shows +0 −0", () => {
    const [row] = reconcile([{ id: "t1", title: "a | b | c\nd", checked: true }], { t1: { commits: ["0123456789"], evidence: "trailer", note: "x|y\nz\r\nw" } });
    const md = renderVerdictsMarkdown([row!]);
    expect(md.split("\n")[6]).toBe("| `verified` | a \\| b \\| c d | `0123456` | +0 −0 | ticked; 1 commit with the Csess-Task trailer; x\\|y z w |");
    expect(summarizeVerdicts([row!])).toBe("1 verified");
    expect(countVerdicts([row!, row!]).verified).toBe(2);
  });
});
