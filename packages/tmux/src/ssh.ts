import { execFile, spawn, type ChildProcess } from "node:child_process";
import { lstat, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { TmuxError } from "./errors.js";

/** How csess reaches one host: an OpenSSH destination, so `~/.ssh/config` aliases, keys and agents apply. */
export interface SshOptions {
  /** Destination as `ssh` takes it: an alias from the ssh config, `host`, or `user@host`. */
  host: string;
  /** An ssh config file passed as `ssh -F FILE` to every call (default: ssh's own, `~/.ssh/config`). */
  configFile?: string;
  /**
   * Private directory (mode 0700) holding the ControlMaster sockets, so a run opens one connection per
   * host and every later call reuses it. Undefined: no connection reuse (each call connects anew).
   */
  controlDir?: string;
  /** Seconds an idle master connection stays open after its last use (default 300). */
  controlPersistSeconds?: number;
  /** Seconds to wait for a connection before the call fails (default 10). */
  connectTimeoutSeconds?: number;
}

/** ssh exits 255 when the connection (not the remote command) failed. */
export const SSH_CONNECTION_FAILED = 255;

export interface SshResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Quotes one word for the remote POSIX shell that ssh hands the command line to. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * One host's ssh calls. Commands are argv arrays, quoted for the remote shell here; nothing reaches a
 * local shell. With a control directory, the first call starts a background master connection
 * (`ssh -M -N -f`, ControlPersist) and the others multiplex over it; a killed master is replaced on the
 * next call, and in between calls connect directly.
 */
export class SshConnection {
  readonly host: string;
  readonly configFile: string | undefined;
  readonly controlDir: string | undefined;
  private readonly persist: number;
  private readonly connectTimeout: number;
  private master: Promise<void> | undefined;

  constructor(options: SshOptions) {
    if (options.host === "" || options.host.startsWith("-") || /\s|:\/\//.test(options.host)) {
      throw new TmuxError(
        "INVALID_SPEC",
        `invalid ssh host ${JSON.stringify(options.host)}: expected an OpenSSH destination such as build1 (a ~/.ssh/config alias) or me@build1.example.com`,
      );
    }
    this.host = options.host;
    this.configFile = options.configFile === undefined ? undefined : path.resolve(options.configFile);
    this.controlDir = options.controlDir === undefined ? undefined : path.resolve(options.controlDir);
    this.persist = options.controlPersistSeconds ?? 300;
    this.connectTimeout = options.connectTimeoutSeconds ?? 10;
  }

  /** Options every ssh call of this host gets (before the destination). */
  baseArgs(): string[] {
    const args: string[] = [];
    if (this.configFile) args.push("-F", this.configFile);
    args.push(
      "-o", "BatchMode=yes",
      "-o", `ConnectTimeout=${this.connectTimeout}`,
      // A host that stops answering is noticed within ~15 s even on a silent connection.
      "-o", "ServerAliveInterval=5",
      "-o", "ServerAliveCountMax=3",
    );
    if (this.controlDir) args.push("-o", `ControlPath=${path.join(this.controlDir, "%C")}`, "-o", "ControlMaster=no");
    else args.push("-o", "ControlPath=none");
    return args;
  }

  /** `ssh [options] host -- <quoted argv>`: the argv for spawning ssh with this remote command. */
  commandArgs(remoteArgv: string[], extra: string[] = []): string[] {
    return [...this.baseArgs(), ...extra, this.host, "--", remoteArgv.map(shellQuote).join(" ")];
  }

  /** The ssh command line as GIT_SSH_COMMAND wants it (a shell string; git appends host and command). */
  gitSshCommand(): string {
    return ["ssh", ...this.baseArgs()].map(shellQuote).join(" ");
  }

  /** Runs a remote command to its end; resolves with its exit code and output (never rejects on a non-zero code). */
  async run(remoteArgv: string[], options: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<SshResult> {
    await this.ensureMaster();
    const result = await new Promise<SshResult>((resolve, reject) => {
      const child = execFile(
        "ssh",
        this.commandArgs(remoteArgv),
        { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, timeout: options.timeoutMs ?? 0 },
        (error, stdout, stderr) => {
          if (error && (error as NodeJS.ErrnoException).code === "ENOENT") {
            reject(new TmuxError("TMUX_FAILED", "ssh is not installed (no `ssh` on PATH): install OpenSSH, for example apt-get install openssh-client"));
            return;
          }
          const code = error ? (typeof error.code === "number" ? error.code : SSH_CONNECTION_FAILED) : 0;
          resolve({ code, stdout, stderr });
        },
      );
      // A remote command (or a dropped connection) may end before reading all of its input: that is
      // the command's exit code to report, not an EPIPE to crash csess with.
      child.stdin?.on("error", () => undefined);
      child.stdin?.end(options.input ?? "");
    });
    if (result.code === SSH_CONNECTION_FAILED) this.master = undefined; // look at the master again next time
    return result;
  }

  /** Like `run`, but throws unless the command exited 0; returns its stdout. */
  async check(remoteArgv: string[], options: { input?: string | Buffer; timeoutMs?: number; what?: string } = {}): Promise<string> {
    const result = await this.run(remoteArgv, options);
    if (result.code !== 0) throw sshFailure(this.host, options.what ?? remoteArgv[0] ?? "command", result);
    return result.stdout;
  }

  /** Starts a long-lived remote command (stdin stays open: the remote side sees EOF when this end goes away). */
  async spawn(remoteArgv: string[], extra: string[] = []): Promise<ChildProcess> {
    await this.ensureMaster();
    return spawn("ssh", this.commandArgs(remoteArgv, extra), { stdio: ["pipe", "pipe", "pipe"] });
  }

  /** Forgets the master connection so the next call checks (and if need be restarts) it. */
  reconnect(): void {
    this.master = undefined;
  }

  /** Closes the master connection, if any (sessions on the host keep running). */
  async close(): Promise<void> {
    if (!this.controlDir) return;
    await runSsh([...this.baseArgs(), "-O", "exit", this.host]);
    this.master = undefined;
  }

  private ensureMaster(): Promise<void> {
    if (!this.controlDir) return Promise.resolve();
    this.master ??= this.startMaster().catch((error: unknown) => {
      this.master = undefined;
      throw error;
    });
    return this.master;
  }

  private async startMaster(): Promise<void> {
    const dir = this.controlDir!;
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const stat = await lstat(dir);
    if (!stat.isDirectory() || (stat.mode & 0o077) !== 0 || stat.uid !== process.getuid?.()) {
      throw new TmuxError("SOCKET_NOT_USABLE", `ssh control directory ${dir} must be a directory of yours with mode 0700 (others could use your connections); got mode ${(stat.mode & 0o777).toString(8)}`);
    }
    if ((await runSsh([...this.baseArgs(), "-O", "check", this.host])).code === 0) return;
    // A socket left by a killed master would make the new one refuse to listen.
    const socketPath = (await runSsh([...this.baseArgs(), "-G", this.host])).stdout.match(/^controlpath (.+)$/m)?.[1];
    if (socketPath) await rm(socketPath, { force: true });
    // -f: ssh backgrounds itself once connected, holding no stdio of ours (so no caller waits on it).
    const result = await runSsh([...this.baseArgs(), "-o", "ControlMaster=yes", "-o", `ControlPersist=${this.persist}`, "-M", "-N", "-f", this.host]);
    if (result.code !== 0) throw sshFailure(this.host, "connection", result);
  }
}

function runSsh(args: string[]): Promise<SshResult> {
  return new Promise((resolve) => {
    const child = spawn("ssh", args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", (error) => resolve({ code: SSH_CONNECTION_FAILED, stdout, stderr: error.message }));
    // "close" would wait for a backgrounded master's copy of stdout; "exit" is the ssh we ran.
    child.on("exit", (code) => {
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ code: code ?? SSH_CONNECTION_FAILED, stdout, stderr });
    });
  });
}

/** An error naming the host, what failed and ssh's own words. */
export function sshFailure(host: string, what: string, result: SshResult): TmuxError {
  const said = result.stderr.trim().split("\n").slice(-3).join(" ") || `exit code ${result.code}`;
  return result.code === SSH_CONNECTION_FAILED
    ? new TmuxError("HOST_UNREACHABLE", `cannot reach ssh host ${host} (${what}): ${said}; check it with: ssh ${host} true`)
    : new TmuxError("TMUX_FAILED", `${what} failed on ssh host ${host}: ${said}`);
}
