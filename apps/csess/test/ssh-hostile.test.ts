// The trust rules hold for agents on an ssh host as for agents here (real sshd, fixtures/sshd): a commit
// one task's agent makes in a sibling's worktree on the host is stamped there and verifies nobody, and
// an agent that deletes its branch on the host fails that iteration honestly and starts fresh.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { startSshFleet, sshdUnavailable, type TestSshFleet } from "../../../fixtures/sshd/sshd.js";
import { commitAll, journal, makeRunSandbox, reportOf, type RunSandbox } from "./run-helpers.js";

const unavailable = sshdUnavailable();
if (unavailable) console.warn(`skipping the ssh trust tests: ${unavailable}`);

let sandbox: RunSandbox | undefined;
let fleet: TestSshFleet | undefined;
afterEach(async () => {
  fleet?.close();
  fleet = undefined;
  await sandbox?.cleanup();
  sandbox = undefined;
}, 60_000);

describe.skipIf(unavailable !== undefined)("trust on an ssh host (real sshd)", () => {
  it("a sibling's commit on the host verifies nobody; a branch deleted on the host fails honestly, then the task is done fresh", async () => {
    const s = makeRunSandbox("# Plan\n\n- [ ] Alpha task\n- [ ] Beta task\n- [ ] Gamma task\n", { "README.md": "hello\n" });
    sandbox = s;
    const f = await startSshFleet(path.join(s.dir, "sshd"), 1);
    fleet = f;
    writeFileSync(path.join(s.repo, "csess.config.json"), JSON.stringify({ hosts: [{ host: "h1", slots: 3, dir: f.hosts[0]!.workDir }], sshConfig: f.configFile }));
    await commitAll(s);
    const flag = path.join(s.dir, "beta-done");
    const agent = path.join(s.dir, "agent.sh");
    writeFileSync(agent, [
      "set -e",
      'work() { git commit -q -m "$1" -m "Csess-Task: $CSESS_TASK_ID"; }',
      'case "$CSESS_TASK_TITLE" in',
      // Beta commits in Alpha's worktree on the host (naming Alpha in the trailer), then does nothing of its own.
      `  "Beta task") for d in ../alpha-task-*/; do (cd "$d" && echo HACKED > README.md && git add README.md && git commit -q -m "alpha work" -m "Csess-Task: $(basename "$d" | sed 's/.*-//')"); done; touch ${JSON.stringify(flag)} ;;`,
      // Alpha waits (bounded) for that and does nothing: without the host's stamps its branch would carry a "real" diff.
      `  "Alpha task") i=0; while [ ! -e ${JSON.stringify(flag)} ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i+1)); done ;;`,
      '  "Gamma task")',
      '    if [ "$CSESS_ITERATION" = 1 ]; then b=$(git symbolic-ref --short HEAD); echo x > w.txt; git add w.txt; work w; git checkout -q --detach; git branch -q -D "$b"; exit 0; fi',
      '    echo "done by $CSESS_TASK_ID" > "work-$CSESS_TASK_ID.txt"; git add "work-$CSESS_TASK_ID.txt"; work "add work" ;;',
      "esac",
      "",
    ].join("\n"), { mode: 0o755 });
    const run = await s.csess(["run", "--json", "--agent", "custom", "--agent-cmd", `sh ${agent}`, "--stagger", "0", "--no-notes", "--max-iterations", "2"]);
    const report = reportOf(run) as unknown as { tasks: Array<{ id: string; title: string; verdict: string; reason: string; iterations: number }> };
    const byTitle = (title: string) => report.tasks.find((t) => t.title === title)!;
    expect(byTitle("Alpha task").verdict, run.stderr).toBe("failed");
    expect(byTitle("Alpha task").reason).toMatch(/made by task \S+'s agent, not its own/);
    expect(byTitle("Beta task").verdict).toBe("failed");
    expect(byTitle("Gamma task")).toMatchObject({ verdict: "verified", iterations: 2 });
    // The stamps were made on the host (csess's hooks installed there) and came back with the branches.
    const hostStamps = path.join(f.hosts[0]!.workDir, "stamps");
    const logged = readdirSync(hostStamps).map((file) => readFileSync(path.join(hostStamps, file), "utf8")).join("");
    expect(logged).toMatch(new RegExp(`^${byTitle("Beta task").id} \\w+ \\w+ refs/heads/csess/\\S+-${byTitle("Alpha task").id}$`, "m"));
    const gamma = journal(s).filter((e) => e.type === "evidence" && e.taskId === byTitle("Gamma task").id).map((e) => e.reason);
    expect(gamma[0]).toMatch(/its branch is gone \(the agent deleted it\)/);
    // Nothing of the hostile work landed; Gamma's did, and only its box is ticked.
    expect(readFileSync(path.join(s.repo, "README.md"), "utf8")).toBe("hello\n");
    expect(await s.git("show", `main:work-${byTitle("Gamma task").id}.txt`)).toContain("done by");
    expect(s.prd().match(/- \[x\] (\w+ task)/g)).toEqual(["- [x] Gamma task"]);
    // `csess verify` judges the history the same way.
    const verify = JSON.parse((await s.csess(["verify", "PRD.md", "--json"])).stdout) as { tasks: Array<{ id: string; verdict: string }> };
    expect(verify.tasks.map((t) => [t.id, t.verdict])).toEqual(report.tasks.map((t) => [t.id, t.verdict]));
  }, 240_000);
});
