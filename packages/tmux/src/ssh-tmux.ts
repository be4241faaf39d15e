import { execFile, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TmuxError } from "./errors.js";
import { readLastLines } from "./logs.js";
import type { Executor, ExecutorOutcome, ExecutorStartOptions } from "./executor.js";
import { defaultHome } from "./paths.js";
import { readRemoteLink, readRemoteRegistry, writeRemoteLink, type RemoteLink } from "./remote-registry.js";
import { SSH_CONNECTION_FAILED, SshConnection, sshFailure, type SshOptions } from "./ssh.js";
import { stateFile, writeFileAtomic } from "./state.js";
import type { ExitOutcome, SessionHandle, SessionRef, SessionSpec, SessionStatus } from "./types.js";

/**
 * The compiled files that run on a host (`remote-cli.js`, the launcher and what they import), copied
 * there as they are: `remote/` beside this module when an app bundles this package (csess's `dist/remote/`,
 * a self-contained bundle), else this package's own `dist/` (built, or `../dist` when tests import `src`).
 */
const REMOTE_LIB = [new URL("./remote/", import.meta.url), new URL("./", import.meta.url), new URL("../dist/", import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((dir) => existsSync(path.join(dir, "remote-cli.js")) && existsSync(path.join(dir, "launcher.pl")));

export interface SshTmuxOptions extends SshOptions {
  /** Directory on the host for csess's files (tmux socket, sessions, repos, worktrees). Relative: to the login directory. Default `.csess-remote`. */
  workDir?: string;
  /** Local csess home: remote sessions are registered under it, so `status`, `logs`, `attach` and `kill` find them. */
  home?: string;
  /** A host that does not answer for this long makes `waitForExit` resolve `unreachable` (default 60 s). */
  unreachableAfterMs?: number;
  /** The node binary on the host (default `node` from the login PATH). */
  nodeBin?: string;
}

interface Ready {
  dir: string;
  cli: string;
}

/**
 * Sessions on another machine: the same launcher and `Tmux` code, copied to the host once per version
 * and driven over ssh (`remote-cli.js`). Completion is event-driven: one long-lived `ssh host node
 * remote-cli.js wait` per session returns when the session ends; a dropped connection is retried, and
 * only a host that stays unreachable ends the wait. Sessions live in the host's tmux, so they survive a
 * dropped connection and a restarted csess.
 */
export class SshTmux implements Executor {
  readonly host: string;
  readonly ssh: SshConnection;
  readonly home: string;
  private readonly workDirOption: string;
  private readonly unreachableAfterMs: number;
  private readonly nodeBin: string;
  private ready: Promise<Ready> | undefined;

  constructor(options: SshTmuxOptions) {
    this.ssh = new SshConnection(options);
    this.host = options.host;
    this.home = path.resolve(options.home ?? defaultHome());
    this.workDirOption = (options.workDir ?? ".csess-remote").replace(/^~\//, "");
    this.unreachableAfterMs = options.unreachableAfterMs ?? 60_000;
    this.nodeBin = options.nodeBin ?? "node";
  }

  /** The host's work directory, absolute (created on first use). */
  async workDir(): Promise<string> {
    return (await this.prepare()).dir;
  }

  async sessionDir(localStateDir: string): Promise<string> {
    const { dir } = await this.prepare();
    return path.posix.join(dir, "sessions", createHash("sha256").update(path.resolve(localStateDir)).digest("hex").slice(0, 20));
  }

  async start(spec: SessionSpec, options: ExecutorStartOptions = {}): Promise<SessionHandle> {
    const { dir, cli } = await this.prepare();
    const stateDir = path.resolve(spec.stateDir);
    const remoteStateDir = await this.sessionDir(stateDir);
    const files: Record<string, string> = {};
    for (const name of options.copy ?? []) files[name] = (await readFile(path.join(stateDir, name))).toString("base64");
    await mkdir(stateDir, { recursive: true, mode: 0o700 });
    await rm(stateFile(stateDir, "exit"), { force: true });
    const link: RemoteLink = {
      version: 1, name: spec.name, host: this.host, workDir: dir, remoteStateDir, stateDir, startedAt: new Date().toISOString(),
      ...(this.ssh.configFile ? { configFile: this.ssh.configFile } : {}),
    };
    // Written before the session exists: a csess killed right after the start still finds it.
    await writeRemoteLink(this.home, link);
    const input = JSON.stringify({ spec: { ...spec, stateDir: remoteStateDir }, files });
    let attempt = 0;
    const remote = await this.retrying(async () => {
      // A connection that dropped during the last try may have left the session started: never start it twice.
      if (attempt++ > 0) {
        const started = await this.ssh.run([this.nodeBin, cli, dir, "status", remoteStateDir]);
        if (started.code === SSH_CONNECTION_FAILED) throw sshFailure(this.host, `starting session ${spec.name}`, started);
        if (started.code === 0) return JSON.parse(started.stdout) as SessionStatus;
      }
      return JSON.parse(await this.ssh.check([this.nodeBin, cli, dir, "start"], { input, what: `starting session ${spec.name}` })) as SessionHandle | SessionStatus;
    });
    return { name: remote.name, socket: remote.socket, startedAt: remote.startedAt, stateDir, logFile: stateFile(stateDir, "log"), exitFile: stateFile(stateDir, "exit") };
  }

  async waitForExit(ref: SessionRef, options: { signal?: AbortSignal } = {}): Promise<ExecutorOutcome> {
    const link = await this.link(ref);
    if (!link) return { state: "dead", detail: `no session was started in ${typeof ref === "string" ? ref : ref.stateDir} (it holds no remote.json)` };
    const local = await readFile(stateFile(link.stateDir, "exit"), "utf8").catch(() => undefined);
    if (local) return { state: "exited", ...JSON.parse(local) };
    for (;;) {
      options.signal?.throwIfAborted();
      const result = await this.prepare()
        .then(({ dir, cli }) => this.waitOnce([this.nodeBin, cli, dir, "wait", link.remoteStateDir], options.signal))
        .catch((error: unknown) => (isUnreachable(error) ? { code: SSH_CONNECTION_FAILED, stdout: "", stderr: String(error) } : Promise.reject(error)));
      if (result.code === 0) {
        const outcome = JSON.parse(result.stdout.trim().split("\n").at(-1) ?? "") as ExitOutcome;
        if (await this.copyBack(link).then(() => true, (error: unknown) => isUnreachable(error) ? false : Promise.reject(error))) return outcome;
      } else if (result.code !== SSH_CONNECTION_FAILED) {
        throw sshFailure(this.host, `waiting for session ${link.name}`, result);
      }
      // The connection dropped: carry on waiting once the host answers, give up if it does not for long.
      try {
        await this.awaitHost(options.signal);
      } catch (error) {
        if (isUnreachable(error)) return { state: "unreachable", detail: `${(error as Error).message} (session ${link.name})` };
        throw error;
      }
    }
  }

  /**
   * After a failed connection: resolves as soon as the host answers again; throws HOST_UNREACHABLE once
   * it has not answered for `unreachableAfterMs` (retried with backoff meanwhile).
   */
  async awaitHost(signal?: AbortSignal): Promise<void> {
    const since = Date.now();
    for (let pauseMs = 250; ; pauseMs = Math.min(pauseMs * 2, 5000)) {
      this.ssh.reconnect();
      const probe = await this.ssh.run(["true"], { timeoutMs: 30_000 }).catch(() => undefined);
      if (probe?.code === 0) return;
      const silentMs = Date.now() - since;
      if (silentMs >= this.unreachableAfterMs) {
        throw new TmuxError("HOST_UNREACHABLE", `ssh host ${this.host} has not answered for ${Math.round(silentMs / 1000)} s: ${probe?.stderr.trim() || "no answer"}`);
      }
      await sleep(Math.min(pauseMs, this.unreachableAfterMs - silentMs), signal);
    }
  }

  /** Runs an idempotent step, again after a dropped connection once the host answers; HOST_UNREACHABLE if it stays away. */
  async retrying<T>(step: () => Promise<T>): Promise<T> {
    // A step that keeps failing while the host answers is not a connection problem: it gets a few tries.
    for (let tries = 1; ; tries++) {
      try {
        return await step();
      } catch (error) {
        if (!isUnreachable(error) || tries >= 5) throw error;
        await this.awaitHost();
      }
    }
  }

  async status(ref: SessionRef): Promise<SessionStatus> {
    const link = await this.requireLink(ref);
    return this.localised(link, JSON.parse(await this.remote(["status", link.remoteStateDir], `status of ${link.name}`)) as SessionStatus);
  }

  /** Every session this machine started on the host, as the host sees them now. */
  async list(): Promise<SessionStatus[]> {
    const links = (await readRemoteRegistry(this.home)).filter((l) => l.host === this.host);
    if (links.length === 0) return [];
    const remote = JSON.parse(await this.remote(["list"], "listing sessions")) as SessionStatus[];
    const byDir = new Map(remote.map((s) => [s.stateDir, s]));
    return links.flatMap((link) => {
      const status = byDir.get(link.remoteStateDir);
      return status ? [this.localised(link, status)] : [];
    });
  }

  /** The last lines of the session's log: from the copy here once it has ended (its host may be gone since), else from the host. */
  async tail(ref: SessionRef, lines: number): Promise<string> {
    const link = await this.requireLink(ref);
    if (existsSync(stateFile(link.stateDir, "exit"))) return readLastLines(stateFile(link.stateDir, "log"), lines);
    return this.remote(["tail", link.remoteStateDir, String(lines)], `log of ${link.name}`);
  }

  /** Streams the session's log from the host until the session ends. */
  async follow(ref: SessionRef, onOutput: (chunk: Buffer) => void, options: { lines?: number } = {}): Promise<ExecutorOutcome> {
    const link = await this.requireLink(ref);
    const { dir, cli } = await this.prepare();
    const child = await this.ssh.spawn([this.nodeBin, cli, dir, "follow", link.remoteStateDir, String(options.lines ?? 0)]);
    let stderr = "";
    child.stdout!.on("data", onOutput);
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number>((resolve) => child.on("close", (c) => resolve(c ?? SSH_CONNECTION_FAILED)));
    if (code === 0) return JSON.parse(stderr.trim().split("\n").at(-1) ?? "") as ExitOutcome;
    if (code === SSH_CONNECTION_FAILED) return { state: "unreachable", detail: `lost the connection to ${this.host}: ${stderr.trim()}` };
    throw sshFailure(this.host, `following ${link.name}`, { code, stdout: "", stderr });
  }

  async kill(ref: SessionRef): Promise<SessionStatus> {
    const link = await this.requireLink(ref);
    const status = JSON.parse(await this.remote(["kill", link.remoteStateDir], `killing ${link.name}`)) as SessionStatus;
    await this.copyBack(link).catch(() => undefined); // its log, for a later look
    return this.localised(link, status);
  }

  /** `ssh -t host tmux attach` on the host's csess socket; resolves with its exit code. */
  async attach(ref: SessionRef): Promise<number> {
    const link = await this.requireLink(ref);
    const args = this.ssh.commandArgs(["tmux", "-S", path.posix.join(link.workDir, "tmux.sock"), "attach-session", "-t", `=${link.name}:`], ["-t"]);
    return new Promise((resolve, reject) => {
      const child = spawn("ssh", args, { stdio: "inherit" });
      child.on("error", reject);
      child.on("exit", (code) => resolve(code ?? 1));
    });
  }

  /** Writes executable files (by name) into a directory on the host, each whole; e.g. git hooks. */
  async putFiles(dir: string, files: Record<string, string>): Promise<void> {
    const { dir: work, cli } = await this.prepare();
    await this.ssh.check([this.nodeBin, cli, work, "put", dir], { input: JSON.stringify(files), what: `writing files into ${dir}` });
  }

  private async remote(args: string[], what: string): Promise<string> {
    const { dir, cli } = await this.prepare();
    return this.ssh.check([this.nodeBin, cli, dir, ...args], { what });
  }

  private localised(link: RemoteLink, status: SessionStatus): SessionStatus {
    return { ...status, stateDir: link.stateDir, logFile: stateFile(link.stateDir, "log"), host: this.host };
  }

  private async link(ref: SessionRef): Promise<RemoteLink | undefined> {
    return readRemoteLink(this.home, ref);
  }

  private async requireLink(ref: SessionRef): Promise<RemoteLink> {
    const link = await this.link(ref);
    if (!link) throw new TmuxError("UNKNOWN_SESSION", `no session ${JSON.stringify(ref)} was started on ssh host ${this.host} from this machine`);
    return link;
  }

  /** Copies the session's files (log, exit file, last message, ...) into the local state directory, the exit file last. */
  private async copyBack(link: RemoteLink): Promise<void> {
    const files = JSON.parse(await this.remote(["files", link.remoteStateDir], `copying ${link.name}'s files back`)) as Record<string, string>;
    await mkdir(link.stateDir, { recursive: true, mode: 0o700 });
    const exitName = path.basename(stateFile(link.stateDir, "exit"));
    for (const [name, content] of Object.entries(files)) {
      if (name !== exitName) await writeFile(path.join(link.stateDir, name), Buffer.from(content, "base64"), { mode: 0o600 });
    }
    const exit = files[exitName];
    if (exit !== undefined) await writeFileAtomic(path.join(link.stateDir, exitName), Buffer.from(exit, "base64").toString("utf8"));
  }

  /** Spawns the long-lived `wait` over ssh; resolves when it ends (or kills it on abort). */
  private async waitOnce(remoteArgv: string[], signal?: AbortSignal): Promise<{ code: number; stdout: string; stderr: string }> {
    const child = await this.ssh.spawn(remoteArgv);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const onAbort = () => child.kill();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      const code = await new Promise<number>((resolve) => {
        child.on("error", () => resolve(SSH_CONNECTION_FAILED));
        child.on("close", (c) => resolve(c ?? SSH_CONNECTION_FAILED));
      });
      signal?.throwIfAborted();
      return { code, stdout, stderr };
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Creates the work directory and installs this package's compiled files there (once per version). */
  private prepare(): Promise<Ready> {
    this.ready ??= this.retrying(() => this.install()).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private async install(): Promise<Ready> {
    if (!REMOTE_LIB) throw new Error("csess's files for ssh hosts (remote-cli.js, launcher.pl) are not built: run pnpm build");
    const dir = (await this.ssh.check(["sh", "-c", 'mkdir -p "$1" && cd "$1" && pwd -P', "sh", this.workDirOption], { what: "creating the work directory" })).trim();
    const files = (await readdir(REMOTE_LIB)).filter((f) => f.endsWith(".js") || f === "launcher.pl").sort();
    const hash = createHash("sha256");
    for (const file of files) hash.update(file).update(await readFile(path.join(REMOTE_LIB, file)));
    const lib = path.posix.join(dir, "lib", hash.digest("hex").slice(0, 16));
    const cli = path.posix.join(lib, "remote-cli.js");
    if ((await this.ssh.run(["test", "-f", cli])).code !== 0) {
      const archive = await tarOf(REMOTE_LIB, files);
      // Unpacked beside and renamed into place: a half-copied library is never used. The files are ES modules.
      await this.ssh.check(
        ["sh", "-c", 'set -e; t="$1.tmp.$$"; mkdir -p "$t"; tar -xf - -C "$t"; printf \'{"type":"module"}\\n\' > "$t/package.json"; if [ -d "$1" ]; then rm -rf "$t"; else mv "$t" "$1"; fi', "sh", lib],
        { input: archive, what: "copying the csess launcher" },
      );
    }
    return { dir, cli };
  }
}

function isUnreachable(error: unknown): boolean {
  return error instanceof TmuxError && error.code === "HOST_UNREACHABLE";
}

function tarOf(cwd: string, files: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    execFile("tar", ["-C", cwd, "-cf", "-", ...files], { encoding: "buffer", maxBuffer: 64 * 1024 * 1024 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    ),
  );
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}
