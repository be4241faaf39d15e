import { execFile, type ExecFileException } from "node:child_process";
import { TmuxError } from "./errors.js";

/** Attempts for a command whose client could not connect to a busy server (it never reached the server). */
const CONNECT_ATTEMPTS = 5;

/** Runs one tmux client command (argv, never a shell) against a socket and returns its stdout. */
export async function runTmux(tmuxBin: string, socket: string, args: string[]): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const { error, stdout, stderr } = await new Promise<{ error: ExecFileException | null; stdout: string; stderr: string }>(
      (resolve) => execFile(tmuxBin, ["-S", socket, ...args], { encoding: "utf8" }, (error, stdout, stderr) => resolve({ error, stdout, stderr })),
    );
    if (!error) return stdout;
    if (attempt < CONNECT_ATTEMPTS && /error connecting to .*\((Resource temporarily unavailable|Connection reset by peer)\)/.test(stderr)) {
      await new Promise((r) => setTimeout(r, 20 * 2 ** attempt));
      continue;
    }
    throw classifyTmuxFailure(tmuxBin, socket, args, error, stderr);
  }
}

function classifyTmuxFailure(
  tmuxBin: string,
  socket: string,
  args: string[],
  error: { code?: string | number | null; message: string },
  stderr: string,
): TmuxError {
  if (error.code === "ENOENT") {
    return new TmuxError(
      "TMUX_NOT_FOUND",
      `tmux is not installed (${JSON.stringify(tmuxBin)} not found on PATH): install it, for example "apt-get install tmux" or "brew install tmux"`,
    );
  }
  if (isNoServer(stderr)) {
    return new TmuxError("SERVER_NOT_RUNNING", `no tmux server is running on socket ${socket}`);
  }
  return new TmuxError("TMUX_FAILED", `tmux ${args[0] ?? ""} failed on socket ${socket}: ${stderr.trim() || error.message}`);
}

/**
 * tmux's words for "nobody listens on this socket" (no file, or a stale one: ENOENT, ECONNREFUSED) and
 * "the server died under us".
 * Not "error connecting to ... (Resource temporarily unavailable)": a busy server's full accept queue is
 * a transient failure, not a dead server.
 */
function isNoServer(stderr: string): boolean {
  return /no server running|error connecting to .*\((No such file or directory|Connection refused)\)|server exited unexpectedly|lost server/.test(stderr);
}

/** A csess session as tmux sees it. `channel` tells a session from an older one that had the same name. */
export interface PaneState {
  channel: string;
  dead: boolean;
  /** The launcher's pid while the pane is alive. */
  pid: number;
}

// "|", not a tab: tmux prints control characters as "_" when its locale is not UTF-8 (ssh commands, cron).
const PANE_FORMAT = "#{session_name}|#{@csess-channel}|#{pane_dead}|#{pane_pid}";

/** Every session on the socket with its first pane; empty when no server runs there. */
export async function listPaneStates(tmuxBin: string, socket: string): Promise<Map<string, PaneState>> {
  let out: string;
  try {
    out = await runTmux(tmuxBin, socket, ["list-panes", "-a", "-F", PANE_FORMAT]);
  } catch (error) {
    // "no current target": the server has just lost its last session and is exiting.
    if (error instanceof TmuxError && (error.code === "SERVER_NOT_RUNNING" || /no current target/.test(error.message))) return new Map();
    throw error;
  }
  const panes = new Map<string, PaneState>();
  for (const line of out.split("\n")) {
    const [name, channel, dead, pid] = line.split("|");
    if (!name || panes.has(name)) continue;
    panes.set(name, { channel: channel ?? "", dead: dead === "1", pid: Number(pid) });
  }
  return panes;
}

/** The pane of one session, or undefined when the session or the whole server is gone. */
export async function paneState(tmuxBin: string, socket: string, name: string): Promise<PaneState | undefined> {
  let out: string;
  try {
    out = await runTmux(tmuxBin, socket, ["list-panes", "-s", "-t", `=${name}:`, "-F", PANE_FORMAT]);
  } catch (error) {
    if (error instanceof TmuxError && (error.code === "SERVER_NOT_RUNNING" || /can.t find (session|window)|no current target/.test(error.message))) {
      return undefined;
    }
    throw error;
  }
  const [, channel, dead, pid] = (out.split("\n")[0] ?? "").split("|");
  return { channel: channel ?? "", dead: dead === "1", pid: Number(pid) };
}
