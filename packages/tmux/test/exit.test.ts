import { readdirSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Tmux, type ExitOutcome } from "../src/index.js";
import { makeSandbox, waitForFile, type Sandbox } from "./helpers.js";

let box: Sandbox;
beforeEach(async () => {
  box = await makeSandbox();
});
afterEach(async () => {
  await box.cleanup();
});

async function run(name: string, argv: string[], extra: { stdinFile?: string; hook?: string[] } = {}): Promise<ExitOutcome> {
  await box.tmux.start({ name, cwd: box.dir, argv, stateDir: box.stateDir(name), ...extra });
  return box.tmux.waitForExit(name);
}

describe("exit capture", () => {
  it("passes the caller's environment to the command without leaving it on disk (API keys)", async () => {
    const seen = path.join(box.dir, "seen.txt");
    process.env.CSESS_TEST_SECRET = "sk-test-123";
    const outcome = await run("secret", ["sh", "-c", 'printf %s "$CSESS_TEST_SECRET" > "$1"', "sh", seen]).finally(() => delete process.env.CSESS_TEST_SECRET);
    expect(outcome).toMatchObject({ state: "exited", exitCode: 0 });
    expect(await readFile(seen, "utf8")).toBe("sk-test-123");
    expect(readdirSync(box.stateDir("secret"))).not.toContain("launch");
  });

  it("records exit codes 0, 1 and 137 (killed by SIGKILL)", async () => {
    expect(await run("zero", ["sh", "-c", "exit 0"])).toMatchObject({ state: "exited", exitCode: 0, reason: "exit" });
    expect(await run("one", ["sh", "-c", "exit 1"])).toMatchObject({ state: "exited", exitCode: 1, reason: "exit" });
    expect(await run("nine", ["sh", "-c", "kill -9 $$"])).toMatchObject({
      state: "exited",
      exitCode: 137,
      signal: "SIGKILL",
      reason: "exit",
    });
  });

  it("captures 200/200 random exit codes of sessions that exit immediately", async () => {
    const codes = Array.from({ length: 200 }, (_, i) => (i * 7919 + 13) % 256);
    const results: Array<number | string> = new Array<number>(codes.length);
    let next = 0;
    // 6 at a time: each session is a node launcher, and the machine has 2 cores shared with other tests.
    const worker = async () => {
      while (next < codes.length) {
        const i = next++;
        const outcome = await run(`fast-${i}`, ["sh", "-c", 'exit "$1"', "sh", String(codes[i])]);
        // On a miss, say why: the outcome's detail and what the pane shows.
        results[i] = outcome.state === "exited"
          ? outcome.exitCode
          : `${outcome.detail}; pane: ${await box.tmux.capturePane(`fast-${i}`, 20).catch((e: Error) => e.message)}`;
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    expect(results).toEqual(codes);
  }, 600_000);

  it("keeps 10,000 lines of output on disk and tails the last ones", async () => {
    const outcome = await run("many", ["sh", "-c", 'i=0; while [ $i -lt 10000 ]; do i=$((i+1)); echo "line $i"; done']);
    expect(outcome).toMatchObject({ state: "exited", exitCode: 0 });
    const log = await readFile(path.join(box.stateDir("many"), "output.log"), "utf8");
    const lines = log.trimEnd().split("\n");
    expect(lines).toHaveLength(10_000);
    expect(lines[0]).toBe("line 1");
    expect(lines[9999]).toBe("line 10000");
    expect(await box.tmux.tail("many", 2)).toBe("line 9999\nline 10000\n");
  });

  it("waitForExit after the fact: a fresh process gets the result by name or state dir, even with the server gone", async () => {
    await run("early", ["sh", "-c", "echo done; exit 5"]);
    await box.tmux.killServer();
    const restarted = new Tmux({ socket: box.socket, home: box.home });
    expect(await restarted.waitForExit("early")).toMatchObject({ state: "exited", exitCode: 5 });
    expect(await restarted.waitForExit({ stateDir: box.stateDir("early") })).toMatchObject({ state: "exited", exitCode: 5 });
    expect(await restarted.status("early")).toMatchObject({ state: "exited", exitCode: 5, attachable: false });
  });

  it("waitForExit on a state directory where no session was ever started resolves dead", async () => {
    expect(await box.tmux.waitForExit({ stateDir: box.stateDir("never") })).toMatchObject({ state: "dead" });
  });

  it("waits without polling: a waiter started first resolves when the command ends later", async () => {
    const gate = path.join(box.dir, "gate");
    await box.tmux.start({
      name: "gated",
      cwd: box.dir,
      argv: ["sh", "-c", 'while [ ! -e "$1" ]; do sleep 0.05; done; exit 4', "sh", gate],
      stateDir: box.stateDir("gated"),
    });
    const waiting = box.tmux.waitForExit("gated");
    expect(await box.tmux.status("gated")).toMatchObject({ state: "running", attachable: true });
    await writeFile(gate, "");
    expect(await waiting).toMatchObject({ state: "exited", exitCode: 4 });
  });

  it("feeds stdinFile to the command's stdin byte for byte", async () => {
    const prompt = path.join(box.dir, "prompt.md");
    const text = "Fix `it`; don't $(touch pwned)\n\"quoted\" ünïcødé\nlast line without newline";
    await writeFile(prompt, text);
    await run("stdin", ["cat"], { stdinFile: prompt });
    expect(await readFile(path.join(box.stateDir("stdin"), "output.log"), "utf8")).toBe(text);
  });

  it("runs the completion hook with the session name, exit code and directory", async () => {
    const out = path.join(box.dir, "hook.out");
    await run("hooked", ["sh", "-c", "exit 7"], {
      hook: ["sh", "-c", 'printf "%s|%s|%s|%s" "$CSESS_SESSION" "$CSESS_EXIT_CODE" "$CSESS_EXIT_REASON" "$CSESS_CWD" > "$1.tmp" && mv "$1.tmp" "$1"', "sh", out],
    });
    await waitForFile(out);
    expect(await readFile(out, "utf8")).toBe(`hooked|7|exit|${box.dir}`);
  });

  it("reports a command that cannot be started as exit 127 with the reason in the log", async () => {
    expect(await run("missing", ["/nonexistent/agent-cli", "--help"])).toMatchObject({ state: "exited", exitCode: 127 });
    expect(await box.tmux.tail("missing", 5)).toContain("cannot run \"/nonexistent/agent-cli\"");
  });

  it("streams output with follow until the session ends", async () => {
    const gate = path.join(box.dir, "go");
    await box.tmux.start({
      name: "follow",
      cwd: box.dir,
      argv: ["sh", "-c", 'echo one; while [ ! -e "$1" ]; do sleep 0.05; done; echo two', "sh", gate],
      stateDir: box.stateDir("follow"),
    });
    let seen = "";
    const outcome = await box.tmux.follow(
      "follow",
      (chunk) => {
        seen += chunk.toString();
        if (seen.includes("one")) void writeFile(gate, "");
      },
      { fromOffset: 0 },
    );
    expect(outcome).toMatchObject({ state: "exited", exitCode: 0 });
    expect(seen).toBe("one\ntwo\n");
  });
});
