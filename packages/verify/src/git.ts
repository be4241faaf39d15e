import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";

/**
 * Environment variables git may inherit. Every other ambient `GIT_*` variable is dropped, and so are
 * editor / pager / askpass programs and config prefixes: these are the ones a user (or CI) relies on
 * for identity, dates, config and TLS. GIT_DIR / GIT_WORK_TREE are deliberately absent: csess
 * addresses repositories by directory, and inheriting them (e.g. when run from a git hook) would point
 * every command at the wrong repository.
 */
const INHERITED_ENV = new Set([
  "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE",
  "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE",
  "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM",
  "GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "GIT_SSL_NO_VERIFY", "GIT_SSH", "GIT_SSH_COMMAND",
  "GIT_ASKPASS", "GIT_TERMINAL_PROMPT", "GIT_TRACE",
]);
/** Programs and paths git would pick up from the environment (the set simple-git 4 guards). */
const GUARDED_ENV = /^(git_.*|editor|visual|pager|prefix|ssh_askpass)$/i;

/** The environment for one git command: csess's own, guarded variables removed, then `extra` (e.g. GIT_INDEX_FILE). */
function gitEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!GUARDED_ENV.test(key) || INHERITED_ENV.has(key.toUpperCase())) env[key] = value;
  }
  // git log and rev-list flush after every commit when stdout is a pipe (one write, and one wake-up of
  // csess, per commit); csess reads every output whole, so it asks for buffered output instead. Tools
  // csess's scripts talk to line by line (mktree --batch) flush on their own.
  return { ...env, GIT_FLUSH: "0", ...extra };
}

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface GitOptions {
  /** Written to git's stdin. */
  input?: string;
  /** Extra variables (only GIT_INDEX_FILE among the guarded ones). */
  env?: Record<string, string>;
  /** Exit codes that are answers rather than failures (e.g. 1 from `merge-tree` = conflicts). */
  okExitCodes?: number[];
  /**
   * A file descriptor git writes its stdout to, instead of a pipe that is only drained while the
   * event loop is free (a long output then stalls git whenever the main thread is busy).
   */
  stdoutFd?: number;
  /** Stops git (SIGTERM); the promise then rejects with an AbortError. */
  signal?: AbortSignal;
  /** How stdout is decoded: "latin1" keeps one character per byte, for binary output such as tree objects (default "utf8"). */
  stdoutEncoding?: "utf8" | "latin1";
}

/** A git command that failed unexpectedly; the message carries the command and git's own words. */
export class GitCommandError extends Error {
  readonly args: readonly string[];
  readonly exitCode: number;
  readonly stderr: string;
  constructor(args: readonly string[], result: GitResult) {
    const said = (result.stderr || result.stdout).trim() || "(no output)";
    super(`git ${args.join(" ")} failed with exit ${result.exitCode}: ${said}`);
    this.name = "GitCommandError";
    this.args = args;
    this.exitCode = result.exitCode;
    this.stderr = result.stderr;
  }
}

/**
 * Runs one git command in `cwd` (no shell) and returns stdout, stderr and the exit code. Spawned
 * directly: simple-git waited 50 ms after every command that printed nothing (read-tree,
 * update-index, update-ref, merge-base --is-ancestor...), which made the serial merge queue
 * several times slower (see BENCHMARKS.md, "End to end").
 */
export function runGit(cwd: string, args: string[], options: GitOptions = {}): Promise<GitResult> {
  return run(cwd, "git", args, args, options);
}

/**
 * Runs a fixed sh script of git plumbing steps in `cwd` (`args` are its "$1"...; never task text in
 * the script itself), with git's environment: one process from here instead of one per step, which
 * is what a step costs the runner's busy main thread. Errors as `runGit`'s, naming the script's `what`.
 */
export function runGitScript(cwd: string, what: string, script: string, args: string[], options: GitOptions = {}): Promise<GitResult> {
  return run(cwd, "sh", ["-c", script, "csess-git", ...args], [`(script: ${what})`], options);
}

/** `named` is what an error calls the command (after "git"). */
function run(cwd: string, command: string, argv: string[], named: string[], options: GitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, {
      cwd,
      env: gitEnv(options.env),
      stdio: [options.input === undefined ? "ignore" : "pipe", options.stdoutFd ?? "pipe", "pipe"],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => stderr.push(chunk));
    // Only a failure to spawn git at all is thrown as is; git's own answers go to the caller.
    child.on("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "ENOENT" && !existsSync(cwd) ? new Error(`cannot run git in ${cwd}: no such directory`) : error);
    });
    child.on("close", (code, signal) => {
      const result: GitResult = {
        stdout: Buffer.concat(stdout).toString(options.stdoutEncoding ?? "utf8"),
        stderr: Buffer.concat(stderr).toString("utf8"),
        exitCode: code ?? 128 + (signal ? constants.signals[signal] : 0),
      };
      if (result.exitCode !== 0 && !(options.okExitCodes ?? []).includes(result.exitCode)) {
        reject(new GitCommandError(named, result));
      } else resolve(result);
    });
    if (options.input !== undefined) {
      child.stdin?.on("error", () => undefined); // git may exit before reading all of it (EPIPE)
      child.stdin?.end(Buffer.from(options.input, "utf8"));
    }
  });
}

/**
 * A git command kept running and asked one question after another on its stdin (`cat-file --batch`,
 * `mktree --batch`, `hash-object --stdin-paths`): one process for many objects, where a process each
 * costs 12-25 ms on a busy machine and a question well under one. Questions are answered in order.
 */
export class GitCoprocess {
  private readonly child;
  private output: Buffer = Buffer.alloc(0);
  private stderr = "";
  private readonly waiting: Array<{ answer: AnswerParser<unknown>; resolve: (value: unknown) => void; reject: (error: unknown) => void }> = [];
  private ended?: Error;
  private readonly exited: Promise<void>;

  constructor(cwd: string, args: string[]) {
    // GIT_FLUSH unset: git then flushes each answer into the pipe (GIT_FLUSH=0 would hold it back).
    const env = gitEnv(undefined);
    delete env.GIT_FLUSH;
    this.child = spawn("git", args, { cwd, env, stdio: ["pipe", "pipe", "pipe"] });
    this.child.stdin.on("error", () => undefined); // git gone: the exit below says why
    this.child.stdout.on("data", (chunk: Buffer) => {
      this.output = this.output.length === 0 ? chunk : Buffer.concat([this.output, chunk]);
      this.answer();
    });
    this.child.stderr.on("data", (chunk: Buffer) => (this.stderr += chunk.toString("utf8")));
    this.exited = new Promise((resolve) => {
      this.child.on("error", (error) => this.end(error, resolve));
      this.child.on("close", (code, signal) => {
        const exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0);
        this.end(new GitCommandError(args, { stdout: "", stderr: this.stderr || "(it stopped answering)", exitCode }), resolve);
      });
    });
  }

  /** Writes `question` and resolves with the answer `answer` reads off git's output. */
  ask<T>(question: Buffer | string, answer: AnswerParser<T>): Promise<T> {
    if (this.ended) return Promise.reject(this.ended);
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ answer, resolve: resolve as (value: unknown) => void, reject });
      this.child.stdin.write(question);
    });
  }

  /** Ends git's input and waits for it to exit (questions still waiting fail). */
  async close(): Promise<void> {
    this.child.stdin.end();
    await this.exited;
  }

  private answer(): void {
    while (this.waiting.length > 0) {
      const read = this.waiting[0]!.answer(this.output);
      if (read === undefined) return; // not all of it yet
      this.waiting.shift()!.resolve(read.value);
      this.output = this.output.subarray(read.length);
    }
  }

  private end(error: Error, exited: () => void): void {
    this.ended ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(this.ended);
    exited();
  }
}

/** Reads one answer off the start of `output`: its value and length, or undefined until all of it is there. */
export type AnswerParser<T> = (output: Buffer) => { value: T; length: number } | undefined;

/** An answer of one line (its text without the newline). */
export const lineAnswer: AnswerParser<string> = (output) => {
  const end = output.indexOf(10);
  return end === -1 ? undefined : { value: output.toString("utf8", 0, end), length: end + 1 };
};

/** Runs git and returns its trimmed stdout. */
export async function gitOut(cwd: string, args: string[], options: GitOptions = {}): Promise<string> {
  return (await runGit(cwd, args, options)).stdout.trim();
}

/**
 * A checkout's git directory, the repository's common one (shared by its worktrees) and the checkout's
 * top folder (absolute; top null in a bare repository): they never change, so git is asked once per root
 * and process.
 */
export function checkoutDirs(root: string): Promise<CheckoutDirs> {
  let dirs = checkouts.get(root);
  if (!dirs) {
    const args = ["rev-parse", "--path-format=absolute", "--git-dir", "--git-common-dir", "--show-toplevel"];
    dirs = runGit(root, args, { okExitCodes: [128] }).then((result) => {
      // A bare repository: git names its folders, then fails for the top of a work tree it has none of.
      const [gitDir, commonDir, top] = result.stdout.split("\n");
      if (!gitDir || !commonDir) throw new GitCommandError(args, result);
      return { gitDir, commonDir, top: result.exitCode === 0 && top ? top : null };
    });
    dirs.catch(() => checkouts.delete(root));
    checkouts.set(root, dirs);
  }
  return dirs;
}
interface CheckoutDirs {
  gitDir: string;
  commonDir: string;
  top: string | null;
}
const checkouts = new Map<string, Promise<CheckoutDirs>>();

/** The commit a rev points at, or null when it does not resolve. */
export async function resolveCommit(cwd: string, rev: string): Promise<string | null> {
  const result = await runGit(cwd, ["rev-parse", "--verify", "--quiet", `${rev}^{commit}`], { okExitCodes: [1, 128] });
  return result.exitCode === 0 ? result.stdout.trim() : null;
}

/** True when `ancestor` is reachable from `descendant` (or is it). */
export async function isAncestor(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  const result = await runGit(cwd, ["merge-base", "--is-ancestor", ancestor, descendant], { okExitCodes: [1] });
  return result.exitCode === 0;
}
