// "Verified" means it works where it lands: when the integration branch moved past a task's base
// (another task landed first), --check runs again on the merge commit before the branch moves.
// Real parts: the built CLI, a private tmux socket, a temp git repository, custom agents.
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { commitAll, makeRunSandbox, reportOf, type RunSandbox } from "./run-helpers.js";

let sandbox: RunSandbox | undefined;
afterEach(async () => {
  await sandbox?.cleanup();
  sandbox = undefined;
});

describe("--check on the merge result", () => {
  it("two changes that each pass but break together: the second is not verified, merged or ticked", async () => {
    const s = makeRunSandbox("# Plan\n\n- [ ] First change\n- [ ] Second change\n", { "README.md": "hello\n" });
    sandbox = s;
    await commitAll(s);
    const started = path.join(s.dir, "started");
    const agent = path.join(s.dir, "agent.sh");
    // Both agents wait until both have started, so both branches fork from the same base.
    writeFileSync(agent, [
      "set -e",
      `touch ${JSON.stringify(started)}-$CSESS_TASK_ID`,
      `i=0; while [ "$(ls ${JSON.stringify(started)}-* | wc -l)" -lt 2 ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done`,
      `echo "$CSESS_TASK_ID" > "work-$CSESS_TASK_ID.txt"; git add -A; git commit -q -m "work" -m "Csess-Task: $CSESS_TASK_ID"`,
    ].join("\n") + "\n", { mode: 0o755 });
    // Either change alone passes; both together fail.
    const check = `test "$(ls work-*.txt | wc -l)" -lt 2`;
    const run = await s.csess(["run", "--json", "--agent", "custom", "--agent-cmd", `sh ${agent}`, "--parallel", "2", "--stagger", "0",
      "--no-notes", "--max-iterations", "1", "--check", check]);
    const report = reportOf(run) as unknown as { tasks: Array<{ id: string; verdict: string; reason: string; checked: boolean }> };
    const verdicts = report.tasks.map((t) => t.verdict).sort();
    expect(verdicts, run.stderr).toEqual(["failed", "verified"]);
    const failed = report.tasks.find((t) => t.verdict === "failed")!;
    expect(failed.reason).toMatch(/failed on the merge with main/);
    expect(failed.checked).toBe(false);
    expect(readdirSync(s.repo).filter((f) => f.startsWith("work-"))).toHaveLength(1);
    // The failed task's branch is kept for a person to look at.
    expect(await s.git("branch", "--list", "csess/*")).toContain(failed.id);

    const verify = JSON.parse((await s.csess(["verify", "PRD.md", "--json"])).stdout) as { tasks: Array<{ id: string; verdict: string }> };
    expect(verify.tasks.map((t) => [t.id, t.verdict])).toEqual(report.tasks.map((t) => [t.id, t.verdict]));
  }, 120_000);
});
