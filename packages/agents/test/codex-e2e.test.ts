/**
 * The real codex CLI (devDependency @openai/codex, pinned) in a real tmux session, in a temp git
 * worktree, against the scripted model server: no network, no API key, a temp CODEX_HOME.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startModelServer, type ModelServer } from "@csess/model-server";
import { buildInvocation, buildPrompt, classifyOutcome, probeAgent, type AgentProbe, type InvocationOptions } from "../src/index.js";
import { BIN_DIR, captureOutput, killTmux, makeRepo, runInTmux, startTmux } from "./helpers.js";

const PRD = "# Demo\n\n- [ ] Add a greeting\n- [ ] Hit a rate limit\n- [ ] Hit the usage limit\n- [ ] Lose the login\n";
const TASKS = {
  honest: { id: "add-a-greeting", title: "Add a greeting", line: 3 },
  limited: { id: "hit-a-rate-limit", title: "Hit a rate limit", line: 4 },
  usage: { id: "hit-the-usage-limit", title: "Hit the usage limit", line: 5 },
  auth: { id: "lose-the-login", title: "Lose the login", line: 6 },
};

let server: ModelServer;
let repo: Awaited<ReturnType<typeof makeRepo>>;
let probe: AgentProbe;
let env: Record<string, string>;
let socket: string;

beforeAll(async () => {
  server = await startModelServer({
    scenarios: { [TASKS.limited.id]: { kind: "rate-limit", retryAfterSeconds: 7 }, [TASKS.usage.id]: { kind: "usage-limit", resetInSeconds: 5400 }, [TASKS.auth.id]: "auth" },
  });
  repo = await makeRepo(PRD);
  socket = join(repo.root, "tmux.sock");
  const home = join(repo.root, "home");
  await mkdir(join(home, ".codex"), { recursive: true });
  env = { PATH: `${BIN_DIR}:${process.env.PATH}`, HOME: home, CODEX_HOME: join(home, ".codex"), CSESS_MODEL_KEY: "scripted" };
  probe = await probeAgent("codex", { env });
  await startTmux(socket);
});

afterAll(async () => {
  await killTmux(socket);
  await server?.close();
  await repo?.cleanup();
});

async function runTask(name: string, task: { id: string; title: string; line: number }, extra: Partial<InvocationOptions> = {}) {
  const dir = join(repo.root, name);
  await mkdir(dir);
  const promptFile = join(dir, "prompt.md");
  await writeFile(promptFile, buildPrompt({ task, prdPath: "PRD.md", runId: "run-1", iteration: 1, maxIterations: 3 }));
  const invocation = buildInvocation(probe, {
    worktree: repo.worktree,
    promptFile,
    lastMessageFile: join(dir, "last.txt"),
    model: "gpt-5.1-codex",
    env: { taskId: task.id, taskTitle: task.title, runId: "run-1", prd: "PRD.md", iteration: 1 },
    // Retries off so the 429 / usage-limit runs end at once (codex's defaults retry for minutes).
    provider: { baseUrl: server.openaiBaseUrl, envKey: "CSESS_MODEL_KEY", requestMaxRetries: 0, streamMaxRetries: 0 },
    ...extra,
  });
  const { exitCode, output } = await runInTmux(socket, name, invocation, env, dir);
  const lastMessage = await readFile(join(dir, "last.txt"), "utf8").catch(() => undefined);
  await captureOutput(`codex-${name}`, { kind: "codex", ...(probe.version ? { version: probe.version } : {}), exitCode, output, ...(lastMessage ? { lastMessage } : {}) });
  return { exitCode, output, lastMessage, outcome: classifyOutcome({ kind: "codex", exitCode, output, ...(lastMessage ? { lastMessage } : {}) }) };
}

describe("codex 0.169 end to end", () => {
  it("probes the pinned version and picks the sandbox bypass (it rejects --full-auto)", () => {
    expect(probe.found).toBe(true);
    expect(probe.version).toBe("0.169.0");
    expect(probe.flags).toEqual(["exec", "--dangerously-bypass-approvals-and-sandbox", "--json"]);
    expect(probe.flags).not.toContain("--full-auto");
  });

  it("honest: runs the scripted shell commands and commits in the worktree with the Csess-Task trailer", async () => {
    const run = await runTask("honest", TASKS.honest);
    expect(run.exitCode).toBe(0);
    expect(run.outcome.class).toBe("success");
    expect(run.outcome.summary).toContain("Csess-Task: add-a-greeting");
    expect(run.outcome.tokens?.total).toBeGreaterThan(0);
    const log = await repo.git(repo.worktree, "log", "-1", "--format=%B");
    expect(log).toMatch(/^Csess-Task: add-a-greeting$/m);
    expect(await readFile(join(repo.worktree, "PRD.md"), "utf8")).toBe(PRD.replace("- [ ] Add a greeting", "- [x] Add a greeting"));
  });

  it("429: classified rate-limited, whatever the model said before", async () => {
    const run = await runTask("rate-limit", TASKS.limited);
    expect(run.exitCode).toBe(1);
    expect(run.outcome.class).toBe("rate-limited");
    expect(run.outcome.summary).toContain("429");
  });

  it("usage limit: classified usage-limit with the reset time codex printed", async () => {
    const before = Date.now();
    const run = await runTask("usage-limit", TASKS.usage);
    expect(run.exitCode).toBe(1);
    expect(run.outcome.class).toBe("usage-limit");
    // codex prints the reset to the minute ("try again at 7:12 AM"): 90 min from now, give or take a minute.
    const reset = Date.parse(run.outcome.resetAt ?? "");
    expect(Math.abs(reset - (before + 5400_000))).toBeLessThan(120_000);
  });

  it("401: classified auth, with the advice to log in again", async () => {
    const run = await runTask("auth", TASKS.auth);
    expect(run.outcome.class).toBe("auth");
    expect(run.outcome.advice).toContain("codex login");
  });

  it("bad flags: a flag this version rejects is classified bad-flags", async () => {
    const run = await runTask("bad-flags", TASKS.honest, { extraArgs: ["--full-auto"] });
    expect(run.exitCode).toBe(2);
    expect(run.outcome.class).toBe("bad-flags");
    expect(run.outcome.summary).toContain("unexpected argument '--full-auto'");
  });
});
