/**
 * The real Claude Code CLI (devDependency @anthropic-ai/claude-code, pinned) in a real tmux session
 * against the scripted model server via ANTHROPIC_BASE_URL, with a temp HOME. No network is needed:
 * nonessential traffic and telemetry are switched off, and everything else it sends goes to the
 * server (HEAD /api/hello, POST /v1/messages).
 * The usage-limit case logs in with a made-up claude.ai token (CLAUDE_CODE_OAUTH_TOKEN): only
 * subscription logins get "You've hit your limit · resets ..." and a rejected rate_limit_event;
 * with an API key the same 429 is reported as a plain rate limit.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startModelServer, type ModelServer } from "@csess/model-server";
import { buildInvocation, buildPrompt, classifyOutcome, probeAgent, type AgentProbe, type InvocationOptions } from "../src/index.js";
import { BIN_DIR, captureOutput, killTmux, makeRepo, runInTmux, startTmux } from "./helpers.js";

const PRD = "# Demo\n\n- [ ] Add a greeting\n- [ ] Hit a rate limit\n- [ ] Hit the usage limit\n";
const TASKS = {
  honest: { id: "add-a-greeting", title: "Add a greeting", line: 3 },
  limited: { id: "hit-a-rate-limit", title: "Hit a rate limit", line: 4 },
  usage: { id: "hit-the-usage-limit", title: "Hit the usage limit", line: 5 },
};

let server: ModelServer;
let repo: Awaited<ReturnType<typeof makeRepo>>;
let probe: AgentProbe;
let env: Record<string, string>;
let socket: string;

beforeAll(async () => {
  server = await startModelServer({
    scenarios: { [TASKS.limited.id]: { kind: "rate-limit", retryAfterSeconds: 2 }, [TASKS.usage.id]: { kind: "usage-limit", resetInSeconds: 7200 } },
  });
  repo = await makeRepo(PRD);
  socket = join(repo.root, "tmux.sock");
  const home = join(repo.root, "home");
  await mkdir(home, { recursive: true });
  env = {
    PATH: `${BIN_DIR}:${process.env.PATH}`,
    HOME: home,
    CLAUDE_CODE_MAX_RETRIES: "0", // the 429 run ends at once instead of retrying for minutes
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    DISABLE_TELEMETRY: "1",
  };
  probe = await probeAgent("claude", { env });
  await startTmux(socket);
});

afterAll(async () => {
  await killTmux(socket);
  await server?.close();
  await repo?.cleanup();
});

async function runTask(name: string, task: { id: string; title: string; line: number }, auth: Record<string, string>, extra: Partial<InvocationOptions> = {}) {
  const dir = join(repo.root, name);
  await mkdir(dir);
  const promptFile = join(dir, "prompt.md");
  await writeFile(promptFile, buildPrompt({ task, prdPath: "PRD.md", runId: "run-1", iteration: 1, maxIterations: 3 }));
  const invocation = buildInvocation(probe, {
    worktree: repo.worktree,
    promptFile,
    model: "claude-sonnet-4-5",
    env: { taskId: task.id, taskTitle: task.title, runId: "run-1", prd: "PRD.md", iteration: 1 },
    provider: { baseUrl: server.anthropicBaseUrl },
    ...extra,
  });
  const { exitCode, output } = await runInTmux(socket, name, invocation, { ...env, ...auth }, dir);
  await captureOutput(`claude-${name}`, { kind: "claude", ...(probe.version ? { version: probe.version } : {}), exitCode, output });
  return { exitCode, output, outcome: classifyOutcome({ kind: "claude", exitCode, output }) };
}

const API_KEY = { ANTHROPIC_API_KEY: "sk-ant-scripted" };

describe("claude 2.1 end to end", () => {
  it("probes the CLI and, as root, sets IS_SANDBOX=1 for --dangerously-skip-permissions", () => {
    expect(probe.found).toBe(true);
    expect(probe.flags).toEqual(["-p", "--output-format", "stream-json", "--verbose", "--dangerously-skip-permissions"]);
    expect(probe.env.IS_SANDBOX).toBe(process.getuid?.() === 0 ? "1" : undefined);
  });

  it("honest: runs the scripted Bash commands and commits with the Csess-Task trailer", async () => {
    const run = await runTask("honest", TASKS.honest, API_KEY);
    expect(run.exitCode).toBe(0);
    expect(run.outcome.class).toBe("success");
    expect(run.outcome.tokens?.output).toBeGreaterThan(0);
    expect(await repo.git(repo.worktree, "log", "-1", "--format=%B")).toMatch(/^Csess-Task: add-a-greeting$/m);
    expect(await readFile(join(repo.worktree, "PRD.md"), "utf8")).toContain("- [x] Add a greeting");
  });

  it("429: classified rate-limited from the stream-json result (api_error_status 429)", async () => {
    const run = await runTask("rate-limit", TASKS.limited, API_KEY);
    expect(run.exitCode).toBe(1);
    expect(run.outcome.class).toBe("rate-limited");
  });

  it("subscription usage limit: classified usage-limit with resetsAt from the rate_limit_event", async () => {
    const before = Date.now();
    const run = await runTask("usage-limit", TASKS.usage, { CLAUDE_CODE_OAUTH_TOKEN: "sk-ant-oat01-scripted" });
    expect(run.outcome.class).toBe("usage-limit");
    expect(run.outcome.summary).toMatch(/hit your .*limit/);
    // The server stamps the reset when the request arrives, somewhere between before and after
    // (claude alone takes seconds to start on a loaded machine); whole seconds, so 1 s of slack.
    const after = Date.now();
    const resetAt = Date.parse(run.outcome.resetAt ?? "");
    expect(resetAt).toBeGreaterThanOrEqual(before + 7200_000 - 1_000);
    expect(resetAt).toBeLessThanOrEqual(after + 7200_000 + 1_000);
  });

  it("bad flags: an option this version does not know is classified bad-flags", async () => {
    const run = await runTask("bad-flags", TASKS.honest, API_KEY, { extraArgs: ["--no-such-flag"] });
    expect(run.exitCode).not.toBe(0);
    expect(run.outcome.class).toBe("bad-flags");
  });
});
