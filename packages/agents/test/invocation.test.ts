import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildInvocation, buildPrompt, classifyOutcome, codexProviderArgs, probeAgent, type AgentProbe } from "../src/index.js";
import { BIN_DIR, killTmux, makeRepo, runInTmux, startTmux } from "./helpers.js";

const HOSTILE_TITLE = `Fix "quotes" & 'apostrophes' $(touch pwned) \`touch pwned2\` ; rm -rf / #`;
const HOSTILE_BODY = "  - [ ] sub-item with $HOME and $(id)\n  line two\\n with a backslash\r\n\ttab and `backticks`";
const taskEnv = { taskId: "fix-quotes", taskTitle: HOSTILE_TITLE, runId: "run-7", prd: "docs/PRD.md", iteration: 2 };

describe("buildPrompt", () => {
  const prompt = buildPrompt({
    task: { id: "fix-quotes", title: HOSTILE_TITLE, body: HOSTILE_BODY, sectionText: "## Auth\n\nLogin work.", line: 12 },
    prdPath: "docs/PRD.md",
    runId: "run-7",
    iteration: 2,
    maxIterations: 5,
    notes: ["iteration 1: tests failed in auth.test.ts", ""],
    checkCommand: "pnpm test",
  });

  it("starts with the parseable header", () => {
    expect(prompt).toContain("\nTask id: fix-quotes\n");
    expect(prompt).toContain(`\nTask: ${HOSTILE_TITLE}\n`);
    expect(prompt).toContain("\nPRD: docs/PRD.md\nCheckbox line: 12\nRun: run-7, iteration 2 of 5\n");
  });

  it("copies the task text verbatim and carries notes, the check and the commit contract", () => {
    expect(prompt).toContain(`\n${HOSTILE_BODY}\n`);
    expect(prompt).toContain("## Auth\n\nLogin work.");
    expect(prompt).toContain("iteration 1: tests failed in auth.test.ts");
    expect(prompt).not.toContain("### Note 2"); // empty notes are dropped
    expect(prompt).toContain("run `pnpm test` and make it pass");
    expect(prompt).toContain("   Csess-Task: fix-quotes\n");
    expect(prompt).toContain("tick this task's checkbox in docs/PRD.md");
  });

  it("keeps a multi-line title on one header line", () => {
    const p = buildPrompt({ task: { id: "a", title: "one\ntwo" }, prdPath: "PRD.md", runId: "r", iteration: 1, maxIterations: 1 });
    expect(p).toContain("\nTask: one two\n");
  });
});

describe("buildInvocation", () => {
  const codex: AgentProbe = { kind: "codex", found: true, path: "/bin/codex", version: "0.169.0", flags: ["exec", "--dangerously-bypass-approvals-and-sandbox", "--json"], env: {}, permissionMode: "bypass-sandbox", notes: [] };

  it("codex: flags, -C the worktree, -o, model, provider -c overrides, prompt from stdin ('-')", () => {
    const inv = buildInvocation(codex, { worktree: import.meta.dirname, promptFile: "/p/prompt.md", lastMessageFile: "/p/last.txt", model: "o3", env: taskEnv, provider: { baseUrl: "http://127.0.0.1:9/v1", envKey: "K", requestMaxRetries: 0 } });
    expect(inv.argv).toEqual([
      "/bin/codex", "exec", "--dangerously-bypass-approvals-and-sandbox", "--json", "-C", import.meta.dirname, "-o", "/p/last.txt", "-m", "o3",
      "-c", 'model_provider="csess"', "-c", 'model_providers.csess={name="csess",base_url="http://127.0.0.1:9/v1",wire_api="responses",env_key="K",request_max_retries=0}', "-",
    ]);
    expect(inv.stdinFile).toBe("/p/prompt.md");
    expect(inv.env.CSESS_TASK_TITLE).toBe(HOSTILE_TITLE);
    expect(inv.argv.join(" ")).not.toContain("touch");
  });

  it("codex: --skip-git-repo-check only outside a git repository", () => {
    const inv = buildInvocation(codex, { worktree: "/", promptFile: "/p", env: taskEnv });
    expect(inv.argv).toContain("--skip-git-repo-check");
  });

  it("rejects a provider name that would break the TOML key", () => {
    expect(() => codexProviderArgs({ baseUrl: "http://x", name: "a.b" })).toThrow(/provider name must be letters/);
  });

  it("claude: ANTHROPIC_BASE_URL for a custom endpoint, the probe's env (IS_SANDBOX) kept", () => {
    const claude: AgentProbe = { kind: "claude", found: true, path: "/bin/claude", flags: ["-p"], env: { IS_SANDBOX: "1" }, permissionMode: "skip-permissions", notes: [] };
    const inv = buildInvocation(claude, { worktree: "/w", promptFile: "/p", model: "sonnet", env: taskEnv, provider: { baseUrl: "http://127.0.0.1:9" } });
    expect(inv.argv).toEqual(["/bin/claude", "-p", "--model", "sonnet"]);
    expect(inv.env).toMatchObject({ IS_SANDBOX: "1", ANTHROPIC_BASE_URL: "http://127.0.0.1:9", CSESS_ITERATION: "2", CSESS_PRD: "docs/PRD.md" });
  });

  it("refuses an agent that was not found, and custom without a command", async () => {
    const missing = await probeAgent("codex", { env: { PATH: "/nonexistent" } });
    expect(missing.found).toBe(false);
    expect(missing.error).toMatch(/codex not found on PATH; install it with `npm install -g @openai\/codex`/);
    expect(() => buildInvocation(missing, { worktree: "/", promptFile: "/p", env: taskEnv })).toThrow(/cannot run codex/);
    const custom = await probeAgent("custom");
    expect(() => buildInvocation(custom, { worktree: "/", promptFile: "/p", env: taskEnv })).toThrow(/--agent-cmd/);
  });
});

describe("custom agent through tmux: hostile task text arrives byte-exact and never runs", () => {
  let repo: Awaited<ReturnType<typeof makeRepo>>;
  let socket: string;
  beforeAll(async () => {
    repo = await makeRepo("- [ ] x\n");
    socket = join(repo.root, "tmux.sock");
    await startTmux(socket);
  });
  afterAll(async () => {
    await killTmux(socket);
    await repo?.cleanup();
  });

  it("sh -c 'cat > got.txt' receives the prompt file's exact bytes and the CSESS_* variables", async () => {
    const prompt = buildPrompt({ task: { id: "fix-quotes", title: HOSTILE_TITLE, body: HOSTILE_BODY }, prdPath: "docs/PRD.md", runId: "run-7", iteration: 2, maxIterations: 3 });
    const promptFile = join(repo.root, "prompt.md");
    await writeFile(promptFile, prompt);
    const probe = await probeAgent("custom");
    const inv = buildInvocation(probe, {
      worktree: repo.worktree,
      promptFile,
      agentCmd: `cat > got.txt && printf '%s\\n%s\\n%s\\n%s\\n' "$CSESS_TASK_ID" "$CSESS_TASK_TITLE" "$CSESS_PRD" "$CSESS_PROMPT_FILE" > vars.txt`,
      env: taskEnv,
    });
    const { exitCode, output } = await runInTmux(socket, "custom", inv, { PATH: process.env.PATH ?? "" }, repo.root);
    expect(exitCode).toBe(0);
    expect(await readFile(join(repo.worktree, "got.txt"), "utf8")).toBe(prompt);
    expect(await readFile(join(repo.worktree, "vars.txt"), "utf8")).toBe(`fix-quotes\n${HOSTILE_TITLE}\ndocs/PRD.md\n${promptFile}\n`);
    for (const dir of [repo.worktree, repo.root, process.cwd()]) {
      expect(existsSync(join(dir, "pwned"))).toBe(false);
      expect(existsSync(join(dir, "pwned2"))).toBe(false);
    }
    expect(classifyOutcome({ kind: "custom", exitCode, output }).class).toBe("success");
  });
});

describe("probeAgent on the pinned CLIs", () => {
  it("finds codex and claude with versions, caches nothing wrong on a second call", async () => {
    const env = { ...process.env, PATH: `${BIN_DIR}:${process.env.PATH}` };
    const [codex, again, claude] = [await probeAgent("codex", { env }), await probeAgent("codex", { env }), await probeAgent("claude", { env, uid: 1000 })];
    expect(codex.version).toBe("0.169.0");
    expect(again.flags).toEqual(codex.flags);
    expect(codex.notes.join(" ")).toContain("rejects --full-auto");
    expect(claude.version).toBe("2.1.329");
    expect(claude.env).toEqual({}); // not root: no IS_SANDBOX
  });
});
