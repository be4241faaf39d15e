import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeCliSandbox, type CliSandbox } from "./tmux-helpers.js";

let box: CliSandbox;
beforeEach(async () => {
  box = await makeCliSandbox();
});
afterEach(async () => {
  await box.cleanup();
});

// Attaching with a real terminal is tested in packages/tmux (test/attach.test.ts, inside an outer tmux pane);
// here stdin is not a TTY, which is exactly the error case a user hits when piping.
describe("csess attach", () => {
  it("needs a terminal and says how to read the output instead", async () => {
    await box.csess("exec", "--name", "demo", "--", "sh", "-c", "echo hi; exit 3");
    const result = await box.csess("attach", "demo");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe("csess: csess attach needs a terminal (stdin and stdout must be a TTY); to read demo's output here use: csess logs demo\n");
  });

  it("lists the known sessions for an unknown name", async () => {
    const result = await box.csess("attach", "nope");
    expect(result.stderr).toBe(`csess: unknown session "nope": no csess sessions are registered in ${box.dir}/home\n`);
  });
});
