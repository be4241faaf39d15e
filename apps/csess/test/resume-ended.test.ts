// `csess resume` after kill -9 must not run again a task that had already ended without being verified
// (a merge conflict, an agent that cannot run): its iterations are spent and its verdict stands.
// Real processes only: the built CLI, real tmux on a private socket, real git, the scripted fake agent.
import { execFileSync, type ChildProcess } from "node:child_process";
import { afterEach, describe, expect, it } from "vitest";
import {
  agentGates, collect, commitAll, customAgentArgs, exited, journal, makeRunSandbox, reportOf, taskIds, waitUntil,
  type JournalLine, type RunSandbox,
} from "./run-helpers.js";

let sandbox: RunSandbox | undefined;
afterEach(async () => {
  await sandbox?.cleanup();
  sandbox = undefined;
});

const finishedAs = (events: JournalLine[], taskId: string) =>
  events.find((e) => e.type === "task-finished" && e.taskId === taskId)?.verdict as string | undefined;
const startsOf = (events: JournalLine[], taskId: string) =>
  events.filter((e) => e.type === "iteration-started" && e.taskId === taskId).length;

/**
 * Starts `csess run` with every agent held at a gate until all have started (an agent that cannot run
 * stops new starts, so none may end before the others are running), lets all but the slow task's go,
 * kills the runner with SIGKILL as soon as every task in `ended` has its verdict in the journal (the slow
 * agent is still held then), resumes, lets the slow agent go, and returns the journal before and after.
 */
async function killAfterEndedThenResume(s: RunSandbox, ended: string[], slow: string, runArgs: string[]) {
  const gate = agentGates(s);
  const runner: ChildProcess = s.spawnCsess(["run", "--json", ...customAgentArgs(runArgs, gate.agentCmd)]);
  const output = collect(runner);
  await waitUntil(s, () => (gate.starts().length === ended.length + 1 ? true : undefined), 90_000, exited(runner));
  gate.release((start) => start.id !== slow);
  const before = await waitUntil(s, () => {
    const events = journal(s);
    return ended.every((id) => finishedAs(events, id)) ? events : undefined;
  }, 90_000, exited(runner)).catch((error: Error) => {
    const events = journal(s).map((e) => `${e.type} ${e.taskId ?? ""} ${JSON.stringify(e.reason ?? e.outcome ?? e.verdict ?? "")}`);
    throw new Error(`${error.message}; journal:\n${events.join("\n")}\nrunner said: ${output.stderr().slice(-3000)}`);
  });
  runner.kill("SIGKILL");
  expect(await exited(runner), output.stderr()).toBe("SIGKILL");
  expect(before.some((e) => e.type === "run-finished")).toBe(false); // the run really was interrupted
  expect(before.some((e) => e.type === "iteration-ended" && e.taskId === slow)).toBe(false); // held through the kill
  const resuming = s.csess(["resume", "--json"]);
  gate.releaseAll();
  const resumed = await resuming;
  const after = journal(s);
  expect(after.some((e) => e.type === "runner-attached"), resumed.stdout).toBe(true);
  return { before, after, resumed };
}

describe("csess resume after kill -9: tasks that had ended stay ended", () => {
  it("a task that ended in a merge conflict is not run again", async () => {
    sandbox = makeRunSandbox("# P\n\n- [ ] Write the conflict file first\n- [ ] Write the conflict file again\n- [ ] Add the slow file\n");
    sandbox.env.FAKE_AGENT_SLOW = "0"; // held at its gate instead
    await commitAll(sandbox);
    const ids = await taskIds(sandbox);
    const s = sandbox;
    // Both conflict tasks write shared.txt: whichever merges second conflicts. Which one is not fixed.
    const conflictIds = [ids["Write the conflict file first"]!, ids["Write the conflict file again"]!];
    const { before, after, resumed } = await killAfterEndedThenResume(s, conflictIds, ids["Add the slow file"]!, ["--parallel", "3", "--max-iterations", "2"]);

    expect(resumed.code, resumed.stderr).toBe(1);
    const conflicted = conflictIds.find((id) => finishedAs(before, id) === "conflict")!;
    expect(conflicted).toBeDefined();
    expect(startsOf(after, conflicted)).toBe(startsOf(before, conflicted));
    expect(s.starts().filter((l) => l.startsWith(`${conflicted} `))).toEqual([`${conflicted} 1`]);
    const report = reportOf(resumed);
    expect(report.tasks.find((t) => t.id === conflicted)).toMatchObject({ verdict: "conflict", iterations: 1 });
    expect(report.tasks.find((t) => t.id === ids["Add the slow file"])).toMatchObject({ verdict: "verified", attempts: 1 });
    expect(report.totals).toMatchObject({ tasks: 3, verified: 2, conflict: 1 });
  }, 180_000);

  it("tasks whose agent could not run (auth failure, program not found) are not run again", async () => {
    sandbox = makeRunSandbox("# P\n\n- [ ] Add the slow file\n- [ ] Log in with an unauthorized key\n- [ ] Call a missing command\n");
    sandbox.env.FAKE_AGENT_SLOW = "0"; // held at its gate instead
    await commitAll(sandbox);
    const ids = await taskIds(sandbox);
    const s = sandbox;
    const auth = ids["Log in with an unauthorized key"]!;
    const missing = ids["Call a missing command"]!;
    const { before, after, resumed } = await killAfterEndedThenResume(s, [auth, missing], ids["Add the slow file"]!, ["--parallel", "3", "--max-iterations", "2"]);

    expect(resumed.code, resumed.stderr).toBe(1);
    const classes = before.filter((e) => e.type === "iteration-ended").map((e) => [e.taskId, (e.outcome as { class: string }).class]);
    expect(classes).toContainEqual([auth, "auth"]);
    expect(classes).toContainEqual([missing, "not-installed"]);
    for (const id of [auth, missing]) {
      expect(finishedAs(before, id), id).toBe("failed");
      expect(startsOf(after, id), id).toBe(startsOf(before, id));
      expect(s.starts().filter((l) => l.startsWith(`${id} `)), id).toEqual([`${id} 1`]);
      expect(reportOf(resumed).tasks.find((t) => t.id === id), id).toMatchObject({ verdict: "failed", attempts: 1 });
    }
    // The slow agent that was running through the kill is re-attached, not started again.
    expect(s.starts().filter((l) => l.startsWith(`${ids["Add the slow file"]} `))).toHaveLength(1);
    expect(reportOf(resumed).tasks.find((t) => t.id === ids["Add the slow file"])).toMatchObject({ verdict: "verified" });
  }, 180_000);

  it("a task that failed because its session kept dying is not run again", async () => {
    sandbox = makeRunSandbox("# P\n\n- [ ] Add the slow file one\n- [ ] Add the slow file two\n");
    sandbox.env.FAKE_AGENT_SLOW = "0"; // both held by their gates instead; the victim is never let go
    await commitAll(sandbox);
    const ids = await taskIds(sandbox);
    const s = sandbox;
    const victim = ids["Add the slow file one"]!;
    const gate = agentGates(s);
    const runner: ChildProcess = s.spawnCsess(["run", "--json", ...customAgentArgs(["--parallel", "2", "--max-iterations", "2"], gate.agentCmd)]);
    const output = collect(runner);
    // Close the victim's tmux session under it each time its agent starts, until csess gives up on it
    // (a dead session is restarted a few times, then the task fails).
    for (let kills = 1; !finishedAs(journal(s), victim); kills++) {
      await waitUntil(s, () => (gate.starts().filter((start) => start.id === victim).length >= kills || finishedAs(journal(s), victim) ? true : undefined), 90_000, exited(runner));
      if (finishedAs(journal(s), victim)) break;
      const runId = journal(s)[0]!.runId as string;
      execFileSync("tmux", ["-S", s.env.CSESS_TMUX_SOCKET!, "kill-session", "-t", `=csess-${runId}-${victim}:`]);
      await waitUntil(s, () => (journal(s).filter((e) => e.type === "iteration-ended" && e.taskId === victim).length >= kills ? true : undefined), 90_000, exited(runner));
    }
    const before = journal(s);
    runner.kill("SIGKILL");
    expect(await exited(runner), output.stderr()).toBe("SIGKILL");
    expect(before.some((e) => e.type === "run-finished")).toBe(false);
    expect(finishedAs(before, victim)).toBe("failed");
    expect(before.filter((e) => e.type === "iteration-ended" && e.taskId === victim).map((e) => (e.outcome as { class: string }).class).every((c) => c === "dead")).toBe(true);

    const resuming = s.csess(["resume", "--json"]);
    gate.releaseAll();
    const resumed = await resuming;
    expect(resumed.code, resumed.stderr).toBe(1);
    expect(startsOf(journal(s), victim)).toBe(startsOf(before, victim));
    expect(reportOf(resumed).tasks.find((t) => t.id === victim)).toMatchObject({ verdict: "failed", iterations: 0 });
    expect(reportOf(resumed).tasks.find((t) => t.id === ids["Add the slow file two"])).toMatchObject({ verdict: "verified", attempts: 1 });
  }, 240_000);
});
