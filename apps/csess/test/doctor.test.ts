import { execFileSync } from "node:child_process";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../src/cli.js";
import { formatDoctor, runDoctor } from "../src/commands/doctor.js";

/** The pinned real CLIs (devDependencies of @csess/agents). */
const AGENT_BIN = resolve(import.meta.dirname, "../../../packages/agents/node_modules/.bin");

let dir: string;
let baseBin: string;

beforeAll(async () => {
  // A PATH holding only tmux, git, perl, node and what npm's bin shims use, so the test controls which
  // agent CLIs are visible.
  dir = await mkdtemp(join(tmpdir(), "csess-doctor-"));
  baseBin = join(dir, "bin");
  execFileSync("mkdir", [baseBin]);
  for (const name of ["tmux", "git", "perl", "sh", "dirname", "sed", "uname"]) await symlink(execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim(), join(baseBin, name));
  await symlink(process.execPath, join(baseBin, "node"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function env(path: string): NodeJS.ProcessEnv {
  return { PATH: path, HOME: join(dir, "home"), CODEX_HOME: join(dir, "codex-home") };
}

describe("csess doctor", () => {
  it("reports tmux, git, perl, each agent CLI with its version, flags, sandbox choice and auth hint", async () => {
    const report = await runDoctor(env(`${baseBin}:${AGENT_BIN}`));
    expect(report.ok).toBe(true);
    expect(report.tools.map((t) => [t.name, t.ok])).toEqual([["tmux", true], ["git", true], ["perl", true]]);
    expect(report.tools[2]?.version).toMatch(/^5\.\d+\.\d+$/);
    const codex = report.agents.find((a) => a.kind === "codex");
    expect(codex).toMatchObject({ found: true, version: "0.169.0", permissionMode: "bypass-sandbox" });
    expect(codex?.flags).toContain("--dangerously-bypass-approvals-and-sandbox");
    expect(codex?.auth).toMatchObject({ ok: false, advice: expect.stringContaining("codex login") });
    const claude = report.agents.find((a) => a.kind === "claude");
    expect(claude).toMatchObject({ found: true, version: "2.1.329" });
    const text = formatDoctor(report);
    expect(text).toMatch(/codex +ok +0\.169\.0/);
    expect(text).toContain("run `codex login`");
    expect(text).toContain(`PATH: ${baseBin}`);
    if (process.getuid?.() === 0) expect(text).toContain("IS_SANDBOX=1");
  });

  it("is not ready without an agent CLI, but --agent custom only needs sh", async () => {
    const none = await runDoctor(env(baseBin));
    expect(none.ok).toBe(false);
    const codex = none.agents.find((a) => a.kind === "codex")?.error;
    expect(codex).toContain("codex not found on PATH; install it with `npm install -g @openai/codex`");
    // This checkout installed codex for the demo: doctor points at it.
    expect(codex).toContain(`export PATH="${resolve(import.meta.dirname, "../node_modules/.bin")}:$PATH"`);
    expect(none.agents.find((a) => a.kind === "claude")?.error).toContain("npm install -g @anthropic-ai/claude-code");
    expect(formatDoctor(none)).toContain("Not ready");
    expect((await runDoctor(env(baseBin), "custom")).ok).toBe(true);
  });

  it("is not ready without perl (every session's launcher is a perl script), and says how to install it", async () => {
    const noPerl = join(dir, "no-perl-bin");
    execFileSync("mkdir", [noPerl]);
    for (const name of ["tmux", "git", "sh", "dirname", "sed", "uname"]) await symlink(join(baseBin, name), join(noPerl, name));
    await symlink(process.execPath, join(noPerl, "node"));
    const report = await runDoctor(env(noPerl), "custom");
    expect(report.ok).toBe(false);
    expect(report.tools.find((t) => t.name === "perl")).toMatchObject({ ok: false, detail: expect.stringContaining("apt-get install -y perl") });
    expect(formatDoctor(report)).toContain("Not ready: csess needs tmux, git, perl and an agent CLI");
  });

  it("the command prints --json and exits 1 when the setup is not usable", async () => {
    const saved = process.env.PATH;
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => (out.push(String(chunk)), true));
    process.env.PATH = baseBin;
    try {
      const code = await main(["node", "csess", "doctor", "--json"]);
      expect(code).toBe(1);
      const report = JSON.parse(out.join(""));
      expect(report.ok).toBe(false);
      expect(report.tools[0].name).toBe("tmux");
    } finally {
      spy.mockRestore();
      process.env.PATH = saved;
      process.exitCode = undefined;
    }
  });

  it("rejects an unknown --agent with the expected values", async () => {
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    try {
      expect(await main(["node", "csess", "doctor", "--agent", "gpt"])).toBe(2);
      expect(String(err.mock.calls[0]?.[0])).toContain('--agent must be one of codex, claude, custom (e.g. --agent codex); received "gpt"');
    } finally {
      err.mockRestore();
    }
  });
});
