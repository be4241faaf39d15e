import { execFile, spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, statSync, watch, writeFileSync, writeSync,
  type FSWatcher,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { removeTree } from "@csess/test-kit";

export const CLI = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
export const FAKE_AGENT = fileURLToPath(new URL("../../../fixtures/fake-agents/scripted-agent.sh", import.meta.url));
const GATED_AGENT = fileURLToPath(new URL("../../../fixtures/fake-agents/gated-agent.sh", import.meta.url));

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
  csess(args: string[], options?: { cwd?: string; env?: NodeJS.ProcessEnv }): Promise<CliResult>;
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
    CSESS_NOTES: "off",
    FAKE_AGENT_LOG: agentLog,
    FAKE_AGENT_STATE: path.join(dir, "agent-state"),
    GIT_AUTHOR_NAME: "Test User",
    GIT_AUTHOR_EMAIL: "test@example.invalid",
    GIT_COMMITTER_NAME: "Test User",
    GIT_COMMITTER_EMAIL: "test@example.invalid",
    CI: "true",
  };
  const children: ChildProcess[] = [];
  const exec = (file: string, args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}) =>
    new Promise<CliResult>((resolve) => {
      execFile(file, args, { cwd, env: { ...env, ...extraEnv }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
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
    csess: (args, options) => exec(process.execPath, [CLI, ...args], options?.cwd ?? repo, options?.env),
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
      await removeTree(dir); // launchers killed with the server may still write their files (under load, for seconds)
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

export function customAgentArgs(extra: string[] = [], agentCmd = FAKE_AGENT): string[] {
  return ["--agent", "custom", "--agent-cmd", agentCmd, "--stagger", "0.1", "--no-notes", ...extra];
}

/** One start of the gated agent: its task, its working directory (which host) and the FIFO that releases it. */
export type GatedStart = { id: string; pwd: string; fifo: string };

/**
 * The scripted fake agent behind a gate (fixtures/fake-agents/gated-agent.sh): an agent holds its slot
 * until the test lets it go, so what is still running at a given moment is decided by the test, not
 * by a sleep. `agentCmd` is the custom agent command; `starts()` lists the gated starts so far, `release` lets some go, `releaseAll`
 * every one, also those that start later.
 */
export function agentGates(s: RunSandbox) {
  const where = path.join(s.dir, "gated-starts.log");
  const gates = path.join(s.dir, "gates");
  mkdirSync(gates, { recursive: true });
  const agentCmd = `exec bash --norc --noprofile ${GATED_AGENT} ${gates} ${where} ${FAKE_AGENT}`;
  const starts = (): GatedStart[] => (existsSync(where) ? readFileSync(where, "utf8").split("\n").filter(Boolean) : [])
    .map((line) => {
      const [id = "", pwd = "", fifo = ""] = line.split(" ");
      return { id, pwd, fifo };
    });
  const release = (which: (start: GatedStart) => boolean) => {
    for (const start of starts().filter(which)) {
      try {
        const fd = openSync(start.fifo, constants.O_WRONLY | constants.O_NONBLOCK);
        writeSync(fd, "go\n");
        closeSync(fd);
      } catch {
        // released and gone already (no reader, or no FIFO any more)
      }
    }
  };
  const releaseAll = (except: (start: GatedStart) => boolean = () => false) => {
    // First the file that later starts look at, then every start logged so far (see gated-agent.sh).
    writeFileSync(path.join(gates, "all"), "");
    release((start) => !except(start));
  };
  return { agentCmd, where, starts, release, releaseAll };
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

/** One journal event as the runner wrote it (`.git/csess/runs/<id>/events.jsonl`). */
export interface JournalLine {
  type: string;
  at: string;
  taskId?: string;
  [key: string]: unknown;
}

/** The events of the sandbox's newest run (empty before the first run has written any). */
export function journal(sandbox: RunSandbox): JournalLine[] {
  const runs = path.join(sandbox.repo, ".git", "csess", "runs");
  if (!existsSync(runs)) return [];
  const files = readdirSync(runs).map((id) => path.join(runs, id, "events.jsonl")).filter(existsSync);
  const newest = files.sort((a, b) => statSync(a).birthtimeMs - statSync(b).birthtimeMs).at(-1);
  if (!newest) return [];
  return readFileSync(newest, "utf8").split("\n").filter((l) => l.trim() !== "").flatMap((l) => {
    try {
      return [JSON.parse(l) as JournalLine];
    } catch {
      return []; // a line being written right now
    }
  });
}

/**
 * Resolves with `check()`'s first defined result, re-checked whenever anything changes in the sandbox
 * (its dir, the repo, `.csess`, the runs, each run folder and `extraDirs`: fs.watch on each, armed as they appear).
 * Rejects after `ms`, or at once when `abort` (e.g. the runner's exit) settles first.
 */
export function waitUntil<T>(
  sandbox: RunSandbox, check: () => T | undefined, ms = 90_000, abort?: Promise<unknown>, extraDirs: string[] = [],
): Promise<T> {
  return new Promise((resolve, reject) => {
    const watchers = new Map<string, FSWatcher>();
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      fn();
    };
    const runs = path.join(sandbox.repo, ".git", "csess", "runs");
    const arm = () => {
      const dirs = [sandbox.dir, sandbox.repo, path.join(sandbox.repo, ".csess"), runs, ...extraDirs];
      if (existsSync(runs)) for (const id of readdirSync(runs)) dirs.push(path.join(runs, id));
      for (const dir of dirs) {
        if (watchers.has(dir) || !existsSync(dir)) continue;
        try {
          watchers.set(dir, watch(dir, poke));
        } catch {
          // gone again already
        }
      }
    };
    const poke = () => {
      if (done) return;
      arm();
      const value = check();
      if (value !== undefined) finish(() => resolve(value));
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`condition not met within ${ms} ms`))), ms);
    void abort?.then(() => {
      const value = check();
      finish(() => (value !== undefined ? resolve(value) : reject(new Error("the runner exited before the awaited condition"))));
    });
    poke();
  });
}

/** Resolves with the child's exit code (or signal name) once it has exited. */
export function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode ?? child.signalCode!);
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal!)));
}

/** Collects a child's stdout/stderr as text. */
export function collect(child: ChildProcess): { stdout: () => string; stderr: () => string } {
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
  return { stdout: () => out, stderr: () => err };
}

/** Indexes of the characters that differ between two texts of the same length. */
export function changedIndexes(before: string, after: string): number[] {
  if (before.length !== after.length) throw new Error(`lengths differ: ${before.length} -> ${after.length}`);
  return [...before].flatMap((c, i) => (c === after[i] ? [] : [i]));
}

/**
 * Everything a user could lose, as comparable text: a hash of every file in the checkout (symlinks by
 * target, `.git` left out, and `.csess` too unless asked), `git status`, refs, worktrees and the index.
 */
export async function repoSnapshot(sandbox: RunSandbox, options: { withCsess?: boolean } = {}): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const rel = path.relative(sandbox.repo, full);
      if (rel === ".git" || (rel === ".csess" && !options.withCsess)) continue;
      if (entry.isSymbolicLink()) files[rel] = `-> ${readlinkSync(full)}`;
      else if (entry.isDirectory()) walk(full);
      else files[rel] = createHash("sha256").update(readFileSync(full)).digest("hex");
    }
  };
  walk(sandbox.repo);
  const git = (...args: string[]) => sandbox.git(...args).catch((error: Error) => `(failed: ${error.message})`);
  return {
    files: JSON.stringify(files, Object.keys(files).sort()),
    status: (await git("status", "--porcelain", "--ignored", "--untracked-files=all"))
      .split("\n").filter((l) => options.withCsess || !l.startsWith("!! .csess/")).join("\n"),
    refs: await git("for-each-ref", "--format=%(refname) %(objectname)"),
    head: await git("symbolic-ref", "-q", "HEAD"),
    worktrees: await git("worktree", "list", "--porcelain"),
    index: await git("ls-files", "--stage"),
  };
}
