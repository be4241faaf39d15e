import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parsePrd, setTaskChecked } from "@csess/prd";
import { addTaskWorktree, gatherEvidence, reconcile, runCheck, type TaskFindings } from "../src/index.js";
import { makeRepo, type TestRepo } from "./helpers.js";

const PRD = "# Plan\n\n- [ ] Create the login API endpoint\n- [ ] Add a logout button\n- [ ] Write the README\n- [ ] Set up CI\n";

let repo: TestRepo;
let base: string;
const ids = parsePrd(PRD).tasks.map((t) => t.id);

beforeEach(() => {
  repo = makeRepo();
  base = repo.commit("init", { "PRD.md": PRD, "src/app.ts": "export {};\n" });
});
afterEach(() => repo.cleanup());

/** One task's worktree, where the "agent" may commit and/or tick its PRD copy. */
async function runTask(index: number, work: { commit: boolean; tick: boolean }) {
  const id = ids[index]!;
  const wt = await addTaskWorktree({ root: repo.root, runId: "r1", slug: `task-${index}`, base });
  if (work.commit) repo.commit(`feat: task ${index}\n\nCsess-Task: ${id}`, { [`src/t${index}.ts`]: `export const t = ${index};\n` }, wt.path);
  if (work.tick) repo.write("PRD.md", setTaskChecked(repo.read("PRD.md", wt.path), id, true), wt.path);
  const evidence = await gatherEvidence({ root: repo.root, base, branch: wt.branch, taskId: id, prdPath: "PRD.md", worktreePath: wt.path });
  return { wt, evidence };
}

function findingsOf(evidence: Awaited<ReturnType<typeof gatherEvidence>>, extra: Partial<TaskFindings> = {}): TaskFindings {
  return {
    commits: evidence.commits.map((c) => c.hash),
    evidence: evidence.commits.length > 0 ? (evidence.trailerCommits.length > 0 ? "trailer" : "branch") : null,
    claimed: evidence.prdTicked === true,
    insertions: evidence.insertions,
    deletions: evidence.deletions,
    ...extra,
  };
}

describe("evidence and verdicts for a task run in its worktree", () => {
  it("gives each of the four basic verdicts from commits and the agent's tick", async () => {
    const cases = [
      { commit: false, tick: true, verdict: "claimed-unverified" },
      { commit: true, tick: false, verdict: "done-unclaimed" },
      { commit: true, tick: true, verdict: "verified" },
      { commit: false, tick: false, verdict: "pending" },
    ] as const;
    const findings = new Map<string, TaskFindings>();
    for (const [i, c] of cases.entries()) {
      const { evidence } = await runTask(i, c);
      expect(evidence.prdTicked).toBe(c.tick);
      expect(evidence.commits).toHaveLength(c.commit ? 1 : 0);
      findings.set(ids[i]!, findingsOf(evidence));
    }
    const verdicts = reconcile(parsePrd(PRD).tasks, findings);
    expect(verdicts.map((v) => v.verdict)).toEqual(cases.map((c) => c.verdict));
    const verified = verdicts[2]!;
    expect(verified).toMatchObject({ evidence: "trailer", insertions: 1, deletions: 0, checked: false });
    expect(verified.reason).toMatch(/1 commit with the Csess-Task trailer/);
    expect(verdicts[0]!.reason).toMatch(/no commit/);
  });

  it("records each commit's subject, files, line counts and trailer", async () => {
    const { evidence } = await runTask(0, { commit: true, tick: false });
    expect(evidence.commits[0]).toMatchObject({ subject: "feat: task 0", files: ["src/t0.ts"], insertions: 1, deletions: 0, taskIds: [ids[0]] });
    expect(evidence.trailerCommits).toEqual([evidence.commits[0]!.hash]);
  });

  it("does not verify work whose check command fails, and keeps the check's last lines", async () => {
    const { wt, evidence } = await runTask(2, { commit: true, tick: true });
    const failing = await runCheck({ cwd: wt.path, command: "echo compiling; echo '1 test failed' >&2; exit 3" });
    expect(failing).toMatchObject({ passed: false, exitCode: 3, timedOut: false });
    expect(failing.tail).toBe("compiling\n1 test failed");
    const passing = await runCheck({ cwd: wt.path, command: "test -f src/t2.ts" });
    expect(passing.passed).toBe(true);

    const [failed] = reconcile([{ id: ids[2]!, title: "t", checked: false }], { [ids[2]!]: findingsOf(evidence, { check: failing }) });
    expect(failed).toMatchObject({ verdict: "failed" });
    expect(failed!.reason).toContain("exited 3");
    const [ok] = reconcile([{ id: ids[2]!, title: "t", checked: false }], { [ids[2]!]: findingsOf(evidence, { check: passing }) });
    expect(ok!.verdict).toBe("verified");
  });

  it("kills a check that runs past its timeout, children included", async () => {
    const result = await runCheck({ cwd: repo.root, command: "sleep 30 & sleep 30; echo never", timeoutMs: 300 });
    expect(result).toMatchObject({ passed: false, exitCode: null, timedOut: true });
  });

  it("counts only the task's own commits when main moved on after the fork", async () => {
    const { wt } = await runTask(1, { commit: true, tick: false });
    repo.commit("main: unrelated work", { "src/other.ts": "x\n" });
    repo.commit("main: more work", { "src/more.ts": "y\n" });
    repo.commit(`feat: second commit on task\n\nCsess-Task: ${ids[1]}`, { "src/t1b.ts": "z\n" }, wt.path);
    // The agent also merges main into its branch: main's commits are still not the task's.
    repo.git(["merge", "-q", "--no-edit", "main"], wt.path);

    const evidence = await gatherEvidence({ root: repo.root, base, branch: wt.branch, taskId: ids[1]!, prdPath: "PRD.md" });
    const subjects = evidence.commits.map((c) => c.subject);
    expect(subjects).not.toContain("main: unrelated work");
    expect(subjects).not.toContain("main: more work");
    expect(subjects).toContain("feat: task 1");
    expect(subjects).toContain("feat: second commit on task");
    expect(evidence.trailerCommits).toHaveLength(2);
  });

  it("reads the tick from the branch's committed PRD when no worktree is given", async () => {
    const { wt } = await runTask(3, { commit: false, tick: true });
    repo.git(["commit", "-q", "-am", "tick"], wt.path);
    const evidence = await gatherEvidence({ root: repo.root, base, branch: wt.branch, taskId: ids[3]!, prdPath: "PRD.md" });
    expect(evidence.prdTicked).toBe(true);
    const other = await gatherEvidence({ root: repo.root, base, branch: wt.branch, taskId: ids[0]!, prdPath: "PRD.md" });
    expect(other.prdTicked).toBe(false);
  });
});
