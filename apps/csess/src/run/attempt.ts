import { mkdirSync, readFileSync, writeFileSync, existsSync, openSync, readSync, fstatSync, closeSync } from "node:fs";
import { join } from "node:path";
import { buildInvocation, buildPrompt, classifyOutcome } from "@csess/agents";
import type { IterationContext, IterationResult } from "@csess/scheduler";
import { STATE_FILES, type ExecutorOutcome, type ExitInfo } from "@csess/tmux";
import { addTaskWorktree, gatherEvidence, judgeTask, removeTaskWorktree, runCheck, slugify } from "@csess/verify";
import { attemptDir, record, sessionName, task, type RunContext } from "./context.js";
import { beingJudged, land } from "./land.js";
import { inFlight, iterationsUsed, type IterationState, type TaskState } from "./state.js";
import { argvForHost, executorOf, fetchBranchBack, hostLost, isHostUnreachable, placeOnHost, stampsEnv } from "./remote-attempt.js";

/** A dead session (tmux server killed) is restarted; this many times per iteration at most. */
const MAX_DEAD_RESTARTS = 3;
/** How much of an agent's output the classifier reads (its verdict is at the end). */
const OUTPUT_TAIL_BYTES = 2 * 1024 * 1024;

/** One Ralph-loop iteration of a task: start (or re-attach to) its agent, wait, judge by git. */
export async function runIteration(ctx: RunContext, taskId: string, context: IterationContext): Promise<IterationResult> {
  const t = task(ctx, taskId);
  let current = context.reattach ? inFlight(t) : undefined;
  for (let deaths = 0; ; ) {
    if (ctx.fatal) return { kind: "failed", reason: ctx.fatal };
    const host = current?.host ?? context.host;
    let exit: ExecutorOutcome;
    try {
      current ??= await startAttempt(ctx, t, context.iteration, host, context.startGate);
      exit = await executorOf(ctx, host).waitForExit({ stateDir: current.stateDir }, { signal: context.signal });
      if (exit.state === "exited") {
        context.agentEnded(); // its slot is free while this task is fetched back and lands
        const [attempt, ended] = [current, exit];
        return await beingJudged(ctx, t.id, async () => {
          await fetchBranchBack(ctx, t, attempt);
          return finishAttempt(ctx, t, attempt, ended);
        });
      }
    } catch (error) {
      if (host && isHostUnreachable(error)) return hostLost(ctx, t, host, (error as Error).message);
      throw error;
    }
    if (exit.state === "unreachable") return hostLost(ctx, t, host!, exit.detail);
    record(ctx, {
      type: "iteration-ended", taskId, iteration: current.iteration, attempt: current.attempt,
      exitCode: null, reason: "dead", durationMs: 0,
      outcome: { class: "dead", summary: `session ${current.session} vanished without an exit file (${exit.detail})` },
    });
    ctx.view.event("dead", { taskId, session: current.session }, `${taskId}: session ${current.session} is dead (${exit.detail}); restarting the iteration`);
    deaths += 1;
    if (deaths > MAX_DEAD_RESTARTS) {
      return finalFailure(ctx, t, "failed", `its session died ${deaths} times (is the tmux server being killed?)`);
    }
    current = undefined;
  }
}

async function startAttempt(
  ctx: RunContext, t: TaskState, iteration: number, host: string | undefined, startGate: () => Promise<boolean>,
): Promise<IterationState> {
  const attempt = t.attempts.length + 1;
  const stateDir = attemptDir(ctx, t.id, attempt);
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  // A task's branch starts from the integration branch as it is when the task first runs, so work of
  // the tasks it depends on (merged before it starts) is there: that commit is its base from then on.
  const worktree = await addTaskWorktree({
    root: ctx.repoRoot, runId: ctx.runId, slug: `${slugify(t.title, 40)}-${t.id}`, // "-<id>" ending: csess verify recognises the branch
    base: t.base ?? `refs/heads/${ctx.branch}`,
  });
  // No agent has run on a branch without a recorded base (the start is recorded before the session).
  const base = t.base ?? worktree.head;
  const detail = ctx.details.get(t.id);
  const promptFile = join(stateDir, "prompt.md");
  const placed = await placeOnHost(ctx, host, worktree, stateDir);
  writeFileSync(promptFile, buildPrompt({
    task: { id: t.id, title: t.title, body: detail?.body, sectionText: detail?.sectionText, line: detail?.line ?? t.line },
    prdPath: ctx.prdPath,
    runId: ctx.runId,
    iteration,
    maxIterations: ctx.config.maxIterations,
    notes: notesOf(t),
    checkCommand: ctx.config.check,
  }), { mode: 0o600 });
  const invocation = buildInvocation(ctx.probe, {
    worktree: placed.worktree,
    promptFile: placed.join(placed.sessionDir, "prompt.md"),
    lastMessageFile: placed.join(placed.sessionDir, "last-message.txt"),
    model: ctx.config.model,
    extraArgs: ctx.config.agentArgs,
    agentCmd: ctx.config.agentCmd,
    env: { taskId: t.id, taskTitle: t.title, runId: ctx.runId, prd: placed.join(placed.worktree, ctx.prdPath), iteration },
    provider: ctx.provider,
  });
  const session = sessionName(ctx.runId, t.id);
  const env = { ...ctx.agentEnv, ...invocation.env, ...(await stampsEnv(ctx, host)) };
  if (!(await startGate())) { // no start inside a pause
    // The run stopped first: a first attempt's new branch and worktree hold nothing (the removal keeps any work).
    if (t.attempts.length === 0) {
      await removeTaskWorktree({ root: ctx.repoRoot, path: worktree.path, branch: worktree.branch, mergedInto: ctx.branch }).catch(() => undefined);
    }
    throw new Error("the run stopped before this agent launched");
  }
  record(ctx, {
    type: "iteration-started", taskId: t.id, iteration, attempt, session, stateDir,
    worktree: worktree.path, branch: worktree.branch, base, ...(host ? { host } : {}),
  });
  // The previous attempt's pane stays readable after it exits; the name is reused for the next one.
  const executor = executorOf(ctx, host);
  if (attempt > 1) await executor.kill(session).catch(() => undefined);
  const handle = await executor.start({
    name: session,
    cwd: invocation.cwd,
    argv: argvForHost(host, invocation.argv),
    env,
    stdinFile: invocation.stdinFile,
    stateDir,
    timeoutMs: ctx.config.timeoutMinutes * 60_000,
    stallMs: ctx.config.stallMinutes * 60_000,
    meta: { run: ctx.runId, task: t.id, iteration: String(iteration), attempt: String(attempt) },
  }, { copy: ["prompt.md"] });
  void ctx.notes?.record({ session, command: invocation.argv.join(" "), cwd: invocation.cwd, startedAt: new Date(handle.startedAt) });
  ctx.view.event("started", { taskId: t.id, iteration, attempt, session }, `${t.id}: iteration ${iteration} started in tmux session ${session}${host ? ` on ${host}` : ""}`);
  return t.attempts.at(-1)!;
}

/** What earlier iterations left, for the next fresh context. */
function notesOf(t: TaskState): string[] {
  return t.attempts
    .filter((a) => a.ended && a.ended.outcome.class !== "dead")
    .map((a) => {
      const lines = [`Iteration ${a.iteration} (attempt ${a.attempt}) ended: ${a.ended!.outcome.class}, exit ${a.ended!.exitCode ?? "unknown"} (${a.ended!.reason}).`];
      if (a.ended!.outcome.summary) lines.push(`Its last message: ${a.ended!.outcome.summary}`);
      if (a.evidence) lines.push(`What csess found in git: ${a.evidence.reason}`);
      if (a.evidence?.check && a.evidence.check.exitCode !== 0) lines.push(`The check failed; its last lines:\n${a.evidence.check.tail}`);
      return lines.join("\n");
    });
}

function readTail(file: string, bytes: number): string {
  if (!existsSync(file)) return "";
  const fd = openSync(file, "r");
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    return buffer.toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** The last `lines` lines of an attempt's output log. */
export function logTail(stateDir: string, lines: number): string[] {
  return readTail(join(stateDir, STATE_FILES.log), 64 * 1024)
    .split(/\r?\n/).map((l) => l.trimEnd()).filter((l) => l !== "").slice(-lines);
}

/** Classifies an ended attempt and decides what the task needs next. */
export async function finishAttempt(ctx: RunContext, t: TaskState, a: IterationState, exit: ExitInfo): Promise<IterationResult> {
  const lastMessageFile = join(a.stateDir, "last-message.txt");
  const outcome = classifyOutcome({
    kind: ctx.config.agent,
    exitCode: exit.exitCode,
    output: readTail(join(a.stateDir, STATE_FILES.log), OUTPUT_TAIL_BYTES),
    lastMessage: existsSync(lastMessageFile) ? readFileSync(lastMessageFile, "utf8") : undefined,
    timedOut: exit.reason === "timeout" || exit.reason === "stalled",
  });
  record(ctx, {
    type: "iteration-ended", taskId: t.id, iteration: a.iteration, attempt: a.attempt,
    exitCode: exit.exitCode, reason: exit.reason, durationMs: exit.durationMs,
    outcome: {
      class: outcome.class, summary: outcome.summary, retryAfterMs: outcome.retryAfterMs,
      resetAt: outcome.resetAt, tokens: outcome.tokens, advice: outcome.advice,
    },
  });
  void ctx.notes?.record({
    session: a.session, command: "", cwd: t.worktree ?? "", startedAt: new Date(exit.startedAt),
    exitCode: exit.exitCode, endedAt: new Date(exit.endedAt),
  });
  ctx.view.event("finished", { taskId: t.id, iteration: a.iteration, exitCode: exit.exitCode, class: outcome.class },
    `${t.id}: iteration ${a.iteration} exited ${exit.exitCode} (${exit.reason}) → ${outcome.class}${outcome.summary ? `: ${outcome.summary.slice(0, 100)}` : ""}`);

  if (outcome.class === "rate-limited" || outcome.class === "usage-limit" || outcome.class === "overloaded") {
    const resetAt = outcome.resetAt ? new Date(outcome.resetAt) : undefined;
    record(ctx, { type: "rate-limit", taskId: t.id, kind: outcome.class, pausedUntil: outcome.resetAt });
    return outcome.class === "usage-limit"
      ? { kind: "usage-limit", resetAt, retryAfterMs: outcome.retryAfterMs }
      : { kind: "rate-limited", resetAt, retryAfterMs: outcome.retryAfterMs };
  }
  if (outcome.class === "auth" || outcome.class === "not-installed" || outcome.class === "bad-flags") {
    // Every other task would hit the same wall: start nothing new.
    ctx.fatal = `${outcome.summary}${outcome.advice ? ` — ${outcome.advice}` : ""}`;
    return finalFailure(ctx, t, "failed", `agent cannot run (${outcome.class}): ${ctx.fatal}`);
  }
  return judge(ctx, t, a);
}

/** Git, not the checkbox: commits on the task branch (and the check, if any) decide. */
export async function judge(ctx: RunContext, t: TaskState, a: IterationState): Promise<IterationResult> {
  const evidence = await gatherEvidence({
    root: ctx.repoRoot, base: a.base, branch: t.branch!, taskId: t.id, prdPath: ctx.prdPath, worktreePath: t.worktree,
  });
  const commits = evidence.commits.map((c) => ({
    hash: c.hash, subject: c.subject, insertions: c.insertions, deletions: c.deletions,
    trailer: evidence.trailerCommits.includes(c.hash),
  }));
  // Another task's agent committed here: its work, not this task's (see stamps.ts).
  const foreign = await ctx.stamps.foreign(t.id, t.branch!, a.base);
  const problem = foreign
    ? `${foreign.commits.length} commit(s) on its branch were made by task ${foreign.by}'s agent, not its own`
    : evidence.problem;
  // The same rule as `csess verify`: a real net change on its own branch, nothing else.
  const hasEvidence = problem === null;
  let check: { exitCode: number; tail: string } | undefined;
  if (hasEvidence && ctx.config.check) {
    const result = await runCheck({ cwd: t.worktree!, command: ctx.config.check, timeoutMs: ctx.config.timeoutMinutes * 60_000 });
    check = { exitCode: result.exitCode ?? -1, tail: result.tail };
  }
  const ticked = evidence.prdTicked === true;
  const verified = hasEvidence && (!check || check.exitCode === 0);
  const change = `${evidence.netChange.files.length} file(s), +${evidence.insertions} -${evidence.deletions}`;
  let reason =
    verified ? `${commits.length} commit(s) on its branch changing ${change}${evidence.grade === "strong" ? " with the Csess-Task trailer" : ""}${check ? ", check passed" : ""}${ticked ? "" : " (the agent did not tick its box)"}` :
    hasEvidence ? `${commits.length} commit(s), but the check \`${ctx.config.check}\` failed (exit ${check?.exitCode})` :
    ticked ? `box ticked in the worktree, but ${problem}` :
    problem!;
  // A killed agent's failure is about the kill, not the missing commit: say so first.
  const stopped =
    a.ended?.reason === "timeout" ? `stopped at --timeout (${ctx.config.timeoutMinutes} min)` :
    a.ended?.reason === "stalled" ? `stopped after ${ctx.config.stallMinutes} min without output (--stall)` :
    undefined;
  if (stopped && !verified) reason = `${stopped}; ${reason}`;
  record(ctx, {
    type: "evidence", taskId: t.id, attempt: a.attempt, commits, tickedInWorktree: ticked, check, verified, reason,
    ...(foreign ? { foreign } : {}),
    grade: hasEvidence ? evidence.grade : null, change: { files: evidence.netChange.files.length, insertions: evidence.insertions, deletions: evidence.deletions },
  });
  if (verified) return land(ctx, t);
  if (iterationsUsed(t) < ctx.config.maxIterations) return { kind: "again", reason };
  // Out of iterations: the same judge as `csess verify` names the verdict from the same facts.
  const { verdict } = judgeTask({ id: t.id, title: t.title, checked: false }, {
    commits: hasEvidence ? commits.map((c) => c.hash) : [],
    evidence: hasEvidence ? (evidence.grade === "strong" ? "trailer" : "branch") : null,
    claimed: ticked,
    outcome: "failed",
    ...(check ? { check: { command: ctx.config.check!, passed: check.exitCode === 0, exitCode: check.exitCode } } : {}),
  });
  return finalFailure(ctx, t, verdict === "claimed-unverified" ? verdict : "failed", `${reason} after ${iterationsUsed(t)} iteration(s)`);
}

export function finalFailure(ctx: RunContext, t: TaskState, verdict: "failed" | "claimed-unverified", reason: string): IterationResult {
  record(ctx, { type: "task-finished", taskId: t.id, verdict, reason });
  ctx.view.event("task-finished", { taskId: t.id, verdict, reason }, `${t.id}: ${verdict} — ${reason}`);
  return { kind: "failed", reason };
}
