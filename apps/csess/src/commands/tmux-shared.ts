import { join } from "node:path";
import {
  readRemoteLink, readRemoteRegistry, sanitizeSessionName, SshTmux, TmuxError, validateSessionName,
  type ExecutorOutcome, type RemoteLink, type SessionStatus, type Tmux,
} from "@csess/tmux";
import { UserError } from "../errors.js";
import { openTmux } from "../tmux.js";
export { openTmux };

/** The executor of an ssh session started from this machine (its master connection reused if still open). */
function sshFor(link: RemoteLink, home: string): SshTmux {
  return new SshTmux({
    host: link.host, home, workDir: link.workDir, controlDir: join(home, "ssh"),
    ...(link.configFile ? { configFile: link.configFile } : {}),
  });
}

/** A session's executor for `logs`, `attach`, `kill`: the newest session of that name, here or on an ssh host. */
export async function executorForSession(name: string, options: { socket?: string } = {}): Promise<Tmux | SshTmux> {
  const tmux = openTmux(options);
  const link = (await readRemoteRegistry(tmux.home)).find((l) => l.name === name);
  if (!link) return tmux;
  const local = await tmux.status(name).catch(() => undefined);
  return local && local.startedAt > link.startedAt ? tmux : sshFor(link, tmux.home);
}

/** The executor of a runner's attempt, by its state directory (ssh sessions leave a remote.json there). */
export async function executorForStateDir(stateDir: string, options: { socket?: string } = {}): Promise<Tmux | SshTmux> {
  const tmux = openTmux(options);
  const link = await readRemoteLink(tmux.home, { stateDir });
  return link ? sshFor(link, tmux.home) : tmux;
}

/** Sessions here and on every ssh host sessions were started on; a host that does not answer is reported, not fatal. */
export async function listAllSessions(stallMs: number): Promise<{ sessions: SessionStatus[]; unreachable: string[] }> {
  const tmux = openTmux();
  const sessions = await tmux.list({ stallMs });
  const unreachable: string[] = [];
  const hosts = new Map<string, RemoteLink>();
  for (const link of await readRemoteRegistry(tmux.home)) hosts.set(`${link.host}\0${link.workDir}`, link);
  for (const link of hosts.values()) {
    try {
      sessions.push(...(await sshFor(link, tmux.home).list()));
    } catch (error) {
      if (!(error instanceof TmuxError)) throw error;
      unreachable.push(`${link.host}: ${error.message}`);
    }
  }
  return { sessions: sessions.sort((a, b) => a.startedAt.localeCompare(b.startedAt)), unreachable };
}

/** One line on how a followed session ended. */
export function describeOutcome(name: string, outcome: ExecutorOutcome): string {
  return outcome.state === "exited"
    ? `csess: ${name} exited with code ${outcome.exitCode}${outcome.reason === "exit" ? "" : ` (${outcome.reason})`}\n`
    : `csess: ${name} is ${outcome.state}: ${outcome.detail}\n`;
}

/** `--json` shape of a session (also used by the runner's status): absent values are null so every key is present. */
export function sessionJson(s: SessionStatus) {
  return {
    name: s.name,
    state: s.state,
    exitCode: s.exitCode ?? null,
    reason: s.reason ?? null,
    cwd: s.cwd,
    command: s.command,
    argv: s.argv,
    startedAt: s.startedAt,
    endedAt: s.endedAt ?? null,
    lastOutputAt: s.lastOutputAt,
    attachable: s.attachable,
    socket: s.socket,
    logFile: s.logFile,
    stateDir: s.stateDir,
    meta: s.meta,
    host: s.host ?? "local",
  };
}

/** The session a user names: as typed, or as `csess exec` made it tmux-safe ("build:v1.2" -> "build-v1-2"). */
export function sessionNamed(name: string): string {
  try {
    validateSessionName(name);
    return name;
  } catch {
    return sanitizeSessionName(name);
  }
}
