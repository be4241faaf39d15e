import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { basename, posix } from "node:path";
import { TmuxError, type SshTmux } from "@csess/tmux";
import { withRepoLock } from "@csess/verify";
import { agentGitEnv, stampHooks, type Stamps } from "./stamps.js";

/** A task branch's tip as last sent to the host; the worktree there is reset to it when they differ. */
const TIP_REF = "refs/csess/tip/";
/** The task branch as last fetched back from the host. */
const FETCHED_REF = "refs/csess/fetched/";

/**
 * Work travels as git: a bare repository per local repo on the host, a worktree there per task branch.
 * `prepare` pushes the local task branch (over the same ssh, connection reuse included) and checks it out
 * on the host; `fetchBack` brings the branch back and points the local worktree at it, so evidence,
 * checks and merges happen here exactly as for local tasks. The agents' git on the host stamps its ref
 * updates as it does here (stamps.ts: csess's hooks, installed on the host once per run, logging there),
 * and that log comes back with each branch, so another task's commits verify nobody on any host.
 */
export class RemoteWorkspace {
  private bare: Promise<string> | undefined;
  private hooks: Promise<{ dir: string; log: string }> | undefined;
  /** The last worktree preparation on this host: git's worktree add and prune are not safe side by side. */
  private preparing: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly executor: SshTmux,
    private readonly repoRoot: string,
    private readonly run: { id: string; stamps: Stamps },
  ) {}

  /** The agent's git configuration on the host: csess's stamping hooks there (see `agentGitEnv`). */
  async stampsEnv(): Promise<Record<string, string>> {
    return agentGitEnv((await this.hostHooks()).dir, {});
  }

  /** Pushes the task branch and makes (or resets) its worktree on the host; returns the worktree's path there. */
  prepare(branch: string): Promise<string> {
    return this.executor.retrying(() => this.prepareOnce(branch));
  }

  private async prepareOnce(branch: string): Promise<string> {
    const bare = await this.bareRepo();
    const worktree = posix.join(await this.executor.workDir(), "worktrees", branch);
    await this.git(this.repoRoot, ["push", "-q", "--force", this.url(bare), `refs/heads/${branch}:${TIP_REF}${branch}`]);
    // Kept as is when it is on the branch at the tip (a next iteration on the same host keeps uncommitted
    // work); else put back on the branch at the tip (an agent may have detached it or deleted the branch).
    const script = [
      "set -e",
      'tip=$(git -C "$1" rev-parse --verify -q "$4")',
      'git -C "$1" worktree prune',
      'if [ -e "$2/.git" ]; then',
      '  if [ "$(git -C "$2" symbolic-ref -q HEAD || true)" != "refs/heads/$3" ] || [ "$(git -C "$2" rev-parse -q --verify HEAD || true)" != "$tip" ]; then',
      '    git -C "$2" checkout -q -f -B "$3" "$tip"',
      "  fi",
      "else",
      '  mkdir -p "$(dirname "$2")"',
      '  git -C "$1" worktree add -q -f -B "$3" "$2" "$tip"',
      "fi",
    ].join("\n");
    // One at a time per host (as withRepoLock does here): a prune or add beside another add fails with
    // "failed to read worktrees/<name>/commondir".
    const prepared = this.preparing.then(() =>
      this.executor.ssh.check(["sh", "-c", script, "sh", bare, worktree, branch, `${TIP_REF}${branch}`], { what: `preparing the worktree of ${branch}` }));
    this.preparing = prepared.catch(() => undefined);
    await prepared;
    return worktree;
  }

  /**
   * Fetches the task branch and the host's stamps, and resets the local worktree (where nothing runs)
   * to the branch. An agent that deleted its branch there deletes it here too: judged as a local one.
   */
  async fetchBack(branch: string, localWorktree: string): Promise<void> {
    const bare = await this.bareRepo();
    const fetched = await this.executor.retrying(() => withRepoLock(this.repoRoot, () =>
      this.git(this.repoRoot, ["fetch", "-q", "--no-write-fetch-head", "--no-auto-gc", this.url(bare), `+refs/heads/${branch}:${FETCHED_REF}${branch}`])
        .then(() => true, (error: Error) => (/couldn't find remote ref/.test(error.message) ? false : Promise.reject(error))),
    ));
    const { log } = await this.hostHooks();
    const stamps = await this.executor.retrying(() => this.executor.ssh.check(["sh", "-c", 'cat "$1" 2>/dev/null || true', "sh", log], { what: "reading the stamps" }));
    writeFileSync(this.run.stamps.mirror(this.executor.host), stamps);
    if (fetched) await this.git(localWorktree, ["reset", "-q", "--hard", `${FETCHED_REF}${branch}`]);
    else await withRepoLock(this.repoRoot, () => this.git(this.repoRoot, ["update-ref", "-d", `refs/heads/${branch}`]));
  }

  private url(bare: string): string {
    return `${this.executor.host}:${bare}`;
  }

  /** csess's hooks folder on the host for this run (installed once), and the log its stamps go to. */
  private hostHooks(): Promise<{ dir: string; log: string }> {
    this.hooks ??= (async () => {
      const work = await this.executor.workDir();
      const name = `${this.repoId()}-${this.run.id}`;
      const dir = posix.join(work, "hooks", name);
      const log = posix.join(work, "stamps", `${name}.log`);
      await this.executor.ssh.check(["mkdir", "-p", posix.dirname(log)], { what: "creating the stamps folder" });
      // csess made the bare repository, so it has no hooks of its own to chain.
      await this.executor.putFiles(dir, stampHooks(log, { dir: posix.join(await this.bareRepo(), "hooks"), relative: false, names: [] }));
      return { dir, log };
    })().catch((error: unknown) => {
      this.hooks = undefined;
      throw error;
    });
    return this.hooks;
  }

  private repoId(): string {
    return `${basename(this.repoRoot)}-${createHash("sha256").update(this.repoRoot).digest("hex").slice(0, 10)}`;
  }

  private bareRepo(): Promise<string> {
    this.bare ??= (async () => {
      const bare = posix.join(await this.executor.workDir(), "repos", `${this.repoId()}.git`);
      await this.executor.ssh.check(["sh", "-c", '[ -d "$1" ] || git init -q --bare "$1"', "sh", bare], { what: "creating the bare repository" });
      return bare;
    })().catch((error: unknown) => {
      this.bare = undefined;
      throw error;
    });
    return this.bare;
  }

  /** Runs git here with ssh as this host's executor calls it (same -F, same master connection). */
  private git(cwd: string, args: string[]): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn("git", args, {
        cwd,
        env: { ...process.env, GIT_SSH_COMMAND: this.executor.ssh.gitSshCommand(), GIT_TERMINAL_PROMPT: "0" },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("error", reject);
      child.on("exit", (code) => {
        if (code === 0) return resolve();
        const message = `ssh host ${this.executor.host}: git ${args[0]} ${args.at(-1) ?? ""} failed (exit ${code}): ${stderr.trim()}`;
        // The connection, not git, failed: the caller waits for the host (and gives up on it after the timeout).
        const transport = /Could not read from remote repository|remote end hung up|Connection (refused|closed|reset|timed out)|early EOF|Broken pipe|ssh: |kex_exchange/.test(stderr);
        reject(transport ? new TmuxError("HOST_UNREACHABLE", message) : new Error(message));
      });
    });
  }
}
