import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeCliSandbox, type CliSandbox } from "./tmux-helpers.js";

let box: CliSandbox;
beforeEach(async () => {
  box = await makeCliSandbox();
});
afterEach(async () => {
  await box.cleanup();
});

describe("csess logs", () => {
  it("prints the last -n lines from the log on disk, also after the tmux server is gone", async () => {
    await box.csess("exec", "--name", "counting", "--", "sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25; do echo $i; done");
    await box.tmux.waitForExit("counting");
    await box.tmux.killServer();
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `${26 - n + i}\n`).join("");
    expect((await box.csess("logs", "counting")).stdout).toBe(lines(20));
    expect((await box.csess("logs", "counting", "-n", "3")).stdout).toBe(lines(3));
  });

  it("-f follows new output until the session ends, then says how it ended", async () => {
    const gate = path.join(box.dir, "gate");
    await box.csess("exec", "--name", "live", "--", "sh", "-c", 'echo first; while [ ! -e "$1" ]; do sleep 0.05; done; echo second; exit 4', "sh", gate);
    const following = box.csess("logs", "live", "-f");
    // The gate opens only once `first` is on disk, so `second` is written while logs -f runs.
    await box.tmux.follow("live", () => void writeFile(gate, ""), { fromOffset: 0 });
    const result = await following;
    expect(result.stdout).toBe("first\nsecond\n");
    expect(result.stderr).toBe("csess: live exited with code 4\n");
  });

  it("names the known sessions when the name is unknown", async () => {
    await box.csess("exec", "--name", "known", "--", "true");
    const result = await box.csess("logs", "unknown");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('csess: unknown session "unknown": known sessions: known\n');
  });

  it("rejects a bad -n", async () => {
    const result = await box.csess("logs", "x", "-n", "many");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('expected a whole number of lines such as 20; got "many"');
  });
});
