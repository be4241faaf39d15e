import { access, mkdir, readdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sanitizeSessionName, validateSessionName } from "../src/index.js";
import { makeSandbox, type Sandbox } from "./helpers.js";

let box: Sandbox;
beforeEach(async () => {
  box = await makeSandbox();
});
afterEach(async () => {
  await box.cleanup();
});

const HOSTILE = [
  "$(touch pwned1)",
  "`touch pwned2`",
  "it's \"quoted\"; touch pwned3",
  "line one\nline two; touch pwned4",
  "#{session_name} #(touch pwned5) %1",
  "ünïcødé ☃ 日本語",
  "; kill-server ;",
];

/**
 * Every file a `touch pwnedN` created: proof that some text was executed. A shell would run it in the
 * session's cwd, the tmux server's cwd (this process's) or the home directory.
 */
async function pwnedFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const look = async (where: string, recursive: boolean) => {
    for (const entry of await readdir(where, { recursive, withFileTypes: true })) {
      if (/^pwned\d+$/.test(entry.name)) found.push(path.join(entry.parentPath, entry.name));
    }
  };
  await look(dir, true);
  await look(process.cwd(), false);
  await look(os.homedir(), false);
  return found;
}

describe("hostile input", () => {
  it("passes hostile arguments to the command literally and executes none of them", async () => {
    const outcome = await box.tmux.start({
      name: "hostile",
      cwd: box.dir,
      argv: ["printf", "[%s]\\n", ...HOSTILE],
      stateDir: box.stateDir("hostile"),
      meta: { task: HOSTILE.join(" ") },
    }).then(() => box.tmux.waitForExit("hostile"));
    expect(outcome).toMatchObject({ state: "exited", exitCode: 0 });
    expect(await box.tmux.tail("hostile", 100)).toBe(HOSTILE.map((h) => `[${h}]\n`).join(""));
    expect((await box.tmux.status("hostile")).meta.task).toBe(HOSTILE.join(" "));
    expect(await pwnedFiles(box.dir)).toEqual([]);
  });

  it("works in a working directory and state directory whose paths are hostile", async () => {
    const cwd = path.join(box.dir, "cwd $(touch pwned6) `touch pwned7` 'q' #{pane_id}");
    const stateDir = path.join(box.dir, "st \"$(touch pwned8)\"\nnl ☃ #(touch pwned9)");
    await mkdir(cwd, { recursive: true });
    const prompt = path.join(cwd, "prompt $(touch pwned10).md");
    await writeFile(prompt, "$(touch pwned11)\n");
    await box.tmux.start({ name: "paths", cwd, argv: ["sh", "-c", 'pwd; cat'], stdinFile: prompt, stateDir });
    expect(await box.tmux.waitForExit("paths")).toMatchObject({ state: "exited", exitCode: 0 });
    expect(await box.tmux.tail("paths", 10)).toBe(`${cwd}\n$(touch pwned11)\n`);
    await access(path.join(stateDir, "exit.json"));
    expect(await pwnedFiles(box.dir)).toEqual([]);
  });

  it("sanitises hostile names into valid tmux session names and rejects them unsanitised", async () => {
    for (const raw of [...HOSTILE, "a.b:c", "-leading", "", "x".repeat(100)]) {
      const name = sanitizeSessionName(raw);
      expect(name).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{0,63}$/);
      expect(() => validateSessionName(raw)).toThrow(/invalid session name/);
    }
    expect(sanitizeSessionName("fix: login.page (v2)")).toBe("fix-login-page-v2");
    const name = sanitizeSessionName("$(touch pwned12)");
    await box.tmux.start({ name, cwd: box.dir, argv: ["true"], stateDir: box.stateDir("n") });
    expect(await box.tmux.waitForExit(name)).toMatchObject({ state: "exited", exitCode: 0 });
    await expect(
      box.tmux.start({ name: "a.b", cwd: box.dir, argv: ["true"], stateDir: box.stateDir("a") }),
    ).rejects.toMatchObject({ code: "INVALID_NAME", message: expect.stringMatching(/for example "a-b"/) });
    expect(await pwnedFiles(box.dir)).toEqual([]);
  });

  it("a command that deletes its own state directory is still waited for to its real exit", async () => {
    const stateDir = box.stateDir("self-deleting");
    const gate = path.join(box.dir, "go");
    // Deletes session.json and all, then waits for the test: the wait starts with the state directory gone.
    const script = `rm -rf "$1"; while [ ! -e "$2" ]; do sleep 0.05; done; exit 7`;
    await box.tmux.start({ name: "self-deleting", cwd: box.dir, argv: ["sh", "-c", script, "sh", stateDir, gate], stateDir });
    for (let i = 0; i < 400 && (await access(path.join(stateDir, "session.json")).then(() => true, () => false)); i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    const waiting = box.tmux.waitForExit({ stateDir });
    await writeFile(gate, "");
    expect(await waiting).toMatchObject({ state: "exited", exitCode: 7 });
  }, 30_000);
});
