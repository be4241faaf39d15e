import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parsePrd } from "@csess/prd";
import { verifyHistory, type TaskVerdict } from "../src/index.js";
import { matchBranch } from "../src/history.js";
import { makeRepo, type TestRepo } from "./helpers.js";

const PRD = [
  "# Sprint",
  "",
  "- [x] Create the login API endpoint",
  "- [x] Add a logout button to the header",
  "- [x] Document the CLI flags in the README",
  "- [ ] Support refresh tokens",
  "- [ ] Rate-limit the login endpoint",
  "- [x] Migrate the database to Postgres",
  "- [ ] Add an admin dashboard",
  "",
].join("\n");
const tasks = parsePrd(PRD).tasks;
const id = (title: string) => tasks.find((t) => t.title.startsWith(title))!.id;

let repo: TestRepo;
beforeEach(() => {
  repo = makeRepo();
  repo.commit("init", { "PRD.md": PRD.replace(/\[x\]/g, "[ ]"), "src/index.ts": "\n" });
});
afterEach(() => repo.cleanup());

const byTitle = (report: { tasks: TaskVerdict[] }, title: string) => report.tasks.find((t) => t.title.startsWith(title))!;

describe("verifyHistory", () => {
  it("a task branch merged with a merge commit and not deleted is still evidence (ralphy keeps its branches)", async () => {
    repo.git(["checkout", "-q", "-b", "ralphy/add-a-logout-button-to-the-header"]);
    repo.commit("wip", { "src/header.ts": "logout\n" });
    repo.git(["checkout", "-q", "main"]);
    repo.commit("unrelated", { "src/other.ts": "o\n" });
    repo.git(["merge", "-q", "--no-ff", "--no-edit", "ralphy/add-a-logout-button-to-the-header"]);
    const report = await verifyHistory({ root: repo.root, tasks, prdPath: "PRD.md" });
    expect(byTitle(report, "Add a logout")).toMatchObject({ verdict: "verified", evidence: "branch" });
  });

  it("finds trailer, branch and message evidence in one pass and judges every task", async () => {
    // Trailer (strong), for a ticked task.
    repo.commit(`Implement POST /login\n\nCsess-Task: ${id("Create the login")}`, { "src/login.ts": "a\nb\n" });
    // A ralphy-style branch named after the task, merged with a merge commit, then deleted.
    repo.git(["checkout", "-q", "-b", "ralphy/add-a-logout-button-to-the-header"]);
    repo.commit("wip", { "src/header.ts": "logout\n" });
    repo.git(["checkout", "-q", "main"]);
    repo.commit("unrelated", { "src/other.ts": "o\n" });
    repo.git(["merge", "-q", "--no-ff", "--no-edit", "ralphy/add-a-logout-button-to-the-header"]);
    repo.git(["branch", "-q", "-d", "ralphy/add-a-logout-button-to-the-header"]);
    // An unmerged branch named after an unticked task (strong, done-unclaimed).
    repo.git(["checkout", "-q", "-b", "feature/support-refresh-tokens"]);
    repo.commit("token rotation", { "src/tokens.ts": "t\n" });
    repo.git(["checkout", "-q", "main"]);
    // A matching message (weak), for an unticked task.
    repo.commit("feat: rate limit login endpoint", { "src/limit.ts": "l\n" });
    // The runner ticking boxes in a PRD-only commit is not evidence of the work.
    repo.commit("Mark tasks complete", { "PRD.md": PRD });

    const report = await verifyHistory({ root: repo.root, tasks, prdPath: "PRD.md" });
    expect(report.commitsScanned).toBe(8); // main's 7 plus the unmerged branch's 1
    expect(byTitle(report, "Create the login")).toMatchObject({ verdict: "verified", evidence: "trailer", insertions: 2, commits: [expect.any(String)] });
    expect(byTitle(report, "Add a logout")).toMatchObject({ verdict: "verified", evidence: "branch", branch: "ralphy/add-a-logout-button-to-the-header" });
    expect(byTitle(report, "Add a logout").commits).toHaveLength(1);
    expect(byTitle(report, "Support refresh")).toMatchObject({ verdict: "done-unclaimed", evidence: "branch", branch: "feature/support-refresh-tokens" });
    const weak = byTitle(report, "Rate-limit");
    expect(weak).toMatchObject({ verdict: "done-unclaimed", evidence: "message" });
    expect(weak.score).toBeGreaterThanOrEqual(0.6);
    expect(weak.reason).toMatch(/score 0\.\d\d, weak/);
    expect(byTitle(report, "Document the CLI")).toMatchObject({ verdict: "claimed-unverified", commits: [], evidence: null });
    expect(byTitle(report, "Migrate the database")).toMatchObject({ verdict: "claimed-unverified" });
    expect(byTitle(report, "Add an admin")).toMatchObject({ verdict: "pending" });
  });

  it("attributes a csess merge commit's trailer to the commits it brought in", async () => {
    repo.git(["checkout", "-q", "-b", "csess/r1/docs"]);
    repo.commit("write docs", { "README.md": "flags\n" });
    repo.git(["checkout", "-q", "main"]);
    repo.git(["merge", "-q", "--no-ff", "csess/r1/docs", "-m", `Merge csess task\n\nCsess-Task: ${id("Document the CLI")}`]);
    const report = await verifyHistory({ root: repo.root, tasks, prdPath: "PRD.md" });
    const docs = byTitle(report, "Document the CLI");
    expect(docs).toMatchObject({ verdict: "verified", evidence: "trailer", insertions: 1 });
    expect(docs.commits).toEqual([repo.git(["rev-parse", "HEAD^2"])]);
  });

  it("only looks at commits after --since, and reports trailers of unknown tasks", async () => {
    repo.commit(`old work\n\nCsess-Task: ${id("Create the login")}`, { "src/login.ts": "a\n" });
    const since = repo.git(["rev-parse", "HEAD"]);
    repo.commit("later\n\nCsess-Task: zzzzzz", { "src/x.ts": "x\n" });
    const report = await verifyHistory({ root: repo.root, tasks, since, prdPath: "PRD.md" });
    expect(report.commitsScanned).toBe(1);
    expect(byTitle(report, "Create the login").verdict).toBe("claimed-unverified");
    expect(report.unknownTrailers).toEqual([{ taskId: "zzzzzz", commit: repo.git(["rev-parse", "HEAD"]) }]);
    await expect(verifyHistory({ root: repo.root, tasks, since: "v9" })).rejects.toThrow(/--since v9 is not a commit/);
  });
});

describe("matchBranch", () => {
  it("recognises branches named by slug, truncated slug or id", () => {
    const login = id("Create the login");
    expect(matchBranch(tasks, "ralphy/create-the-login-api-endpoint")).toBe(login);
    expect(matchBranch(tasks, "agent/create-the-login-api")).toBe(login); // truncated, >= 16 chars
    expect(matchBranch(tasks, `csess/run1/create-the-login-${login}`)).toBe(login);
    expect(matchBranch(tasks, login)).toBe(login);
    expect(matchBranch(tasks, "create")).toBeUndefined();
    expect(matchBranch(tasks, "main")).toBeUndefined();
  });
});
