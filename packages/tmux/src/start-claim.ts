import { randomBytes } from "node:crypto";
import { watch } from "node:fs";
import { link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { TmuxError } from "./errors.js";
import { readSessionRecord, writeFileAtomic } from "./state.js";

/**
 * Who may start a session in a state directory on an ssh host: the first to create its claim file.
 *
 * csess writes an attempt to its journal, then asks the host over ssh to start it. When csess is
 * killed in between, that ssh may still be on its way; a resumed csess that then finds no session
 * would start the task again, and the late start would run it a second time. So `start` claims the
 * directory (exclusive create, with its pid) before it writes anything and marks the claim done at the
 * end, and a `wait` on a directory with no finished start either waits for the start under way or
 * claims the directory as abandoned: a start arriving after that refuses, and the waiter's `dead` is true.
 */
const CLAIM_FILE = "claim.json";
/** How long a waiter gives a start under way (a tmux new-session on a loaded host) before it calls it dead. */
const START_SETTLE_MS = 60_000;
/** How often a waiter looks whether the starting process died without marking its claim (SIGKILL). */
const ALIVE_CHECK_MS = 500;

type Claim = { by: "start"; pid: number; done?: boolean } | { by: "abandoned"; at: string };

export function claimFile(stateDir: string): string {
  return path.join(stateDir, CLAIM_FILE);
}

async function readClaim(stateDir: string): Promise<Claim | undefined> {
  const text = await readFile(claimFile(stateDir), "utf8").catch(() => undefined);
  return text === undefined ? undefined : (JSON.parse(text) as Claim); // always whole: created by link, replaced by rename
}

/** Creates the claim, whole (written aside, then hard-linked: link fails if it exists), unless there is one; true when this call made it. */
async function createClaim(stateDir: string, claim: Claim): Promise<boolean> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const tmp = `${claimFile(stateDir)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(tmp, JSON.stringify(claim), { mode: 0o600 });
  try {
    await link(tmp, claimFile(stateDir));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await rm(tmp, { force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A start under way: its claim is not done and its process lives. */
function underWay(claim: Claim | undefined): boolean {
  return claim?.by === "start" && !claim.done && alive(claim.pid);
}

/** Resolves once no start is under way in `stateDir` (claim marked done, or its process gone), or after `ms`. */
function startSettled(stateDir: string, ms = START_SETTLE_MS): Promise<void> {
  return new Promise((resolve) => {
    const check = () => void readClaim(stateDir).then((claim) => !underWay(claim) && finish(), finish);
    const watcher = watch(stateDir, check);
    const poll = setInterval(check, ALIVE_CHECK_MS); // a SIGKILLed start marks nothing: look at its pid too
    const timer = setTimeout(finish, ms);
    function finish() {
      watcher.close();
      clearInterval(poll);
      clearTimeout(timer);
      resolve();
    }
    check();
  });
}

/**
 * Before a start: claims `stateDir`. Throws when a waiter gave it up; when an earlier try of this start
 * (a dropped connection) is still under way, waits for it and returns false if it started the session.
 */
export async function claimForStart(stateDir: string): Promise<boolean> {
  const mine: Claim = { by: "start", pid: process.pid };
  if (await createClaim(stateDir, mine)) return true;
  let claim = await readClaim(stateDir);
  if (underWay(claim)) {
    await startSettled(stateDir);
    claim = await readClaim(stateDir);
  }
  if (claim?.by === "abandoned") {
    throw new TmuxError("SESSION_GONE", `not starting a session in ${stateDir}: a resumed csess gave it up at ${claim.at} (it started the attempt again)`);
  }
  if (await readSessionRecord(stateDir)) return false;
  await writeFileAtomic(claimFile(stateDir), JSON.stringify(mine), 0o600); // the earlier try died before it wrote anything
  return true;
}

/** After a start, successful or not: no waiter waits for it any more. */
export async function markStartDone(stateDir: string): Promise<void> {
  await writeFileAtomic(claimFile(stateDir), JSON.stringify({ by: "start", pid: process.pid, done: true }), 0o600);
}

/**
 * Before a wait: a start under way is waited for; a directory nobody claimed yet (no start has arrived)
 * is claimed as abandoned, so the waiter's `dead` stays true. A session of a csess from before claims
 * (its session.json, no claim) is left as it is.
 */
export async function settleStartBeforeWait(stateDir: string): Promise<void> {
  const claim = await readClaim(stateDir);
  if (claim === undefined) {
    if (await readSessionRecord(stateDir)) return;
    if (await createClaim(stateDir, { by: "abandoned", at: new Date().toISOString() })) return;
  }
  if (underWay(await readClaim(stateDir))) await startSettled(stateDir);
}
