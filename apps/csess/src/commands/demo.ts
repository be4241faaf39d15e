import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { probeAgent, type AgentKind } from "@csess/agents";
import { UserError } from "../errors.js";
import { DEMO_DIR, PACKAGE_ROOT } from "../package-root.js";
import type { RunReport } from "../run/report.js";
import { listRuns, runDir } from "../run/rundir.js";
import { startRun } from "../run/start.js";

/** From a clone: the codex and claude CLIs installed with the workspace (devDependencies) come first. */
const LOCAL_BIN = path.join(PACKAGE_ROOT, "node_modules", ".bin");

export interface DemoOptions {
  dir?: string;
  agent: string;
  parallel: string;
  json?: boolean;
}

/** `csess demo`: the bundled demo, run as scripted. */
export async function demoCommand(options: DemoOptions): Promise<void> {
  process.exitCode = await runDemo(options);
}

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", args, {
    cwd,
    stdio: "ignore",
    env: { ...process.env, GIT_AUTHOR_NAME: "csess demo", GIT_AUTHOR_EMAIL: "demo@csess.invalid", GIT_COMMITTER_NAME: "csess demo", GIT_COMMITTER_EMAIL: "demo@csess.invalid" },
  });
}

/** True when the liar was caught, the 429 task was requeued and verified, and the rest verified. */
function demoAsScripted(repo: string): true | string {
  const runs = listRuns(repo);
  const report = JSON.parse(readFileSync(path.join(runDir(repo, runs.at(-1)!), "report.json"), "utf8")) as RunReport;
  const wrong = report.tasks.flatMap((t) => {
    const expected = /usage section/.test(t.title) ? "claimed-unverified" : "verified";
    if (t.verdict !== expected) return [`${t.id} "${t.title}" is ${t.verdict}, expected ${expected}`];
    if (/smoke test/.test(t.title) && t.rateLimits < 1) return [`${t.id} "${t.title}" was never rate limited`];
    return [];
  });
  return wrong.length === 0 ? true : wrong.join("; ");
}

/** How the demo points each real CLI at the scripted server: a provider and the agents' environment. */
function agentSettings(agent: string, server: { openaiBaseUrl: string; anthropicBaseUrl: string }, home: string) {
  if (agent === "claude") {
    return {
      agent: "claude",
      model: "claude-sonnet-4-5",
      provider: { baseUrl: server.anthropicBaseUrl },
      agentEnv: {
        HOME: path.join(home, "claude"), // claude keeps its state in ~/.claude*: never the user's
        ANTHROPIC_API_KEY: "no-key-needed",
        CLAUDE_CODE_MAX_RETRIES: "0",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        DISABLE_TELEMETRY: "1",
      },
    };
  }
  return {
    agent: "codex",
    model: "gpt-5.1-codex",
    provider: { baseUrl: server.openaiBaseUrl, envKey: "CSESS_DEMO_API_KEY", name: "scripted", requestMaxRetries: 0, streamMaxRetries: 0 },
    agentEnv: { CODEX_HOME: path.join(home, "codex"), CSESS_DEMO_API_KEY: "no-key-needed" },
  };
}

async function runDemo(options: DemoOptions): Promise<number> {
  if (!existsSync(path.join(DEMO_DIR, "PRD.md"))) {
    throw new UserError(`the demo files are not here (${DEMO_DIR}); reinstall csess (npm i -g csess)`);
  }
  if (options.agent !== "codex" && options.agent !== "claude") throw new UserError(`--agent: the demo runs codex or claude; received "${options.agent}"`);
  process.env.PATH = `${LOCAL_BIN}${path.delimiter}${process.env.PATH ?? ""}`;
  const cli = await probeAgent(options.agent as AgentKind, { env: process.env });
  if (!cli.found) throw new UserError(`the demo runs the real ${options.agent} CLI: ${cli.error ?? "not found"}`);
  const root = options.dir ? path.resolve(options.dir) : mkdtempSync(path.join(os.tmpdir(), "csess-demo-"));
  const repo = path.join(root, "greet");
  if (existsSync(repo)) throw new UserError(`${repo} already exists; pick another --dir or remove it`);
  mkdirSync(repo, { recursive: true });
  const home = path.join(root, "home");
  mkdirSync(path.join(home, "codex"), { recursive: true });
  mkdirSync(path.join(home, "claude"), { recursive: true });

  // The scripted model server is only the demo's: loaded here, not at every CLI start.
  const { startModelServer } = await import("@csess/model-server");
  const server = await startModelServer({
    scenarios: JSON.parse(readFileSync(path.join(DEMO_DIR, "scenarios.json"), "utf8")),
    stateFile: path.join(home, "model-server-state.json"),
  });
  try {
    copyFileSync(path.join(DEMO_DIR, "PRD.md"), path.join(repo, "PRD.md"));
    writeFileSync(path.join(repo, "README.md"), "# greet\n\nA tiny greeting CLI (csess demo project).\n");
    // How a user points csess at a custom endpoint: a provider and agent environment in the config.
    writeFileSync(path.join(repo, "csess.config.json"), JSON.stringify({
      ...agentSettings(options.agent, server, home),
      maxIterations: 2,
      staggerSeconds: 1,
      timeoutMinutes: 5,
      notes: false,
    }, null, 2) + "\n");
    git(repo, "init", "-q", "-b", "main");
    // The agents and csess commit here: give the throw-away repo its own identity (a fresh machine has none).
    git(repo, "config", "user.name", "csess demo");
    git(repo, "config", "user.email", "demo@csess.invalid");
    git(repo, "add", "-A");
    git(repo, "commit", "-q", "-m", "greet: PRD and config");

    process.env.CSESS_HOME = path.join(home, "csess");
    process.env.CSESS_TMUX_SOCKET = path.join(home, "tmux.sock");
    process.env.CSESS_NOTIFY ??= "true";
    process.stderr.write(
      `csess demo: repo ${repo}\n` +
      `  model server ${server.url} (scripted: "Write a usage section" lies, "Add a smoke test script" gets a 429 first)\n` +
      `  watch the agents: tmux -S ${process.env.CSESS_TMUX_SOCKET} ls\n\n`,
    );
    const code = await startRun({
      prd: "PRD.md",
      flags: { parallel: options.parallel },
      json: options.json ?? false,
      dryRun: false,
      cwd: repo,
    });
    const expected = demoAsScripted(repo);
    process.stderr.write(
      `\nThe demo repo stays for you to look at:\n  cd ${repo} && git log --oneline --graph && cat PRD.md\n` +
      `  csess report   (run inside it; --md for markdown)\n` +
      (expected === true
        ? `The run exited ${code} because one task is claimed-unverified on purpose; everything came out as scripted.\n`
        : `Not as scripted: ${expected}\n`),
    );
    return expected === true ? 0 : 1;
  } finally {
    await server.close();
    try {
      execFileSync("tmux", ["-S", path.join(home, "tmux.sock"), "kill-server"], { stdio: "ignore" });
    } catch {
      // No server left.
    }
  }
}
