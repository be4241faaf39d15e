import { spawn, type ChildProcess } from "node:child_process";
import { watch, type FSWatcher } from "node:fs";
import { TmuxError } from "./errors.js";
import { readExitInfo, STATE_FILES, stopOrphanedCommand, type SessionRecord } from "./state.js";
import { paneState } from "./tmux-cli.js";
import type { ExitOutcome } from "./types.js";

/** Backoff after a transient tmux failure (a busy server refusing connections), doubling up to the cap. */
const RETRY_FIRST_MS = 50;
const RETRY_CAP_MS = 2000;

/**
 * Resolves when the session's exit file appears, or with `dead` once the session is gone without one
 * (then whatever is left of its command is stopped: dead means nothing runs any more).
 * Event-driven, no polling: a watch on the state directory sees the exit file's rename, and a
 * `tmux wait-for` client on the session's channel returns when the launcher signals it or when the
 * tmux server dies (its connection drops); either way the exit file and the pane are then checked.
 * One closure on purpose: the watcher, the wait-for client, the retry timer and the abort listener
 * share one `settle` that releases them all exactly once.
 * `fresh`: this process started the session, so it was alive; the wait-for client is started without
 * first asking tmux about the pane (one tmux client less per task). Nothing is missed: a channel
 * signalled before the client connects wakes it at once (tmux keeps the signal), and a dead server fails it.
 */
export function waitForSessionExit(
  stateDir: string,
  record: SessionRecord,
  signal?: AbortSignal,
  fresh = false,
): Promise<ExitOutcome> {
  return new Promise<ExitOutcome>((resolve, reject) => {
    let settled = false;
    let watcher: FSWatcher | undefined;
    let waiter: ChildProcess | undefined;
    let retry: NodeJS.Timeout | undefined;
    let retryMs = RETRY_FIRST_MS;

    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      watcher?.close();
      waiter?.kill();
      clearTimeout(retry);
      signal?.removeEventListener("abort", onAbort);
      finish();
    };
    const onAbort = () => settle(() => reject(signal?.reason));
    const fail = (error: unknown) => settle(() => reject(error));

    const exitFileWritten = async (): Promise<boolean> => {
      const exit = await readExitInfo(stateDir);
      if (exit) settle(() => resolve({ state: "exited", ...exit }));
      return exit !== undefined;
    };

    const checkLater = () => {
      clearTimeout(retry);
      retry = setTimeout(() => void checkSession(), retryMs);
      retryMs = Math.min(retryMs * 2, RETRY_CAP_MS);
    };

    /** After a wake-up from tmux: exited, dead, or still running (then wait again). */
    const checkSession = async (): Promise<void> => {
      try {
        if (settled || (await exitFileWritten())) return;
        const pane = await paneState(record.tmuxBin, record.socket, record.name);
        if (pane && pane.channel === record.channel && !pane.dead) {
          armWaiter();
          return;
        }
        // The launcher writes the exit file before it lets the pane go: read once more to close the race.
        if (await exitFileWritten()) return;
        await stopOrphanedCommand(stateDir);
        settle(() => resolve({ state: "dead", detail: deadDetail(record, pane) }));
      } catch (error) {
        if (error instanceof TmuxError && error.code === "TMUX_FAILED") checkLater();
        else fail(error);
      }
    };

    const armWaiter = () => {
      if (settled || waiter) return;
      const child = spawn(record.tmuxBin, ["-S", record.socket, "wait-for", record.channel], { stdio: "ignore" });
      waiter = child;
      child.on("error", fail);
      child.on("exit", (code) => {
        waiter = undefined;
        if (code === 0) retryMs = RETRY_FIRST_MS;
        // A failed client (busy server, or a dead one) is looked into after a pause, so a refusing
        // server does not get a tight loop of new clients.
        if (code === 0) void checkSession();
        else checkLater();
      });
    };

    if (signal?.aborted) return reject(signal.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      watcher = watch(stateDir, (_event, file) => {
        if (file === null || file === STATE_FILES.exit) exitFileWritten().catch(fail);
      });
      watcher.on("error", () => void checkSession());
    } catch (error) {
      // The command deleted its state directory: tmux's wait-for channel still says when it ends.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") return fail(error);
    }
    if (fresh) exitFileWritten().then((exited) => exited || armWaiter(), fail);
    else void checkSession();
  });
}

/** Why a session without an exit file counts as dead, in words. */
function deadDetail(record: SessionRecord, pane: Awaited<ReturnType<typeof paneState>>): string {
  if (pane === undefined) {
    return `session ${record.name} is gone from tmux (socket ${record.socket}) without an exit file: the tmux server was killed, the machine restarted, or the session was killed outside csess`;
  }
  return pane.channel !== record.channel
    ? `session ${record.name} on socket ${record.socket} is a newer session with the same name; this one ended without an exit file`
    : `the launcher of session ${record.name} died without writing an exit file`;
}
