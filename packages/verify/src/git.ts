import { simpleGit } from "simple-git";

/**
 * Environment variables git may inherit. simple-git 4 strips every ambient `GIT_*` variable unless
 * it is allow-listed; these are the ones a user (or CI) relies on for identity, dates, config and TLS.
 * GIT_DIR / GIT_WORK_TREE are deliberately absent: csess addresses repositories by directory, and
 * inheriting them (e.g. when run from a git hook) would point every command at the wrong repository.
 */
const INHERITED_ENV = [
  "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE",
  "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE",
  "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM",
  "GIT_SSL_CAINFO", "GIT_SSL_CAPATH", "GIT_SSL_NO_VERIFY", "GIT_SSH", "GIT_SSH_COMMAND",
  "GIT_ASKPASS", "GIT_TERMINAL_PROMPT", "GIT_TRACE",
];
/** The inherited ones simple-git also accepts in an explicit environment (no config paths, no programs). */
const EXPLICIT_OK = INHERITED_ENV.filter((key) => !/^GIT_(CONFIG_GLOBAL|CONFIG_SYSTEM|SSH|SSH_COMMAND|ASKPASS)$/.test(key));
/** Variables csess sets itself for plumbing (a private index for commits that bypass the user's). */
const OWN_ENV = ["GIT_INDEX_FILE"];
/**
 * Keys simple-git refuses in an explicitly passed environment (editors, pagers, config paths...).
 * Only plumbing that never opens an editor or pager gets an explicit environment, so they are dropped.
 */
const REFUSED_IN_EXPLICIT_ENV = /^(editor|visual|pager|prefix|ssh_askpass|git_.*)$/i;

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

/** Runs one git command in `cwd` through simple-git and returns stdout, stderr and the exit code. */
export async function runGit(cwd: string, args: string[], options: GitOptions = {}): Promise<GitResult> {
  let captured: { stdErr: Buffer[]; exitCode: number } | undefined;
  const git = simpleGit({
    baseDir: cwd,
    allowEnvironment: [...INHERITED_ENV, ...OWN_ENV],
    // Keep the exit code and stderr for every run; only a failure to spawn git at all is thrown here.
    errors: (error, result) => {
      captured = result;
      return result.exitCode > 0 ? undefined : error; // git ran and answered: the caller judges the code
    },
    // A Buffer (even an empty one) makes simple-git write and close stdin; an empty string would not.
    ...(options.input === undefined ? {} : { input: () => Buffer.from(options.input ?? "", "utf8") }),
  });
  if (options.env) {
    const inherited = Object.entries(process.env).filter(
      ([key]) => !REFUSED_IN_EXPLICIT_ENV.test(key) || EXPLICIT_OK.includes(key),
    );
    git.env({ ...Object.fromEntries(inherited), ...options.env });
  }
  const stdout = await git.raw(args);
  const result: GitResult = {
    stdout,
    stderr: captured ? Buffer.concat(captured.stdErr).toString("utf8") : "",
    exitCode: captured?.exitCode ?? 0,
  };
  if (result.exitCode !== 0 && !(options.okExitCodes ?? []).includes(result.exitCode)) {
    throw new GitCommandError(args, result);
  }
  return result;
}

/** Runs git and returns its trimmed stdout. */
export async function gitOut(cwd: string, args: string[], options: GitOptions = {}): Promise<string> {
  return (await runGit(cwd, args, options)).stdout.trim();
}

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
