// `csess run` end to end with real tmux (private socket), real git (temp repos) and the scripted fake
// agent in fixtures/fake-agents (a shell script following the custom agent contract). The real codex
// CLI against the scripted model server is exercised in demo.test.ts.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { commitAll, customAgentArgs, makeRunSandbox, reportOf, taskIds, waitFor, type RunSandbox } from "./run-helpers.js";

let sandbox: RunSandbox | undefined;
afterEach(async () => {
  await sandbox?.cleanup();
  sandbox = undefined;
});

const PRD = `# Notes app

Small tasks for a tiny project.

## Features
- [ ] Add the greeting file
- [ ] Add the farewell file
- [ ] Say it is done but lie about it
- [ ] A task the agent treats as noop
- [x] Already done before the run
`;

function changedChars(before: string, after: string): number[] {
  expect(after.length).toBe(before.length);
  return [...before].flatMap((c, i) => (c === after[i] ? [] : [i]));
}

describe("csess run", () => {
  it("verifies by git, not the checkbox: merges and ticks honest work only", async () => {
    sandbox = makeRunSandbox(PRD);
    await commitAll(sandbox);
    const ids = await taskIds(sandbox);
    const result = await sandbox.csess(["run", "PRD.md", "--json", ...customAgentArgs(["--max-iterations", "2", "--parallel", "3"])]);
    expect(result.code, result.stderr).toBe(1); // not every task verified
    const report = reportOf(result);
    const verdicts = Object.fromEntries(report.tasks.map((t) => [t.title, t.verdict]));
    expect(verdicts).toEqual({
      "Add the greeting file": "verified",
      "Add the farewell file": "verified",
      "Say it is done but lie about it": "claimed-unverified",
      "A task the agent treats as noop": "failed",
    });
    const greeting = report.tasks.find((t) => t.id === ids["Add the greeting file"])!;
    expect(greeting).toMatchObject({ checked: true, iterations: 1, evidence: "trailer" });
    expect((greeting.commits as string[]).length).toBe(1);
    const liar = report.tasks.find((t) => t.id === ids["Say it is done but lie about it"])!;
    expect(liar).toMatchObject({ checked: false, iterations: 2, commits: [] });

    // Exactly the two honest boxes changed in the real PRD, one character each.
    const after = sandbox.prd();
    const changed = changedChars(PRD, after);
    expect(changed).toHaveLength(2);
    expect(after).toContain("- [x] Add the greeting file");
    expect(after).toContain("- [ ] Say it is done but lie about it");

    // The work is on main, attributable by trailer; the liar ran its 2 iterations, honest tasks 1.
    const log = await sandbox.git("log", "--format=%s%n%b", "main");
    expect(log).toContain(`Csess-Task: ${ids["Add the greeting file"]}`);
    expect(readFileSync(path.join(sandbox.repo, `work-${ids["Add the farewell file"]}.txt`), "utf8")).toContain("farewell");
    const starts = sandbox.starts();
    expect(starts.filter((s) => s.startsWith(ids["Say it is done but lie about it"]!))).toHaveLength(2);
    expect(starts.filter((s) => s.startsWith(ids["Add the greeting file"]!))).toHaveLength(1);
    expect(starts.some((s) => s.startsWith(ids["Already done before the run"]!))).toBe(false);
    expect(await sandbox.git("status", "--porcelain")).toBe("");

    // The report is on disk and `csess report` reads it back the same.
    const again = await sandbox.csess(["report", "--json"]);
    expect(JSON.parse(again.stdout).tasks.map((t: { verdict: string }) => t.verdict)).toEqual(report.tasks.map((t) => t.verdict));
    const md = await sandbox.csess(["report", "--md"]);
    expect(md.stdout).toMatch(/\| claimed-unverified \| `[a-z0-9]+` Say it is done/);
  }, 120_000);

  it("requeues a rate-limited attempt without using an iteration", async () => {
    sandbox = makeRunSandbox("# P\n\n- [ ] Survive a 429 from the provider\n- [ ] Add the greeting file\n");
    await commitAll(sandbox);
    const result = await sandbox.csess(["run", "--json", ...customAgentArgs(["--max-iterations", "1"])]);
    expect(result.code, result.stderr).toBe(0);
    const task = reportOf(result).tasks.find((t) => String(t.title).includes("429"))!;
    expect(task).toMatchObject({ verdict: "verified", iterations: 1, attempts: 2, rateLimits: 1 });
    const events = result.stdout.trim().split("\n").map((l) => JSON.parse(l) as { event: string });
    expect(events.some((e) => e.event === "paused")).toBe(true);
  }, 120_000);

  it("runs nested tasks before their parent and honours (after: id)", async () => {
    sandbox = makeRunSandbox("# P\n\n- [ ] Add the base file\n");
    await commitAll(sandbox);
    const baseId = (await taskIds(sandbox))["Add the base file"]!;
    writeFileSync(path.join(sandbox.repo, "PRD.md"), [
      "# P", "",
      "- [ ] Add the base file",
      `- [ ] Add the dependent file (after: ${baseId})`,
      "- [ ] Group of work",
      "  - [ ] Add child one",
      "  - [ ] Add child two",
      "",
    ].join("\n"));
    await sandbox.git("commit", "-qam", "more tasks");
    const ids = await taskIds(sandbox);
    expect(ids["Add the base file"]).toBe(baseId); // adding tasks below did not change its id
    const result = await sandbox.csess(["run", "--json", ...customAgentArgs(["--parallel", "4"])]);
    expect(result.code, result.stderr).toBe(0);
    const order = sandbox.starts().map((s) => s.split(" ")[0]);
    expect(order.indexOf(baseId)).toBeLessThan(order.indexOf(ids[`Add the dependent file (after: ${baseId})`]!));
    expect(order).not.toContain(ids["Group of work"]); // a group runs no agent
    expect(sandbox.prd()).toContain("- [x] Group of work");
    // The dependent task's branch started after the base task was merged, so it saw its file.
    const log = await sandbox.git("log", "--format=%s", "main");
    expect(log.indexOf("Add the dependent file")).toBeLessThan(log.indexOf("feat: Add the base file"));
  }, 120_000);

  it("leaves the user's uncommitted changes byte-identical", async () => {
    sandbox = makeRunSandbox(PRD, { "src/app.txt": "v1\n" });
    await commitAll(sandbox);
    writeFileSync(path.join(sandbox.repo, "src/app.txt"), "v2 (uncommitted)\n");
    writeFileSync(path.join(sandbox.repo, "scratch.txt"), "untracked notes\n");
    const prdEdited = PRD + "\nA note added by a person, uncommitted.\n";
    writeFileSync(path.join(sandbox.repo, "PRD.md"), prdEdited);
    const result = await sandbox.csess(["run", "--json", ...customAgentArgs(["--max-iterations", "1"])]);
    expect(result.stderr).toContain("uncommitted changes");
    expect(readFileSync(path.join(sandbox.repo, "src/app.txt"), "utf8")).toBe("v2 (uncommitted)\n");
    expect(readFileSync(path.join(sandbox.repo, "scratch.txt"), "utf8")).toBe("untracked notes\n");
    const prd = sandbox.prd();
    expect(prd).toContain("A note added by a person, uncommitted.");
    expect(prd).toContain("- [x] Add the greeting file");
    // Committed PRD has the ticks, but not the person's line: that stays theirs, uncommitted.
    const committed = await sandbox.git("show", "HEAD:PRD.md");
    expect(committed).toContain("- [x] Add the greeting file");
    expect(committed).not.toContain("A note added by a person");
  }, 120_000);
});

describe("csess run: daily notes", () => {
  it("lists each agent session in the per-user notes' Active Long-Running Processes, marks it finished, and leaves the repository clean", async () => {
    sandbox = makeRunSandbox("# P\n\n- [ ] Add the greeting file\n- [ ] Add the farewell file\n");
    await commitAll(sandbox);
    const args = customAgentArgs().filter((a) => a !== "--no-notes");
    // No --notes, no $CSESS_NOTES, a HOME without an OpenClaw workspace: the default, $CSESS_HOME/notes.
    const result = await sandbox.csess(["run", ...args], { env: { CSESS_NOTES: "", HOME: sandbox.dir } });
    expect(result.code, result.stderr).toBe(0);
    const ids = await taskIds(sandbox);
    const day = new Date();
    const file = path.join(sandbox.env.CSESS_HOME!, "notes", `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, "0")}-${String(day.getDate()).padStart(2, "0")}.md`);
    expect(await sandbox.git("status", "--porcelain")).toBe("");
    const notes = readFileSync(file, "utf8");
    expect(notes).toContain("## Active Long-Running Processes");
    for (const id of Object.values(ids)) {
      expect(notes).toMatch(new RegExp(`- \`csess-\\S+-${id}\` \\(started \\d\\d:\\d\\d, finished \\d\\d:\\d\\d, exit 0\\) in \`.*${id}\`: \`.*scripted-agent\\.sh`));
    }
  }, 120_000);
});

describe("csess logs TASK", () => {
  it("prints a run task's output by task id, per --iteration, and says which iterations exist", async () => {
    sandbox = makeRunSandbox("# P\n\n- [ ] Add the greeting file\n");
    await commitAll(sandbox);
    expect((await sandbox.csess(["run", ...customAgentArgs()])).code).toBe(0);
    const id = (await taskIds(sandbox))["Add the greeting file"]!;
    const latest = await sandbox.csess(["logs", id]);
    expect(latest.stdout).toMatch(new RegExp(`^fake agent: task ${id} iteration 1 \\(\\d+ bytes of prompt\\)$`, "m"));
    expect((await sandbox.csess(["logs", id, "--iteration", "1"])).stdout).toBe(latest.stdout);
    const missing = await sandbox.csess(["logs", id, "--iteration", "3"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(new RegExp(`task ${id} in run \\S+ has iterations 1; received --iteration 3`));
  }, 120_000);
});

describe("csess run: resume", () => {
  it("after kill -9 of the runner, resume finishes with every agent started exactly once", async () => {
    const titles = ["slow one", "slow two", "slow three", "slow four"].map((t) => `Add the ${t} file`);
    sandbox = makeRunSandbox(`# P\n\n${titles.map((t) => `- [ ] ${t}`).join("\n")}\n`);
    sandbox.env.FAKE_AGENT_SLOW = "2";
    await commitAll(sandbox);
    const runner = sandbox.spawnCsess(["run", ...customAgentArgs(["--parallel", "2"])]);
    const s = sandbox;
    await waitFor(() => s.starts().length >= 2, sandbox.dir);
    runner.kill("SIGKILL");
    await new Promise((r) => runner.once("exit", r));

    // A fresh run would start the interrupted run's tasks a second time: refused, pointing to resume.
    const fresh = await sandbox.csess(["run", ...customAgentArgs(["--parallel", "2"])]);
    expect(fresh.code).toBe(2);
    expect(fresh.stderr).toMatch(/^csess: run \S+ on PRD\.md was interrupted .*continue it with: csess resume \S+/);
    const resumed = await sandbox.csess(["resume", "--json"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const report = reportOf(resumed);
    expect(report.tasks.map((t) => t.verdict)).toEqual(["verified", "verified", "verified", "verified"]);
    const starts = sandbox.starts();
    expect(starts).toHaveLength(4);
    expect(new Set(starts).size).toBe(4);
    for (const t of titles) expect(sandbox.prd()).toContain(`- [x] ${t}`);
    const ticks = (await sandbox.git("log", "--format=%s", "main")).split("\n").filter((l) => l.startsWith("csess: tick"));
    expect(ticks).toHaveLength(4);
  }, 180_000);

  it("refuses a second run on the same PRD while one is active", async () => {
    sandbox = makeRunSandbox("# P\n\n- [ ] Add the slow file\n");
    sandbox.env.FAKE_AGENT_SLOW = "5";
    await commitAll(sandbox);
    const first = sandbox.spawnCsess(["run", ...customAgentArgs()]);
    const s = sandbox;
    await waitFor(() => s.starts().length >= 1, sandbox.dir);
    const second = await sandbox.csess(["run", ...customAgentArgs()]);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/already active on PRD\.md .*csess status/);
    const code = await new Promise((r) => first.once("exit", r));
    expect(code).toBe(0);
  }, 120_000);
});

describe("csess run: refusals and plans", () => {
  it("says clearly when there is nothing to do, and exits 0", async () => {
    sandbox = makeRunSandbox("# P\n\n- [x] done\n");
    await commitAll(sandbox);
    const r = await sandbox.csess(["run", ...customAgentArgs()]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Nothing to do: all 1 tasks in PRD\.md are checked/);
  });

  it("refuses a directory that is not a git repository, with exit 2", async () => {
    sandbox = makeRunSandbox("# P\n\n- [ ] a task\n");
    const r = await sandbox.csess(["run", ...customAgentArgs()]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(/^csess: the PRD PRD\.md is in .*, which is not inside a git repository/);
  });

  it("refuses an uncommitted PRD and a custom agent without a command", async () => {
    sandbox = makeRunSandbox("# P\n\n- [ ] a task\n", { "README.md": "x\n" });
    await sandbox.git("init", "-q", "-b", "main");
    await sandbox.git("add", "README.md");
    await sandbox.git("commit", "-qm", "init");
    const r = await sandbox.csess(["run", ...customAgentArgs()]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/PRD\.md is not committed/);
    await sandbox.git("add", "PRD.md");
    await sandbox.git("commit", "-qm", "prd");
    const noCmd = await sandbox.csess(["run", "--agent", "custom"]);
    expect(noCmd.code).toBe(2);
    expect(noCmd.stderr).toMatch(/--agent custom needs the command to run, e\.g\. --agent custom --agent-cmd/);
  });

  it("--dry-run prints the plan and starts nothing", async () => {
    sandbox = makeRunSandbox("# P\n\n- [ ] first task\n- [ ] second task\n");
    await commitAll(sandbox);
    const r = await sandbox.csess(["run", "--dry-run", ...customAgentArgs()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("first task");
    expect(r.stdout).toMatch(/2 tasks to run in 1 wave/);
    expect(sandbox.starts()).toEqual([]);
    expect(await sandbox.git("status", "--porcelain", "--ignored")).not.toContain(".csess");
    expect(existsSync(path.join(sandbox.repo, ".git", "csess", "runs")), "a dry run starts no run").toBe(false);
  });

  it("--prd FILE names the PRD like the argument does (ralphy's flag); both, differing, is refused", async () => {
    sandbox = makeRunSandbox("# P\n\n- [ ] root task\n", { "docs/PLAN.md": "# Plan\n\n- [ ] planned task\n" });
    await commitAll(sandbox);
    const r = await sandbox.csess(["run", "--prd", "docs/PLAN.md", "--dry-run", ...customAgentArgs()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("planned task");
    expect(r.stdout).not.toContain("root task");
    const both = await sandbox.csess(["run", "PRD.md", "--prd", "docs/PLAN.md", "--dry-run", ...customAgentArgs()]);
    expect(both).toMatchObject({ code: 2, stderr: "csess: give the PRD once: as an argument or with --prd; received PRD.md and --prd docs/PLAN.md\n" });
  });
});
