import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parsePrd } from "@csess/prd";
import { verifyHistory, type RunOutcome, type TaskVerdict } from "../src/index.js";
import { matchBranch } from "../src/history.js";
import { makeRepo, type TestRepo } from "./helpers.js";

const PRD = [
  "# Sprint",
  "",
  "- [x] Create the login API endpoint",
  "- [x] Add a logout button to the header",
  "- [ ] Rate-limit the login endpoint",
  "- [ ] Migrate the database to Postgres",
  "",
].join("\n");
const tasks = parsePrd(PRD).tasks;
const id = (title: string) => tasks.find((t) => t.title.startsWith(title))!.id;
const LOGIN = id("Create the login");
const LOGOUT = id("Add a logout");
const LIMIT = id("Rate-limit");
const MIGRATE = id("Migrate");

let repo: TestRepo;
beforeEach(() => {
  repo = makeRepo();
  repo.commit("init", { "PRD.md": PRD, "src/index.ts": "\n" });
});
afterEach(() => repo.cleanup());

const verdictOf = (report: { tasks: TaskVerdict[] }, taskId: string) => report.tasks.find((t) => t.id === taskId)!;
const verify = (extra: Partial<Parameters<typeof verifyHistory>[0]> = {}) => verifyHistory({ root: repo.root, tasks, prdPath: "PRD.md", ...extra });
const head = () => repo.git(["rev-parse", "HEAD"]);

describe("verifyHistory: refusals a person reads", () => {
  it("refuses a repository without commits, naming it", async () => {
    const empty = makeRepo();
    try {
      await expect(verifyHistory({ root: empty.root, tasks })).rejects.toThrow(`${empty.root} has no commits yet`);
    } finally {
      empty.cleanup();
    }
  });

  it("says what --since expects when it names no commit", async () => {
    await expect(verify({ since: "v9" })).rejects.toThrow(
      `--since v9 is not a commit in ${repo.root} (expected a branch, tag or hash, e.g. --since v1.2.0)`,
    );
  });

  it("reports the head it judged, and since as null without --since or as the resolved commit with it", async () => {
    const init = head();
    repo.git(["tag", "v1"]);
    repo.commit(`login\n\nCsess-Task: ${LOGIN}`, { "src/login.ts": "a\n" });
    const all = await verify();
    expect(all).toMatchObject({ head: head(), since: null, commitsScanned: 2 });
    const later = await verify({ since: "v1" });
    expect(later).toMatchObject({ head: head(), since: init, commitsScanned: 1 });
    expect(verdictOf(later, LOGIN).verdict).toBe("verified");
  });
});

describe("verifyHistory: which commits count as evidence", () => {
  it("a trailer commit that only ticks the PRD or only touches .csess/ is no evidence; one changing code is", async () => {
    repo.commit(`tick\n\nCsess-Task: ${LOGIN}`, { "PRD.md": PRD + "\n" });
    repo.commit(`state\n\nCsess-Task: ${LOGOUT}`, { ".csess/state.json": "{}\n" });
    const code = repo.commit(`limit\n\nCsess-Task: ${LIMIT}`, { "src/limit.ts": "l\n" });
    const report = await verify();
    expect(verdictOf(report, LOGIN)).toMatchObject({ verdict: "claimed-unverified", commits: [] });
    expect(verdictOf(report, LOGOUT)).toMatchObject({ verdict: "claimed-unverified", commits: [] });
    expect(verdictOf(report, LIMIT)).toMatchObject({ verdict: "done-unclaimed", evidence: "trailer", commits: [code], insertions: 1 });
  });

  it("a trailer commit that changes code and ticks the PRD together counts; tasks without a message match have no score", async () => {
    const made = repo.commit(`login\n\nCsess-Task: ${LOGIN}`, { "src/login.ts": "a\n", "PRD.md": PRD + "\n" });
    const report = await verify();
    expect(verdictOf(report, LOGIN)).toMatchObject({ verdict: "verified", evidence: "trailer", commits: [made], score: null });
    expect(verdictOf(report, LOGOUT)).toMatchObject({ verdict: "claimed-unverified", evidence: null, score: null, grade: null });
  });

  it("commits named in notEvidence count for no task", async () => {
    const made = repo.commit(`login\n\nCsess-Task: ${LOGIN}`, { "src/login.ts": "a\n" });
    const report = await verify({ notEvidence: new Set([made]) });
    expect(verdictOf(report, LOGIN)).toMatchObject({ verdict: "claimed-unverified", commits: [], evidence: null });
    expect(verdictOf(await verify(), LOGIN)).toMatchObject({ verdict: "verified", commits: [made] });
  });

  it("falls back to a matching message when the trailer commits do not count, and ignores messages when they do", async () => {
    repo.commit(`tick\n\nCsess-Task: ${LIMIT}`, { "PRD.md": PRD + "\n" });
    const weak = repo.commit("feat: rate limit login endpoint", { "src/limit.ts": "l\n" });
    const report = await verify();
    expect(verdictOf(report, LIMIT)).toMatchObject({ verdict: "done-unclaimed", evidence: "message", grade: "weak", commits: [weak], branch: null });
    expect(verdictOf(report, LIMIT).score).toBeGreaterThanOrEqual(0.6);

    const strong = repo.commit(`limiter\n\nCsess-Task: ${LIMIT}`, { "src/limiter.ts": "a\nb\nc\n" });
    const again = await verify();
    expect(verdictOf(again, LIMIT)).toMatchObject({ evidence: "trailer", commits: [strong], score: null, insertions: 3, branch: null });
  });

  it("a message match scores its best commit and sums the lines of all matching commits", async () => {
    const best = repo.commit("feat: rate limit login endpoint", { "src/limit.ts": "a\nb\n" });
    const other = repo.commit("rate limit login endpoint with redis and more caching layers", { "src/limit.ts": "a\n", "src/redis.ts": "r\n" });
    const report = await verify();
    const limit = verdictOf(report, LIMIT);
    expect(limit).toMatchObject({ evidence: "message", insertions: 3, deletions: 1 });
    expect([...limit.commits].sort()).toEqual([best, other].sort());
    expect(limit.score).toBe(0.8); // the best of 0.8 and 0.66
    expect(limit.reason).toContain("2 commits whose message matches (score 0.80, weak)");
  });

  it("a subject below the threshold is no evidence, and a lower threshold lets it in", async () => {
    const made = repo.commit("rate limit the endpoint for users of the mobile app and the web", { "src/limit.ts": "l\n" });
    expect(verdictOf(await verify(), LIMIT)).toMatchObject({ verdict: "pending", commits: [] });
    expect(verdictOf(await verify({ threshold: 0.1 }), LIMIT)).toMatchObject({ verdict: "done-unclaimed", commits: [made], evidence: "message" });
  });

  it("sums insertions and deletions over a task's trailer commits", async () => {
    repo.commit(`one\n\nCsess-Task: ${LOGIN}`, { "src/login.ts": "a\nb\nc\n" });
    repo.commit(`two\n\nCsess-Task: ${LOGIN}`, { "src/login.ts": "a\n", "src/more.ts": "m\n" });
    const login = verdictOf(await verify(), LOGIN);
    expect(login).toMatchObject({ verdict: "verified", evidence: "trailer", insertions: 4, deletions: 2 });
    expect(login.commits).toHaveLength(2);
    expect(login.reason).toContain("2 commits with the Csess-Task trailer");
  });
});

/** Makes `branch` with one commit changing `file`, back on main; returns the commit. */
function sideBranch(branch: string, message: string, file: string): string {
  repo.git(["checkout", "-q", "-b", branch, "main"]);
  const made = repo.commit(message, { [file]: `${branch}\n` });
  repo.git(["checkout", "-q", "main"]);
  return made;
}

describe("verifyHistory: merges and task branches", () => {
  it("a merge naming its task owns the commits it brought in: a trailer there naming another task is nobody's evidence", async () => {
    repo.git(["checkout", "-q", "-b", "csess/r1/work"]);
    const wrong = repo.commit(`wrong task\n\nCsess-Task: ${LOGOUT}`, { "src/a.ts": "a\n" });
    const plain = repo.commit("more", { "src/b.ts": "b\n" });
    repo.git(["checkout", "-q", "main"]);
    repo.commit("unrelated", { "src/other.ts": "o\n" });
    repo.git(["merge", "-q", "--no-ff", "csess/r1/work", "-m", `Merge csess task\n\nCsess-Task: ${LOGIN}`]);
    repo.git(["branch", "-q", "-D", "csess/r1/work"]);
    const report = await verify();
    expect(verdictOf(report, LOGOUT)).toMatchObject({ verdict: "claimed-unverified", commits: [] });
    expect(verdictOf(report, LOGIN)).toMatchObject({ verdict: "verified", evidence: "trailer", commits: [plain] });
    expect(verdictOf(report, LOGIN).commits).not.toContain(wrong);
  });

  it("a commit brought in by a task's merge that also names another task is nobody's evidence", async () => {
    repo.git(["checkout", "-q", "-b", "csess/r1/work"]);
    const both = repo.commit(`both\n\nCsess-Task: ${LOGIN}\nCsess-Task: ${LOGOUT}`, { "src/a.ts": "a\n" });
    const own = repo.commit(`own\n\nCsess-Task: ${LOGIN}`, { "src/b.ts": "b\n" });
    repo.git(["checkout", "-q", "main"]);
    repo.git(["merge", "-q", "--no-ff", "csess/r1/work", "-m", `Merge csess task\n\nCsess-Task: ${LOGIN}`]);
    repo.git(["branch", "-q", "-D", "csess/r1/work"]);
    const report = await verify();
    expect(verdictOf(report, LOGIN)).toMatchObject({ verdict: "verified", commits: [own] });
    expect(verdictOf(report, LOGIN).commits).not.toContain(both);
    expect(verdictOf(report, LOGOUT)).toMatchObject({ verdict: "claimed-unverified", commits: [] });
  });

  it("a merge made inside a branch brings in only what its second parent adds", async () => {
    repo.git(["checkout", "-q", "-b", "topic"]);
    const topic = repo.commit("topic work", { "src/topic.ts": "t\n" });
    repo.git(["checkout", "-q", "-b", "sub", "main"]);
    const sub = repo.commit("sub work", { "src/sub.ts": "s\n" });
    repo.git(["checkout", "-q", "topic"]);
    repo.git(["merge", "-q", "--no-ff", "sub", "-m", `Merge sub\n\nCsess-Task: ${LOGOUT}`]);
    repo.git(["checkout", "-q", "main"]);
    repo.git(["merge", "-q", "--no-ff", "topic", "-m", "Merge topic"]);
    repo.git(["branch", "-q", "-D", "topic", "sub"]);
    const report = await verify();
    expect(verdictOf(report, LOGOUT)).toMatchObject({ verdict: "verified", evidence: "trailer", commits: [sub] });
    expect(verdictOf(report, LOGOUT).commits).not.toContain(topic);
  });

  it("only git's own merge lines at the start of a merge's subject, or a whole 'Branch:' line, name the merged branch", async () => {
    for (const message of [
      "Redo: Merge branch 'feature/add-a-logout-button-to-the-header'",
      "Redo: Merge remote-tracking branch 'origin/add-a-logout-button-to-the-header'",
      "Redo: Merge pull request #12 from someone/add-a-logout-button-to-the-header",
      "Merge csess task\n\nFrom-Branch: csess/r1/add-a-logout-button",
      "Merge csess task\n\nBranch: csess/r1/add-a-logout-button (kept)",
    ]) {
      sideBranch("topic", "wip", "src/logout.ts");
      repo.git(["merge", "-q", "--no-ff", "topic", "-m", message]);
      repo.git(["branch", "-q", "-D", "topic"]);
      expect(verdictOf(await verify(), LOGOUT), message).toMatchObject({ verdict: "claimed-unverified", commits: [] });
      repo.git(["reset", "-q", "--hard", "HEAD~1"]);
    }
  });

  it("a single-parent commit titled like a merge (a cherry-picked merge) names no branch", async () => {
    const own = sideBranch("agent/add-a-logout-button", "wip", "src/logout.ts");
    repo.git(["merge", "-q", "--no-ff", "--no-edit", "agent/add-a-logout-button"]);
    repo.git(["branch", "-q", "-D", "agent/add-a-logout-button"]);
    repo.commit("Merge branch 'feature/add-a-logout-button-to-the-header'", { "src/other.ts": "o\n" });
    const logout = verdictOf(await verify({ threshold: 1.1 }), LOGOUT);
    expect(logout).toMatchObject({ verdict: "verified", evidence: "branch", branch: "agent/add-a-logout-button", commits: [own] });
  });

  it("a mismatched trailer does not hide the task's own merged branch", async () => {
    const own = sideBranch("feature/add-a-logout-button-to-the-header", "wip", "src/logout.ts");
    repo.git(["merge", "-q", "--no-ff", "--no-edit", "feature/add-a-logout-button-to-the-header"]);
    repo.git(["branch", "-q", "-D", "feature/add-a-logout-button-to-the-header"]);
    sideBranch("csess/r1/work", `wrong task\n\nCsess-Task: ${LOGOUT}`, "src/a.ts");
    repo.git(["merge", "-q", "--no-ff", "csess/r1/work", "-m", `Merge csess task\n\nCsess-Task: ${LOGIN}`]);
    repo.git(["branch", "-q", "-D", "csess/r1/work"]);
    const logout = verdictOf(await verify(), LOGOUT);
    expect(logout).toMatchObject({ verdict: "verified", evidence: "branch", commits: [own], branch: "feature/add-a-logout-button-to-the-header" });
  });

  it("a merge without a trailer owns nothing: the trailers of the commits it brought in count", async () => {
    const made = sideBranch("topic", `logout\n\nCsess-Task: ${LOGOUT}`, "src/logout.ts");
    repo.git(["merge", "-q", "--no-ff", "topic", "-m", "Merge topic"]);
    repo.git(["branch", "-q", "-D", "topic"]);
    expect(verdictOf(await verify(), LOGOUT)).toMatchObject({ verdict: "verified", evidence: "trailer", commits: [made] });
  });

  it.each([
    ["Merge branch 'feature/add-a-logout-button-to-the-header'", "feature/add-a-logout-button-to-the-header"],
    ["Merge remote-tracking branch 'origin/feature/add-a-logout-button-to-the-header'", "feature/add-a-logout-button-to-the-header"],
    ["Merge remote-tracking branch 'add-a-logout-button'", "add-a-logout-button"],
    ["Merge pull request #12 from someone/add-a-logout-button-to-the-header", "add-a-logout-button-to-the-header"],
    ["Merge csess task\n\nBranch: csess/r1/add-a-logout-button", "csess/r1/add-a-logout-button"],
  ])("a merge with subject %j is evidence on branch %s", async (message, branch) => {
    const made = sideBranch("topic", "wip", "src/logout.ts");
    repo.git(["merge", "-q", "--no-ff", "topic", "-m", message]);
    repo.git(["branch", "-q", "-D", "topic"]);
    const logout = verdictOf(await verify(), LOGOUT);
    expect(logout).toMatchObject({ verdict: "verified", evidence: "branch", grade: "medium", branch, commits: [made] });
    expect(logout.reason).toContain(`1 commit on branch ${branch}`);
  });

  it("a merge whose message names no task branch is no evidence", async () => {
    sideBranch("topic", "wip", "src/logout.ts");
    repo.git(["merge", "-q", "--no-ff", "topic", "-m", "Merge pull request #12 from someone\n\nBranch:"]);
    repo.git(["branch", "-q", "-D", "topic"]);
    expect(verdictOf(await verify(), LOGOUT)).toMatchObject({ verdict: "claimed-unverified", commits: [] });
  });

  it("a branch's commits add up over two merges of it, named by the newest merge", async () => {
    const first = sideBranch("feature/add-a-logout-button", "wip", "src/logout.ts");
    repo.git(["merge", "-q", "--no-ff", "--no-edit", "feature/add-a-logout-button"]);
    repo.git(["branch", "-q", "-D", "feature/add-a-logout-button"]);
    const second = sideBranch("agent/add-a-logout-button-to-the-header", "more", "src/logout2.ts");
    repo.git(["merge", "-q", "--no-ff", "--no-edit", "agent/add-a-logout-button-to-the-header"]);
    repo.git(["branch", "-q", "-D", "agent/add-a-logout-button-to-the-header"]);
    const logout = verdictOf(await verify(), LOGOUT);
    expect(logout).toMatchObject({ verdict: "verified", evidence: "branch", branch: "agent/add-a-logout-button-to-the-header", insertions: 2 });
    expect([...logout.commits].sort()).toEqual([first, second].sort());
  });

  it("a trailer beats a branch, whether the merge is older or newer than the trailer commit", async () => {
    sideBranch("feature/add-a-logout-button-to-the-header", "wip", "src/logout.ts");
    repo.git(["merge", "-q", "--no-ff", "--no-edit", "feature/add-a-logout-button-to-the-header"]);
    const viaTrailer = repo.commit(`logout\n\nCsess-Task: ${LOGOUT}`, { "src/logout2.ts": "x\n" });
    // Trailer newer than the merge (git log reads it first).
    expect(verdictOf(await verify(), LOGOUT)).toMatchObject({ evidence: "trailer", commits: [viaTrailer], branch: null });
    // A second merge of the branch, now newer than the trailer.
    repo.git(["checkout", "-q", "feature/add-a-logout-button-to-the-header"]);
    repo.commit("more", { "src/logout3.ts": "y\n" });
    repo.git(["checkout", "-q", "main"]);
    repo.git(["merge", "-q", "--no-ff", "--no-edit", "feature/add-a-logout-button-to-the-header"]);
    repo.git(["branch", "-q", "-D", "feature/add-a-logout-button-to-the-header"]);
    expect(verdictOf(await verify(), LOGOUT)).toMatchObject({ evidence: "trailer", commits: [viaTrailer], branch: null });
  });

  it("lists trailers naming unknown tasks with their commits, newest first, and not the known ones", async () => {
    const a = repo.commit("a\n\nCsess-Task: gone01", { "src/a.ts": "a\n" });
    repo.commit(`b\n\nCsess-Task: ${LOGIN}`, { "src/b.ts": "b\n" });
    const c = repo.commit(`c\n\nCsess-Task: gone02\nCsess-Task: ${LOGOUT}`, { "src/c.ts": "c\n" });
    const report = await verify();
    expect(report.unknownTrailers).toEqual([{ taskId: "gone02", commit: c }, { taskId: "gone01", commit: a }]);
    expect(verdictOf(report, LOGOUT)).toMatchObject({ verdict: "verified", commits: [c] });
  });
});

describe("verifyHistory: unmerged task branches", () => {
  it("an unmerged branch with a real change is evidence; its commits are read even though HEAD lacks them", async () => {
    const made = sideBranch("feature/rate-limit-the-login-endpoint", "token bucket", "src/limit.ts");
    const report = await verify();
    expect(report.commitsScanned).toBe(2);
    expect(verdictOf(report, LIMIT)).toMatchObject({ verdict: "done-unclaimed", evidence: "branch", branch: "feature/rate-limit-the-login-endpoint", commits: [made] });
  });

  it("an unmerged branch that only ticks the PRD (default PRD.md) is rejected: even a matching message on it is no evidence", async () => {
    repo.git(["checkout", "-q", "-b", "feature/rate-limit-the-login-endpoint"]);
    repo.commit("feat: rate limit login endpoint", { "PRD.md": PRD.replace("- [ ] Rate", "- [x] Rate") });
    repo.git(["checkout", "-q", "main"]);
    const report = await verifyHistory({ root: repo.root, tasks });
    expect(verdictOf(report, LIMIT)).toMatchObject({ verdict: "pending", commits: [], evidence: null });
  });

  it("without a PRD path, an unmerged branch with a real change is still evidence", async () => {
    const made = sideBranch("feature/rate-limit-the-login-endpoint", "token bucket", "src/limit.ts");
    const report = await verifyHistory({ root: repo.root, tasks });
    expect(verdictOf(report, LIMIT)).toMatchObject({ verdict: "done-unclaimed", evidence: "branch", commits: [made] });
  });

  it("an unmerged branch whose change is undone again is rejected, its commits no evidence by message either", async () => {
    repo.git(["checkout", "-q", "-b", "feature/rate-limit-the-login-endpoint"]);
    repo.commit("feat: rate limit login endpoint", { "src/limit.ts": "l\n" });
    repo.git(["rm", "-q", "src/limit.ts"]);
    repo.commit("feat: rate limit login endpoint again");
    repo.git(["checkout", "-q", "main"]);
    expect(verdictOf(await verify(), LIMIT)).toMatchObject({ verdict: "pending", commits: [] });
  });

  it("the checked-out branch is not judged as a task branch", async () => {
    repo.git(["checkout", "-q", "-b", "rate-limit-the-login-endpoint"]);
    const made = repo.commit(`limit\n\nCsess-Task: ${LIMIT}`, { "src/limit.ts": "l\n" });
    const limit = verdictOf(await verify(), LIMIT);
    expect(limit).toMatchObject({ verdict: "done-unclaimed", evidence: "trailer", commits: [made], branch: null });
  });

  it("a task branch entirely before --since is ignored, not rejected", async () => {
    const made = sideBranch("feature/rate-limit-the-login-endpoint", "feat: rate limit login endpoint", "src/limit.ts");
    repo.git(["merge", "-q", "--ff-only", "feature/rate-limit-the-login-endpoint"]);
    const report = await verify({ since: "HEAD" });
    expect(report.commitsScanned).toBe(0);
    expect(verdictOf(report, LIMIT)).toMatchObject({ verdict: "pending", commits: [] });
    expect(verdictOf(await verify({ since: "HEAD~1" }), LIMIT)).toMatchObject({ verdict: "done-unclaimed", commits: [made] });
  });
});

describe("verifyHistory: where HEAD is and what history it reads", () => {
  it("works on a detached HEAD (as CI checks out), still reading task branches", async () => {
    const made = sideBranch("feature/rate-limit-the-login-endpoint", "token bucket", "src/limit.ts");
    repo.git(["checkout", "-q", "--detach", "main"]);
    const report = await verify();
    expect(verdictOf(report, LIMIT)).toMatchObject({ verdict: "done-unclaimed", evidence: "branch", commits: [made] });
  });

  it("reads HEAD and the task branches, not other branches", async () => {
    sideBranch("topic", "unrelated", "src/topic.ts");
    sideBranch("feature/rate-limit-the-login-endpoint", "token bucket", "src/limit.ts");
    expect((await verify()).commitsScanned).toBe(2);
  });

  it("a merge after --since of a branch forked before it brings in only the branch's own commits", async () => {
    repo.git(["checkout", "-q", "-b", "topic"]);
    const side = repo.commit("side work", { "src/side.ts": "s\n" });
    repo.git(["checkout", "-q", "main"]);
    const since = repo.commit("main moves", { "src/main.ts": "m\n" });
    repo.git(["merge", "-q", "--no-ff", "topic", "-m", `Merge topic\n\nCsess-Task: ${LOGIN}`]);
    repo.git(["branch", "-q", "-D", "topic"]);
    const report = await verify({ since });
    expect(report.commitsScanned).toBe(2);
    expect(verdictOf(report, LOGIN)).toMatchObject({ verdict: "verified", evidence: "trailer", commits: [side] });
  });
});

describe("verifyHistory: what a run saw", () => {
  const conflict: RunOutcome = { outcome: "conflict", note: "merge stopped" };

  it("a run's conflict stands while the task's branch is unmerged", async () => {
    sideBranch("csess/r1/rate-limit-the-login-endpoint", `limit\n\nCsess-Task: ${LIMIT}`, "src/limit.ts");
    const limit = verdictOf(await verify({ runOutcomes: new Map([[LIMIT, conflict]]) }), LIMIT);
    expect(limit.verdict).toBe("conflict");
    expect(limit.reason).toBe("work conflicts with the integration branch; branch kept; merge stopped");
  });

  it("once someone merged the branch, git decides and the run's other findings stay", async () => {
    const made = sideBranch("csess/r1/rate-limit-the-login-endpoint", `limit\n\nCsess-Task: ${LIMIT}`, "src/limit.ts");
    repo.git(["merge", "-q", "--ff-only", "csess/r1/rate-limit-the-login-endpoint"]);
    const limit = verdictOf(await verify({ runOutcomes: new Map([[LIMIT, { ...conflict, iterations: 2 }]]) }), LIMIT);
    expect(limit).toMatchObject({ verdict: "done-unclaimed", evidence: "trailer", commits: [made], iterations: 2 });
    expect(limit.reason).toMatch(/; merge stopped$/);
  });

  it("a conflict for a task without a branch stands; other outcomes pass through", async () => {
    const made = repo.commit(`login\n\nCsess-Task: ${LOGIN}`, { "src/login.ts": "a\n" });
    const report = await verify({
      runOutcomes: new Map<string, RunOutcome>([
        [LOGIN, conflict],
        [MIGRATE, { outcome: "failed", iterations: 3 }],
        [LIMIT, { outcome: "skipped" }],
      ]),
    });
    expect(verdictOf(report, LOGIN)).toMatchObject({ verdict: "conflict", commits: [made] });
    expect(verdictOf(report, MIGRATE)).toMatchObject({ verdict: "failed", iterations: 3 });
    expect(verdictOf(report, LIMIT)).toMatchObject({ verdict: "skipped" });
    expect(verdictOf(report, LOGOUT)).toMatchObject({ verdict: "claimed-unverified", iterations: null });
  });
});

describe("matchBranch", () => {
  it("matches the last path segment, case-insensitively, by id, '-<id>' suffix, slug or a slug prefix of 16+ characters", () => {
    expect(matchBranch(tasks, `feature/${LIMIT.toUpperCase()}`)).toBe(LIMIT);
    expect(matchBranch(tasks, `work/anything-${LIMIT}`)).toBe(LIMIT);
    expect(matchBranch(tasks, `work/anything${LIMIT}`)).toBeUndefined();
    expect(matchBranch(tasks, `${LIMIT}/other`)).toBeUndefined();
    expect(matchBranch(tasks, "x/Rate-Limit-The-Login-Endpoint")).toBe(LIMIT);
    expect(matchBranch(tasks, "rate-limit-the-l")).toBe(LIMIT); // 16 characters
    expect(matchBranch(tasks, "rate-limit-the-")).toBeUndefined(); // 15
    expect(matchBranch(tasks, "x-rate-limit-the-login")).toBeUndefined(); // not a prefix
  });

  it("matches a slug shorter than 16 characters only whole", () => {
    const short = [{ id: "aaaaaa", title: "Set up CI", checked: false }];
    expect(matchBranch(short, "ralphy/set-up-ci")).toBe("aaaaaa");
    expect(matchBranch(short, "ralphy/set-up")).toBeUndefined();
  });

  it("prefers an id match over a slug match of an earlier task", () => {
    const two = [
      { id: "aaaaaa", title: "bbbbbb", checked: false },
      { id: "bbbbbb", title: "Other", checked: false },
    ];
    expect(matchBranch(two, "bbbbbb")).toBe("bbbbbb");
  });
});
