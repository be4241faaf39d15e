import { lstat, mkdir } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { TmuxError } from "./errors.js";

/** `$CSESS_TMUX_SOCKET`, else `~/.tmux/sock` (not /tmp, which macOS reaps). */
export function defaultSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.CSESS_TMUX_SOCKET || path.join(os.homedir(), ".tmux", "sock");
}

/** `$CSESS_HOME`, else `~/.csess`: holds the session registry and `csess exec` state. */
export function defaultHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.CSESS_HOME || path.join(os.homedir(), ".csess");
}

/** Longest socket path the kernel accepts (sun_path is 104 bytes on macOS, 108 on Linux, minus NUL). */
const MAX_SOCKET_PATH = 103;

/**
 * Makes the socket's directory (mode 0700 when created here) and refuses paths another user owns, so
 * csess never talks to, or starts commands in, someone else's tmux server.
 */
export async function prepareSocket(socket: string): Promise<void> {
  if (!path.isAbsolute(socket)) {
    throw new TmuxError("SOCKET_NOT_USABLE", `tmux socket path must be absolute, for example ~/.tmux/sock expanded to /home/me/.tmux/sock; got ${JSON.stringify(socket)}`);
  }
  if (Buffer.byteLength(socket) > MAX_SOCKET_PATH) {
    throw new TmuxError("SOCKET_NOT_USABLE", `tmux socket path is ${Buffer.byteLength(socket)} bytes, the limit is ${MAX_SOCKET_PATH}: choose a shorter one (for example ~/.tmux/sock); got ${socket}`);
  }
  const dir = path.dirname(socket);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  assertOwned(dir, await lstat(dir), "directory");
  const stat = await lstat(socket).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (stat === undefined) return;
  if (!stat.isSocket()) {
    throw new TmuxError("SOCKET_NOT_USABLE", `tmux socket path ${socket} exists but is not a socket: expected a tmux server socket or no file; remove it or choose another path`);
  }
  assertOwned(socket, stat, "socket");
}

function assertOwned(file: string, stat: { uid: number }, what: string): void {
  const uid = process.getuid?.();
  if (uid === undefined || stat.uid === uid) return;
  throw new TmuxError(
    "SOCKET_NOT_USABLE",
    `tmux ${what} ${file} belongs to user id ${stat.uid}, not to you (uid ${uid}): refusing to use another user's tmux server; ` +
      `set CSESS_TMUX_SOCKET or --socket to a path of your own, for example ~/.tmux/sock`,
  );
}
