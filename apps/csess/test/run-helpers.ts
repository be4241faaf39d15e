import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
export const FAKE_AGENT = fileURLToPath(new URL("../../../fixtures/fake-agents/scripted-agent.sh", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * A throw-away git repository with a PRD, a private tmux socket and csess home, and the scripted fake
 * agent. `cleanup` kills that tmux server (and any runner left) and removes everything.
 */
export interface RunSandbox {
  dir: string;
  repo: string;
  env: NodeJS.ProcessEnv;
  /** Where the fake agent logs each start ("<task id> <iteration>"). */
  agentLog: string;
  csess(args: string[], options?: { cwd?: string }): Promise<CliResult>;
  spawnCsess(args: string[]): ChildProcess;
  git(...args: string[]): Promise<string>;
  prd(): string;
  starts(): string[];
  cleanup(): Promise<void>;
}

export function makeRunSandbox(prdText: string, files: Record<string, string> = {}): RunSandbox {
  const dir = mkdtempSync(path.join(os.tmpdir(), "csess-run-"));
  const repo = path.join(dir, "repo");
  mkdirSync(repo);
  const agentLog = path.join(dir, "agent-starts.log");
  mkdirSync(path.join(dir, "agent-state"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CSESS_HOME: path.join(dir, "home"),
    CSESS_TMUX_SOCKET: path.join(dir, "tmux.sock"),
    CSESS_NOTIFY: "true",
    FAKE_AGENT_LOG: agentLog,
    FAKE_AGENT_STATE: path.join(dir, "agent-state"),
    GIT_AUTHOR_NAME: "Test User",
    GIT_AUTHOR_EMAIL: "test@example.invalid",
    GIT_COMMITTER_NAME: "Test User",
    GIT_COMMITTER_EMAIL: "test@example.invalid",
    CI: "true",
  };
  const children: ChildProcess[] = [];
  const exec = (file: string, args: string[], cwd: string) =>
    new Promise<CliResult>((resolve) => {
      execFile(file, args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      });
    });
  const git = async (...args: string[]) => {
    const r = await exec("git", args, repo);
    if (r.code !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  writeFileSync(path.join(repo, "PRD.md"), prdText);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(repo, name)), { recursive: true });
    writeFileSync(path.join(repo, name), content);
  }
  const sandbox: RunSandbox = {
    dir,
    repo,
    env,
    agentLog,
    csess: (args, options) => exec(process.execPath, [CLI, ...args], options?.cwd ?? repo),
    spawnCsess(args) {
      const child = spawn(process.execPath, [CLI, ...args], { cwd: repo, env, stdio: ["ignore", "pipe", "pipe"] });
      children.push(child);
      return child;
    },
    git,
    prd: () => readFileSync(path.join(repo, "PRD.md"), "utf8"),
    starts: () => (existsSync(agentLog) ? readFileSync(agentLog, "utf8").split("\n").filter(Boolean) : []),
    async cleanup() {
      for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
      await exec("tmux", ["-S", env.CSESS_TMUX_SOCKET!, "kill-server"], dir);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return sandbox;
}

/** git init + first commit of everything in the sandbox repo. */
export async function commitAll(sandbox: RunSandbox): Promise<void> {
  await sandbox.git("init", "-q", "-b", "main");
  await sandbox.git("add", "-A");
  await sandbox.git("commit", "-q", "-m", "initial");
}

/** `csess tasks --json` ids by title. */
export async function taskIds(sandbox: RunSandbox): Promise<Record<string, string>> {
  const r = await sandbox.csess(["tasks", "PRD.md", "--json"]);
  const { tasks } = JSON.parse(r.stdout) as { tasks: Array<{ id: string; title: string }> };
  return Object.fromEntries(tasks.map((t) => [t.title, t.id]));
}

export function customAgentArgs(extra: string[] = []): string[] {
  return ["--agent", "custom", "--agent-cmd", FAKE_AGENT, "--stagger", "0.1", "--no-notes", ...extra];
}

/** The last stdout line of a `--json` run: the report. */
export function reportOf(result: CliResult): { tasks: Array<Record<string, unknown>>; totals: Record<string, number> } {
  const last = result.stdout.trim().split("\n").at(-1) ?? "{}";
  return JSON.parse(last);
}

/** Resolves when `predicate()` holds, checked whenever something in `watchPath` changes (fs.watch), or rejects after ms. */
export function waitFor(predicate: () => boolean, watchPath: string, ms = 60_000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (predicate()) return resolve();
    const watcher = watch(watchPath, () => {
      if (predicate()) {
        clearTimeout(timer);
        watcher.close();
        resolve();
      }
    });
    const timer = setTimeout(() => {
      watcher.close();
      reject(new Error(`condition not met within ${ms} ms`));
    }, ms);
  });
}
