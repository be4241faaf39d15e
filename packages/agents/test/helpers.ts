import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { promisify } from "node:util";
import type { Invocation } from "../src/index.js";
import { removeTree } from "@csess/test-kit";

const exec = promisify(execFile);

/** The real CLIs installed as devDependencies of this package. */
export const BIN_DIR = resolve(import.meta.dirname, "../node_modules/.bin");
/** The repository root, found upwards (not a fixed `../..`: `pnpm mutate` runs these tests from a copy of the package one level deeper). */
function workspaceRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, "pnpm-workspace.yaml"))) return dir;
  throw new Error(`no pnpm-workspace.yaml above ${from}: the agents tests read fixtures/agent-outputs from the repository`);
}
export const OUTPUTS_DIR = join(workspaceRoot(import.meta.dirname), "fixtures", "agent-outputs");

function q(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** A temp dir with a git repo (own identity), a PRD, and a worktree on a task branch. */
export async function makeRepo(prd: string): Promise<{ root: string; repo: string; worktree: string; git: (cwd: string, ...args: string[]) => Promise<string>; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), "csess-agents-"));
  const repo = join(root, "repo");
  await mkdir(repo);
  const git = async (cwd: string, ...args: string[]) => (await exec("git", args, { cwd })).stdout;
  await git(repo, "init", "-q", "-b", "main");
  await git(repo, "config", "user.name", "csess test");
  await git(repo, "config", "user.email", "test@csess.invalid");
  await writeFile(join(repo, "PRD.md"), prd);
  await git(repo, "add", "PRD.md");
  await git(repo, "commit", "-q", "-m", "init");
  const worktree = join(root, "wt");
  await git(repo, "worktree", "add", "-q", "-b", "task", worktree);
  return { root, repo, worktree, git, cleanup: () => removeTree(root) };
}

/**
 * Runs an invocation in a real tmux session on a private socket, the way the runner will: a wrapper
 * script sets the env, feeds the prompt file on stdin, logs output, writes the exit code atomically
 * and signals `wait-for`. Returns the exit code and the log.
 */
export async function runInTmux(
  socket: string,
  name: string,
  invocation: Invocation,
  baseEnv: Record<string, string>,
  dir: string,
): Promise<{ exitCode: number; output: string }> {
  const log = join(dir, `${name}.log`);
  const exitFile = join(dir, `${name}.exit`);
  const env = { ...baseEnv, ...invocation.env };
  const script = [
    "#!/bin/sh",
    ...Object.entries(env).map(([k, v]) => `export ${k}=${q(v)}`),
    `cd ${q(invocation.cwd)} || exit 1`,
    `${invocation.argv.map(q).join(" ")} < ${q(invocation.stdinFile)} > ${q(log)} 2>&1`,
    "code=$?",
    `printf '%s' "$code" > ${q(exitFile)}.tmp && mv ${q(exitFile)}.tmp ${q(exitFile)}`,
    `tmux -S ${q(socket)} wait-for -S ${q(`done-${name}`)}`,
    "",
  ].join("\n");
  const wrapper = join(dir, `${name}.sh`);
  await writeFile(wrapper, script, { mode: 0o755 });
  await exec("tmux", ["-S", socket, "-f", "/dev/null", "new-session", "-d", "-s", name, "-x", "200", "-y", "50", "/bin/sh", wrapper]);
  await exec("tmux", ["-S", socket, "wait-for", `done-${name}`], { timeout: 120_000 });
  return { exitCode: Number(await readFile(exitFile, "utf8")), output: existsSync(log) ? await readFile(log, "utf8") : "" };
}

/**
 * Starts a private tmux server that stays up between sessions (a server whose last session ends
 * exits, and a new-session racing that exit fails with "server exited unexpectedly").
 */
export async function startTmux(socket: string): Promise<void> {
  await exec("tmux", ["-S", socket, "-f", "/dev/null", "new-session", "-d", "-s", "hold", "sleep 86400"]);
}

export async function killTmux(socket: string): Promise<void> {
  await exec("tmux", ["-S", socket, "kill-server"]).catch(() => undefined);
}

/**
 * With CSESS_CAPTURE_OUTPUTS=1, saves a real CLI run under fixtures/agent-outputs/ for the
 * classifier table tests (temp paths and ports are left as they were).
 */
export async function captureOutput(name: string, data: { kind: string; version?: string; exitCode: number; output: string; lastMessage?: string }): Promise<void> {
  if (process.env.CSESS_CAPTURE_OUTPUTS !== "1") return;
  await mkdir(OUTPUTS_DIR, { recursive: true });
  await writeFile(join(OUTPUTS_DIR, `${name}.json`), JSON.stringify({ ...data, capturedAt: new Date().toISOString() }, null, 2) + "\n");
}
