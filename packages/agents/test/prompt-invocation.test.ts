import { describe, expect, it } from "vitest";
import { AGENT_KINDS, buildInvocation, buildPrompt, codexProviderArgs, csessEnv, type AgentProbe, type PromptInput } from "../src/index.js";

const base: PromptInput = { task: { id: "k3m9qa", title: "Add login" }, prdPath: "docs/PRD.md", runId: "run-1", iteration: 1, maxIterations: 3 };
/** The prompt's markdown sections: heading -> body (between its blank lines and the next heading). */
const sections = (prompt: string) =>
  Object.fromEntries(prompt.split(/\n\n(?=## )/).slice(1).map((s) => {
    const [heading = "", ...rest] = s.split("\n");
    return [heading, rest.slice(1).join("\n")];
  }));

describe("buildPrompt: the sections an agent reads", () => {
  it("every part, word for word: one blank line between the header, each heading and what follows it", () => {
    const prompt = buildPrompt({
      task: { id: "k3m9qa", title: "Add login", line: 7, body: "  Use OAuth.", sectionText: "## Auth\n\n- [ ] Add login" },
      prdPath: "docs/PRD.md", runId: "run-1", iteration: 2, maxIterations: 3,
      notes: ["tried A\n", "  ", "then B"], checkCommand: "pnpm test",
    });
    expect(prompt.split("\n").slice(1)).toEqual([
      "",
      "Task id: k3m9qa", "Task: Add login", "PRD: docs/PRD.md", "Checkbox line: 7", "Run: run-1, iteration 2 of 3",
      "", "## The task", "", "Add login",
      "", "  Use OAuth.",
      "", "## Its section of docs/PRD.md", "", "## Auth", "", "- [ ] Add login",
      "", "## What earlier iterations left", "",
      "### Note 1", "", "tried A", "",
      "### Note 2", "", "then B", "",
      "Continue from there: check `git log` and the working tree before redoing anything.",
      "", "## Check", "", "This check must pass: run `pnpm test` and make it pass before you commit.",
      "", "## When you are done", "",
      "1. Do the work in this worktree only, and commit it with git. End every commit message with this trailer line:",
      "", "   Csess-Task: k3m9qa", "",
      "2. In the same worktree, tick this task's checkbox in docs/PRD.md (change `[ ]` to `[x]` on line 7; change nothing else in that file) and commit that too, with the same trailer.",
      "3. Tick the box only when the work is done and committed: csess checks git, not the checkbox.",
      "4. If you cannot finish, leave the box unticked, commit what is useful, and say in your final message what is left and why; the next iteration reads it.",
      "",
    ]);
  });

  it("a minimal task: the header, the task, and the done instructions, as markdown sections with blank lines between", () => {
    const prompt = buildPrompt(base);
    expect(prompt.split("\n").slice(0, 7)).toEqual([
      expect.stringMatching(/^You are working on one task from a PRD checklist.*git history\.$/),
      "",
      "Task id: k3m9qa",
      "Task: Add login",
      "PRD: docs/PRD.md",
      "Run: run-1, iteration 1 of 3",
      "",
    ]);
    expect(Object.keys(sections(prompt))).toEqual(["## The task", "## When you are done"]);
    expect(sections(prompt)["## The task"]).toBe("Add login");
    expect(prompt).not.toContain("Checkbox line:");
    expect(prompt).toContain("(change `[ ]` to `[x]` on the task's line; change nothing else in that file)");
    expect(prompt.endsWith("the next iteration reads it.\n")).toBe(true);
  });

  it("the done instructions: commit with the trailer, tick the box in the worktree, only when done, else say what is left", () => {
    const done = sections(buildPrompt({ ...base, task: { ...base.task, line: 7 } }))["## When you are done"]!;
    expect(done.split("\n")).toEqual([
      expect.stringMatching(/^1\. .*commit it with git\. End every commit message with this trailer line:$/),
      "",
      "   Csess-Task: k3m9qa",
      "",
      expect.stringMatching(/^2\. .*tick this task's checkbox in docs\/PRD\.md \(change `\[ \]` to `\[x\]` on line 7; change nothing else/),
      expect.stringMatching(/^3\. Tick the box only when the work is done and committed: csess checks git, not the checkbox\.$/),
      expect.stringMatching(/^4\. If you cannot finish, leave the box unticked.*the next iteration reads it\.$/),
      "",
    ]);
  });

  it("body, section, notes and check each get their section, in that order", () => {
    const prompt = buildPrompt({
      ...base,
      task: { ...base.task, line: 7, body: "  - [ ] sub\n  detail", sectionText: "## Auth\n\nLogin work." },
      notes: ["  iteration 1: tests failed  \n\n", " ", "iteration 2: half done"],
      checkCommand: "pnpm test",
    });
    expect(prompt).toContain("\nCheckbox line: 7\nRun: run-1, iteration 1 of 3\n");
    const s = sections(prompt);
    expect(Object.keys(s)).toEqual(["## The task", "## Its section of docs/PRD.md", "## Auth", "## What earlier iterations left", "## Check", "## When you are done"]);
    expect(s["## The task"]).toBe("Add login\n\n  - [ ] sub\n  detail");
    expect(s["## Auth"]).toBe("Login work.");
    expect(s["## What earlier iterations left"]).toBe(
      "### Note 1\n\n  iteration 1: tests failed\n\n### Note 2\n\niteration 2: half done\n\nContinue from there: check `git log` and the working tree before redoing anything.",
    );
    expect(s["## Check"]).toBe("This check must pass: run `pnpm test` and make it pass before you commit.");
  });

  it("blank body, section and notes add nothing", () => {
    const prompt = buildPrompt({ ...base, task: { ...base.task, body: " \n ", sectionText: "\n" }, notes: ["", "  "] });
    expect(Object.keys(sections(prompt))).toEqual(["## The task", "## When you are done"]);
    expect(prompt).toBe(buildPrompt(base));
  });

  it("a title spread over lines stays one header line, trimmed", () => {
    expect(buildPrompt({ ...base, task: { ...base.task, title: "  Add\r\n   login \n" } })).toContain("\nTask: Add login\n");
  });
});

describe("buildInvocation", () => {
  it("the agent kinds --agent accepts", () => {
    expect(AGENT_KINDS).toEqual(["codex", "claude", "custom"]);
  });

  const env = { taskId: "k3m9qa", taskTitle: "Add login", runId: "run-1", prd: "PRD.md", iteration: 2 };
  const custom: AgentProbe = { kind: "custom", found: true, path: "/bin/sh", flags: ["-c"], env: {}, permissionMode: "none", notes: [] };

  it("csessEnv: the custom agent contract's variables", () => {
    expect(csessEnv({ worktree: "/w", promptFile: "/p/prompt.md", env })).toEqual({
      CSESS_TASK_ID: "k3m9qa",
      CSESS_TASK_TITLE: "Add login",
      CSESS_RUN_ID: "run-1",
      CSESS_PRD: "PRD.md",
      CSESS_PROMPT_FILE: "/p/prompt.md",
      CSESS_ITERATION: "2",
    });
  });

  it("custom: sh -c CMD as given, in the worktree, prompt on stdin; a blank command is refused", () => {
    expect(buildInvocation(custom, { worktree: "/w/t", promptFile: "/p", agentCmd: " my-agent --yes ", env })).toMatchObject({
      argv: ["/bin/sh", "-c", " my-agent --yes "],
      cwd: "/w/t",
      stdinFile: "/p",
    });
    expect(() => buildInvocation(custom, { worktree: "/w", promptFile: "/p", agentCmd: "   ", env })).toThrow(/--agent custom needs --agent-cmd CMD/);
  });

  it("an agent that was not found names why, or 'not found'", () => {
    expect(() => buildInvocation({ ...custom, found: false, error: "sh is broken" }, { worktree: "/w", promptFile: "/p", agentCmd: "x", env })).toThrow(
      "cannot run custom: sh is broken (run `csess doctor` to see what is missing)",
    );
    expect(() => buildInvocation({ ...custom, found: false }, { worktree: "/w", promptFile: "/p", agentCmd: "x", env })).toThrow("cannot run custom: not found (");
    expect(() => buildInvocation({ ...custom, path: undefined }, { worktree: "/w", promptFile: "/p", agentCmd: "x", env })).toThrow(/cannot run custom/);
  });

  it("codex inside a git repository: no --skip-git-repo-check, extra args before the stdin '-'", () => {
    const codex: AgentProbe = { kind: "codex", found: true, path: "/bin/codex", flags: ["exec"], env: {}, permissionMode: "bypass-sandbox", notes: [] };
    const inv = buildInvocation(codex, { worktree: import.meta.dirname, promptFile: "/p", env, extraArgs: ["-c", "x=1"] });
    expect(inv.argv).toEqual(["/bin/codex", "exec", "-C", import.meta.dirname, "-c", "x=1", "-"]);
  });

  it("claude: extra args after the model; no provider, no ANTHROPIC_BASE_URL", () => {
    const claude: AgentProbe = { kind: "claude", found: true, path: "/bin/claude", flags: ["-p"], env: {}, permissionMode: "skip-permissions", notes: [] };
    const inv = buildInvocation(claude, { worktree: "/w", promptFile: "/p", env, model: "opus", extraArgs: ["--max-turns", "5"] });
    expect(inv.argv).toEqual(["/bin/claude", "-p", "--model", "opus", "--max-turns", "5"]);
    expect(inv.env.ANTHROPIC_BASE_URL).toBeUndefined();
  });

  it("codexProviderArgs: name, retries only when given, keys quoted as TOML strings", () => {
    expect(codexProviderArgs({ baseUrl: "http://h/v1", name: "local_1", streamMaxRetries: 2 })).toEqual([
      "-c", 'model_provider="local_1"', "-c", 'model_providers.local_1={name="local_1",base_url="http://h/v1",wire_api="responses",stream_max_retries=2}',
    ]);
    expect(codexProviderArgs({ baseUrl: 'http://h/"v1"' })[3]).toBe('model_providers.csess={name="csess",base_url="http://h/\\"v1\\"",wire_api="responses"}');
  });
});
