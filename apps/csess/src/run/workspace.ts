import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { basename, posix } from "node:path";
import { TmuxError, type SshTmux } from "@csess/tmux";
import { withRepoLock } from "@csess/verify";

/** A task branch's tip as last sent to the host; the worktree there is reset to it when they differ. */
const TIP_REF = "refs/csess/tip/";
/** The task branch as last fetched back from the host. */
const FETCHED_REF = "refs/csess/fetched/";

/**
 * Work travels as git: a bare repository per local repo on the host, a worktree there per task branch.
 * `prepare` pushes the local task branch (over the same ssh, connection reuse included) and checks it out
 * on the host; `fetchBack` brings the branch back and points the local worktree at it, so evidence,
 * checks and merges happen here exactly as for local tasks.
 */
export class RemoteWorkspace {
  private bare: Promise<string> | undefined;

  constructor(
    private readonly executor: SshTmux,
    private readonly repoRoot: string,
  ) {}

  /** Pushes the task branch and makes (or resets) its worktree on the host; returns the worktree's path there. */
  prepare(branch: string): Promise<string> {
    return this.executor.retrying(() => this.prepareOnce(branch));
  }

  private async prepareOnce(branch: string): Promise<string> {
    const bare = await this.bareRepo();
    const worktree = posix.join(await this.executor.workDir(), "worktrees", branch);
    await this.git(this.repoRoot, ["push", "-q", "--force", this.url(bare), `refs/heads/${branch}:${TIP_REF}${branch}`]);
    // Kept as is when it already holds the tip (a next iteration on the same host keeps uncommitted work).
    const script = [
      "set -e",
      'tip=$(git -C "$1" rev-parse --verify -q "$4")',
      'git -C "$1" worktree prune',
      'if [ -e "$2/.git" ]; then',
      '  [ "$(git -C "$2" rev-parse HEAD)" = "$tip" ] || git -C "$2" reset -q --hard "$tip"',
      "else",
      '  mkdir -p "$(dirname "$2")"',
      '  git -C "$1" worktree add -q -f -B "$3" "$2" "$tip"',
      "fi",
    ].join("\n");
    await this.executor.ssh.check(["sh", "-c", script, "sh", bare, worktree, branch, `${TIP_REF}${branch}`], { what: `preparing the worktree of ${branch}` });
    return worktree;
  }

  /** Fetches the task branch from the host and resets the local worktree (where nothing runs) to it. */
  async fetchBack(branch: string, localWorktree: string): Promise<void> {
    const bare = await this.bareRepo();
    await this.executor.retrying(() => withRepoLock(this.repoRoot, () =>
      this.git(this.repoRoot, ["fetch", "-q", "--no-write-fetch-head", "--no-auto-gc", this.url(bare), `+refs/heads/${branch}:${FETCHED_REF}${branch}`]),
    ));
    await this.git(localWorktree, ["reset", "-q", "--hard", `${FETCHED_REF}${branch}`]);
  }

  private url(bare: string): string {
    return `${this.executor.host}:${bare}`;
  }

  private bareRepo(): Promise<string> {
    this.bare ??= (async () => {
      const id = createHash("sha256").update(this.repoRoot).digest("hex").slice(0, 10);
      const bare = posix.join(await this.executor.workDir(), "repos", `${basename(this.repoRoot)}-${id}.git`);
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
