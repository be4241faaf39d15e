import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { notifyCommand } from "../src/notify.js";
import { makeCliSandbox, type CliSandbox } from "./tmux-helpers.js";
import { waitFor } from "./run-helpers.js";

let box: CliSandbox;
beforeEach(async () => {
  box = await makeCliSandbox();
});
afterEach(async () => {
  await box.cleanup();
});

describe("csess exec", () => {
  it("acceptance: returns at once; status shows exit code 3; logs prints hi; the pane stays attachable", async () => {
    const started = await box.csess("exec", "--name", "demo", "--cwd", box.dir, "--", "sh", "-c", "echo hi; exit 3");
    expect(started).toMatchObject({ code: 0, stderr: "" });
    expect(started.stdout).toContain("started session demo");
    expect(started.stdout).toContain("csess logs demo -f");
    await box.tmux.waitForExit("demo");

    const status = await box.csess("status", "--json");
    expect(status.code).toBe(0);
    const { sessions } = JSON.parse(status.stdout) as { sessions: Array<Record<string, unknown>> };
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({
      name: "demo",
      state: "exited",
      exitCode: 3,
      cwd: box.dir,
      command: "sh -c 'echo hi; exit 3'",
      attachable: true,
      meta: { source: "csess exec" },
    });
    expect(typeof sessions[0]?.startedAt).toBe("string");

    expect(await box.csess("logs", "demo")).toEqual({ code: 0, stdout: "hi\n", stderr: "" });
    expect(await box.tmux.capturePane("demo", 20)).toContain("hi");
  });

  it("returns while the command is still running", async () => {
    const gate = path.join(box.dir, "gate");
    const started = await box.csess("exec", "--name", "gated", "--", "sh", "-c", 'while [ ! -e "$1" ]; do sleep 0.05; done', "sh", gate);
    expect(started.code).toBe(0);
    expect((await box.tmux.status("gated")).state).toBe("running");
    await writeFile(gate, "");
    expect(await box.tmux.waitForExit("gated")).toMatchObject({ state: "exited", exitCode: 0 });
  });

  it("makes names tmux-safe and prints the name it used; --json gives the paths", async () => {
    const { stdout } = await box.csess("exec", "--name", "fix: login.page", "--json", "--", "true");
    const started = JSON.parse(stdout) as { name: string; logFile: string; stateDir: string };
    expect(started.name).toBe("fix-login-page");
    expect(started.stateDir).toBe(path.join(box.dir, "home", "exec", "fix-login-page"));
    expect(await box.tmux.waitForExit("fix-login-page")).toMatchObject({ exitCode: 0 });
  });

  it("refuses to replace a running session of the same name", async () => {
    await box.csess("exec", "--name", "busy", "--", "sleep", "600");
    const again = await box.csess("exec", "--name", "busy", "--", "true");
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^csess: session busy is still running/);
  });

  it("kills the command after --timeout minutes", async () => {
    await box.csess("exec", "--name", "slow", "--timeout", "0.02", "--", "sleep", "600");
    expect(await box.tmux.waitForExit("slow")).toMatchObject({ state: "exited", reason: "timeout" });
  });

  it("rejects a bad --timeout with an example", async () => {
    const result = await box.csess("exec", "--timeout", "soon", "--", "true");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--timeout expects a positive number of minutes, for example --timeout 30 or --timeout 0.5; got "soon"');
  });

  it("notifies through openclaw by default when it is on PATH", async () => {
    // A stand-in openclaw (the real one is not installed here) that records the arguments it got.
    const bin = path.join(box.dir, "bin");
    const record = path.join(box.dir, "openclaw.args");
    await mkdir(bin);
    await writeFile(path.join(bin, "openclaw"), `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}.tmp' && mv '${record}.tmp' '${record}'\n`);
    await chmod(path.join(bin, "openclaw"), 0o755);
    process.env.PATH = `${bin}${path.delimiter}${process.env.PATH ?? ""}`;
    await box.csess("exec", "--name", "notified", "--cwd", box.dir, "--", "sh", "-c", "exit 3");
    await box.tmux.waitForExit("notified");
    await waitFor(() => existsSync(record), path.dirname(record), 30_000);
    expect((await readFile(record, "utf8")).split("\n")).toEqual([
      "system", "event", "--text", `notified finished (exit 3) in ${box.dir}`, "--mode", "now", "",
    ]);
  });

  it("chooses the notification: --notify, then $CSESS_NOTIFY, then openclaw, then notify-send, else none", () => {
    const none = { PATH: "" };
    expect(notifyCommand("say done", { ...none, CSESS_NOTIFY: "x" })).toBe("say done");
    expect(notifyCommand(false, { ...none, CSESS_NOTIFY: "x" })).toBeUndefined();
    expect(notifyCommand(undefined, { ...none, CSESS_NOTIFY: "mine" })).toBe("mine");
    expect(notifyCommand(undefined, none)).toBeUndefined();
  });
});
