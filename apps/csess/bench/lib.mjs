// @ts-check
// Shared parts of the end-to-end benchmarks: a throw-away repo with a private tmux socket and csess
// home, the built CLI run as a child process, journal reading, quantiles, /proc memory samples.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../dist/bin.js", import.meta.url));
export const FAKE_AGENT = fileURLToPath(new URL("../../../fixtures/fake-agents/scripted-agent.sh", import.meta.url));
export const CODEX_BIN_DIR = fileURLToPath(new URL("../node_modules/.bin/", import.meta.url));

const IDENTITY = {
  GIT_AUTHOR_NAME: "csess bench",
  GIT_AUTHOR_EMAIL: "bench@csess.invalid",
  GIT_COMMITTER_NAME: "csess bench",
  GIT_COMMITTER_EMAIL: "bench@csess.invalid",
};

/**
 * A temp git repo holding `PRD.md` (and `files`), committed on `main`, with its own tmux socket and
 * CSESS_HOME. `cleanup()` kills that tmux server and removes the directory.
 * @param {string} prd
 * @param {Record<string, string>} [files]
 */
export function makeSandbox(prd, files = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "csess-e2e-bench-"));
  const repo = path.join(dir, "repo");
  mkdirSync(repo);
  writeFileSync(path.join(repo, "PRD.md"), prd);
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(repo, name), content);
  /** @type {NodeJS.ProcessEnv} */
  const env = {
    ...process.env,
    ...IDENTITY,
    CSESS_HOME: path.join(dir, "home"),
    CSESS_TMUX_SOCKET: path.join(dir, "tmux.sock"),
    CSESS_NOTIFY: "true",
    CI: "true",
  };
  const git = (/** @type {string[]} */ ...args) => execFileSync("git", args, { cwd: repo, env, stdio: ["ignore", "pipe", "pipe"] }).toString();
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "initial");
  return {
    dir,
    repo,
    env,
    git,
    /** The newest run's journal events. */
    journal() {
      const runs = path.join(repo, ".git", "csess", "runs");
      const ids = readdirSync(runs).sort();
      const file = path.join(runs, ids.at(-1) ?? "", "events.jsonl");
      return readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
    },
    cleanup() {
      try {
        execFileSync("tmux", ["-S", String(env.CSESS_TMUX_SOCKET), "kill-server"], { stdio: "ignore" });
      } catch {
        // No server was started, or it is gone already.
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `csess <args>` in `cwd` to its end (killed after `limitMs`). `onSpawn` gets the child's pid
 * (for memory sampling). Resolves with the exit code, output and wall time.
 * @param {string[]} args
 * @param {{ cwd: string, env: NodeJS.ProcessEnv, limitMs: number, onSpawn?: (pid: number) => (() => void) | void }} options
 * @returns {Promise<{ code: number | null, stdout: string, stderr: string, wallMs: number, startedAt: number }>}
 */
export function runCsess(args, { cwd, env, limitMs, onSpawn }) {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    const stopSampling = child.pid === undefined ? undefined : onSpawn?.(child.pid);
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`csess ${args.join(" ")} did not finish within ${limitMs} ms; stderr: ${stderr.slice(-2000)}`));
    }, limitMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      stopSampling?.();
      resolve({ code, stdout, stderr, wallMs: Date.now() - startedAt, startedAt });
    });
  });
}

/** The report (last stdout line of a `--json` run). @param {string} stdout */
export function reportOf(stdout) {
  const last = stdout.trim().split("\n").at(-1) ?? "{}";
  return JSON.parse(last);
}

export { quantile } from "../../../scripts/bench-kit.mjs";
export const sum = (/** @type {number[]} */ values) => values.reduce((a, b) => a + b, 0);
export const mean = (/** @type {number[]} */ values) => sum(values) / values.length;

/** kB fields of /proc/<pid>/status, or undefined when the process is gone. @param {number} pid */
export function procStatus(pid) {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const field = (/** @type {string} */ name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text)?.[1] ?? NaN);
    return { rssKb: field("VmRSS"), hwmKb: field("VmHWM"), anonKb: field("RssAnon") };
  } catch {
    return undefined;
  }
}

/** A markdown table. @param {string[]} header @param {(string | number)[][]} rows */
export function table(header, rows) {
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map((h, i) => (i === 0 ? "---" : "---:")).join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}

export const ms = (/** @type {number} */ value) => `${Math.round(value)} ms`;
export const s = (/** @type {number} */ value) => `${(value / 1000).toFixed(1)} s`;

/** True when no tmux server is left on the sandbox socket. @param {string} socket */
export function tmuxGone(socket) {
  if (!existsSync(socket)) return true;
  try {
    execFileSync("tmux", ["-S", socket, "list-sessions"], { stdio: "ignore" });
    return false;
  } catch {
    return true;
  }
}

/** The 1-minute load average, to print next to timing figures. */
export const loadAverage = () => os.loadavg()[0]?.toFixed(1) ?? "?";

/** A git command line's kind: the subcommand and the words after it that are options or sub-subcommands (`worktree add -q -b`). */
function commandOf(/** @type {string[]} */ args) {
  const words = [args[0] ?? "?"];
  for (const word of args.slice(1)) {
    if (words.length === 4 || !/^(?:-[-\w]*|[a-z][a-z-]*)(?:=|$)/.test(word)) break;
    words.push(word.split("=")[0] ?? word);
  }
  return words.join(" ");
}

/**
 * A `git` shim for profiling: put `binDir` first on PATH and every git command run by csess (not by
 * the agents: they have CSESS_TASK_ID set) is logged with its duration. The shim itself costs a few
 * ms per call, so profile runs are separate from the measured ones.
 * @param {string} dir
 */
export function gitProfiler(dir) {
  const binDir = path.join(dir, "git-shim");
  const log = path.join(dir, "git-calls.log");
  mkdirSync(binDir);
  const realGit = execFileSync("sh", ["-c", "command -v git"]).toString().trim();
  writeFileSync(path.join(binDir, "git"), [
    "#!/bin/sh",
    "t0=$(date +%s%N)",
    `'${realGit}' "$@"`,
    "rc=$?",
    // Every argument, so calls group by what they do (`worktree add` apart from `worktree remove`).
    `[ -z "\${CSESS_TASK_ID:-}" ] && printf '%s %s %s\\n' "$t0" "$(date +%s%N)" "$*" >> '${log}'`,
    "exit $rc",
    "",
  ].join("\n"), { mode: 0o755 });
  return {
    binDir,
    /** Calls and milliseconds per git subcommand, most expensive first. */
    summary() {
      /** @type {Map<string, { calls: number, ms: number }>} */
      const by = new Map();
      for (const line of readFileSync(log, "utf8").trim().split("\n")) {
        const [t0, t1, ...args] = line.split(" ");
        if (!/^\d+$/.test(t0 ?? "") || !/^\d+$/.test(t1 ?? "")) continue; // the rest of an argument with a line break
        const sub = commandOf(args);
        const entry = by.get(sub) ?? { calls: 0, ms: 0 };
        entry.calls += 1;
        entry.ms += (Number(t1) - Number(t0)) / 1e6;
        by.set(sub, entry);
      }
      return [...by.entries()].sort((a, b) => b[1].ms - a[1].ms);
    },
  };
}
