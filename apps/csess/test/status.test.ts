import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeCliSandbox, type CliSandbox } from "./tmux-helpers.js";

let box: CliSandbox;
beforeEach(async () => {
  box = await makeCliSandbox();
});
afterEach(async () => {
  await box.cleanup();
});

describe("csess status", () => {
  it("says how to start a session when there are none", async () => {
    expect((await box.csess("status")).stdout).toMatch(/No csess sessions/);
    expect(JSON.parse((await box.csess("status", "--json")).stdout)).toMatchObject({ sessions: [] });
  });

  it("lists the runner's sessions too, with their meta, and every state", async () => {
    await box.tmux.start({
      name: "run1-t1-i1",
      cwd: box.dir,
      argv: ["sh", "-c", "exit 1"],
      stateDir: `${box.dir}/runs/run1/tasks/t1/iter-1`,
      meta: { run: "run1", task: "t1", iteration: "1" },
    });
    await box.tmux.waitForExit("run1-t1-i1");
    await box.csess("exec", "--name", "live", "--", "sleep", "600");
    const table = (await box.csess("status")).stdout;
    expect(table).toMatch(/^NAME\s+STATE\s+EXIT/);
    expect(table).toMatch(/run1-t1-i1\s+exited\s+1 /);
    expect(table).toMatch(/live\s+running\s/);

    await box.tmux.killServer();
    const { sessions } = JSON.parse((await box.csess("status", "--json")).stdout) as {
      sessions: Array<{ name: string; state: string; exitCode: number | null; meta: Record<string, string> }>;
    };
    expect(sessions.map((s) => [s.name, s.state, s.exitCode])).toEqual([
      ["run1-t1-i1", "exited", 1],
      ["live", "dead", null],
    ]);
    expect(sessions[0]?.meta).toEqual({ run: "run1", task: "t1", iteration: "1" });
  });

  it("shows a silent running session as stalled past --stall minutes", async () => {
    await box.csess("exec", "--name", "silent", "--", "sleep", "600");
    await new Promise((r) => setTimeout(r, 200));
    expect((await box.csess("status", "--stall", "0.001")).stdout).toMatch(/silent\s+stalled/);
    expect((await box.csess("status")).stdout).toMatch(/silent\s+running/);
  });
});
