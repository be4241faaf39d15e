import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeCliSandbox, type CliSandbox } from "./tmux-helpers.js";

let box: CliSandbox;
beforeEach(async () => {
  box = await makeCliSandbox();
});
afterEach(async () => {
  await box.cleanup();
});

describe("csess kill", () => {
  it("stops a running session; status then shows it exited (killed) and no longer attachable", async () => {
    await box.csess("exec", "--name", "victim", "--", "sleep", "600");
    const result = await box.csess("kill", "victim");
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^killed victim \(exit 143\); output kept in /);
    expect(await box.tmux.status("victim")).toMatchObject({ state: "exited", reason: "killed", attachable: false });
  });

  it("closes the pane of an exited session and says so", async () => {
    await box.csess("exec", "--name", "done", "--", "sh", "-c", "exit 3");
    await box.tmux.waitForExit("done");
    expect((await box.csess("kill", "done")).stdout).toMatch(/^done had already exited \(exit 3\); closed its tmux session/);
    expect(await box.tmux.status("done")).toMatchObject({ state: "exited", exitCode: 3, attachable: false });
  });

  it("reports a dead session instead of failing", async () => {
    await box.csess("exec", "--name", "ghost", "--", "sleep", "600");
    await box.tmux.killServer();
    const result = await box.csess("kill", "ghost");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^ghost was already dead; nothing to stop/);
  });
});
