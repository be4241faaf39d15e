import { spawn, type ChildProcess } from "node:child_process";
import { watch, type FSWatcher } from "node:fs";
import { readExitInfo, STATE_FILES, stopOrphanedCommand, type SessionRecord } from "./state.js";
import { paneState } from "./tmux-cli.js";
import type { ExitOutcome } from "./types.js";

/**
 * Resolves when the session's exit file appears, or with `dead` once the session is gone without one
 * (then whatever is left of its command is stopped: dead means nothing runs any more).
 * Event-driven, no polling: a watch on the state directory sees the exit file's rename, and a
 * `tmux wait-for` client on the session's channel returns when the launcher signals it or when the
 * tmux server dies (its connection drops); either way the exit file and the pane are then checked.
 */
export function waitForSessionExit(
  stateDir: string,
  record: SessionRecord,
  signal?: AbortSignal,
): Promise<ExitOutcome> {
  return new Promise<ExitOutcome>((resolve, reject) => {
    let settled = false;
    let watcher: FSWatcher | undefined;
    let waiter: ChildProcess | undefined;

    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      watcher?.close();
      waiter?.kill();
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

    /** After a wake-up from tmux: exited, dead, or still running (then wait again). */
    const checkSession = async (): Promise<void> => {
      if (settled || (await exitFileWritten())) return;
      const pane = await paneState(record.tmuxBin, record.socket, record.name);
      if (pane && pane.channel === record.channel && !pane.dead) {
        armWaiter();
        return;
      }
      // The launcher writes the exit file before it lets the pane go: read once more to close the race.
      if (await exitFileWritten()) return;
      const detail = pane === undefined
        ? `session ${record.name} is gone from tmux (socket ${record.socket}) without an exit file: the tmux server was killed, the machine restarted, or the session was killed outside csess`
        : pane.channel !== record.channel
          ? `session ${record.name} on socket ${record.socket} is a newer session with the same name; this one ended without an exit file`
          : `the launcher of session ${record.name} died without writing an exit file`;
      await stopOrphanedCommand(stateDir);
      settle(() => resolve({ state: "dead", detail }));
    };

    const armWaiter = () => {
      if (settled || waiter) return;
      const child = spawn(record.tmuxBin, ["-S", record.socket, "wait-for", record.channel], { stdio: "ignore" });
      waiter = child;
      child.on("error", fail);
      child.on("exit", () => {
        waiter = undefined;
        checkSession().catch(fail);
      });
    };

    if (signal?.aborted) return reject(signal.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      watcher = watch(stateDir, (_event, file) => {
        if (file === null || file === STATE_FILES.exit) exitFileWritten().catch(fail);
      });
      watcher.on("error", () => checkSession().catch(fail));
    } catch (error) {
      return fail(error);
    }
    checkSession().catch(fail);
  });
}
