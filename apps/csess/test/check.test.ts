// `csess run --check CMD` end to end, and the totals a person reads at the end of a run: real tmux
// (private socket), real git (temp repo) and the scripted fake agent (fixtures/fake-agents).
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { commitAll, customAgentArgs, makeRunSandbox, taskIds, type RunSandbox } from "./run-helpers.js";

let sandbox: RunSandbox | undefined;
afterEach(async () => {
  await sandbox?.cleanup();
  sandbox = undefined;
});

const PRD = `# P

- [ ] Add the greeting file
- [ ] Add the broken file
- [ ] Say it is done but lie about it
`;

// The project's "tests": no file in the checkout may contain the word "broken". The fake agent writes
// each task's title into its file, so the broken task's commit fails the check and the others pass.
const CHECK = "! grep -qs broken work-*.txt";

describe("csess run --check", () => {
  it("work whose check fails is not verified, merged or ticked, its branch is kept, and the totals say so", async () => {
    sandbox = makeRunSandbox(PRD);
    const capture = path.join(sandbox.dir, "capture");
    mkdirSync(capture);
    sandbox.env.FAKE_AGENT_CAPTURE = capture;
    await commitAll(sandbox);
    const ids = await taskIds(sandbox);
    const broken = ids["Add the broken file"]!;
    const notifications = path.join(sandbox.dir, "notifications.log");
    const result = await sandbox.csess([
      "run", ...customAgentArgs(["--max-iterations", "2", "--parallel", "3", "--check", CHECK]),
      "--notify", `echo "$CSESS_SESSION $CSESS_EXIT_CODE $CSESS_SUMMARY" >> '${notifications}'`,
    ]);
    expect(result.code, result.stderr).toBe(1);

    const report = JSON.parse((await sandbox.csess(["report", "--json"])).stdout) as {
      runId: string; totals: Record<string, number>; tasks: Array<Record<string, unknown>>;
    };
    const task = report.tasks.find((t) => t.id === broken)!;
    expect(task).toMatchObject({ verdict: "failed", checked: false, iterations: 2, merge: null });
    expect(task.reason).toMatch(/check `! grep -qs broken work-\*\.txt` failed \(exit 1\)/);
    expect((task.commits as string[]).length).toBe(1);

    // Not merged: main has neither the file nor the trailer; not ticked: the PRD line is as it was.
    expect(existsSync(path.join(sandbox.repo, `work-${broken}.txt`))).toBe(false);
    expect(await sandbox.git("log", "--format=%B", "main")).not.toContain(`Csess-Task: ${broken}`);
    expect(sandbox.prd()).toContain("- [ ] Add the broken file");
    expect(sandbox.prd()).toContain("- [x] Add the greeting file");
    // The branch with the work is kept for a person to look at, commit and all.
    expect(task.branch).toMatch(/^csess\//);
    expect(await sandbox.git("log", "-1", "--format=%B", String(task.branch))).toContain(`Csess-Task: ${broken}`);
    // The second iteration was told why the first one was not accepted.
    expect(readFileSync(path.join(capture, `${broken}.prompt`), "utf8")).toContain("The check failed");

    // Totals count each verdict once; a ticked box without a commit is not verified.
    expect(report.totals).toEqual({
      tasks: 3, verified: 1, "claimed-unverified": 1, failed: 1,
      "done-unclaimed": 0, "rate-limited": 0, conflict: 0, pending: 0, skipped: 0,
    });
    const summary = "3 tasks: 1 verified, 1 claimed-unverified, 1 failed";
    expect(result.stdout.trimEnd().split("\n")).toContain(summary);
    expect((await sandbox.csess(["report", "--md"])).stdout).toContain(`**${summary}**`);
    // The end-of-run notification carries the same count.
    expect(readFileSync(notifications, "utf8").trim().split("\n").at(-1)).toBe(`csess-${report.runId} 1 1/3 verified`);
  }, 180_000);
});
