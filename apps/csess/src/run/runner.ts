import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { run } from "@csess/agents/exec";
import { createScheduler, type Plan, type Scheduler, type SchedulerEvent, type SchedulerTask } from "@csess/scheduler";
import { removeTaskWorktrees } from "@csess/verify";
import { DailyNotes, notesPath } from "../notes.js";
import { notifyCommand } from "../notify.js";
import { findOutsideCommits } from "./outside.js";
import { judge, logTail, runIteration } from "./attempt.js";
import { record, task, type RunContext } from "./context.js";
import { inFlight, iterationsUsed, isRateLimited } from "./state.js";
import { LOCAL } from "./host-entry.js";
import { liveRow } from "./live-rows.js";
import { QuotaWatch } from "./quota.js";
import { land, landingsDone, tick } from "./land.js";
import { formatReportMarkdown, formatReportTable, makeReport, type RunReport } from "./report.js";
import { RunLock } from "./rundir.js";
import { writeHtmlReport } from "../report-html/index.js";
import { writeFileAtomicSync } from "../write-atomic.js";
import type { ViewSnapshot } from "./view.js";

/** Builds the scheduler input from the run's state: done, exhausted, in-flight tasks as they are. */
export function resumeTasks(ctx: RunContext): SchedulerTask[] {
  return [...ctx.state.tasks.values()].map((t) => {
    const finalVerdict = t.final?.verdict;
    return {
      id: t.id,
      deps: t.deps,
      kind: t.group ? "group" : "agent",
      done: finalVerdict === "verified",
      // A task that ended any other way is not run again (its iterations are spent).
      iterationsUsed: finalVerdict && finalVerdict !== "verified" ? ctx.config.maxIterations : iterationsUsed(t),
      attached: !t.final && inFlight(t) !== undefined,
      ...(ctx.fleet && !t.final && inFlight(t) ? { host: inFlight(t)!.host ?? LOCAL } : {}),
    };
  });
}

/**
 * After a crash, an attempt may have ended (exit file written) with its judgement or landing not yet
 * journaled: finish those before scheduling, so nothing is run twice and nothing is lost.
 */
export async function settleInterrupted(ctx: RunContext): Promise<void> {
  for (const candidate of ctx.state.tasks.values()) {
    if (candidate.final) continue;
    const last = candidate.attempts.at(-1);
    // Still-running attempts are re-attached by the scheduler (`attached`), not here.
    if (!last?.ended || isRateLimited(last) || last.ended.outcome.class === "dead") continue;
    if (!last.evidence) await judge(ctx, candidate, last);
    else if (last.evidence.verified) await land(ctx, candidate);
  }
}

function snapshot(ctx: RunContext, scheduler: Scheduler): ViewSnapshot {
  const options = { now: Date.now(), maxIterations: ctx.config.maxIterations, pausedUntil: scheduler.pausedUntil, tail: logTail };
  const rows = [...ctx.state.tasks.values()].map((t) => liveRow(t, ctx.state, options));
  return {
    runId: ctx.runId,
    done: rows.filter((r) => r.state === "verified").length,
    total: rows.length,
    concurrency: scheduler.concurrency,
    parallel: ctx.config.parallel,
    pausedUntil: scheduler.pausedUntil ? new Date(scheduler.pausedUntil) : undefined,
    quota: ctx.state.quota,
    rows,
  };
}

function onSchedulerEvent(ctx: RunContext, event: SchedulerEvent, landings: { chain: Promise<void> }): void {
  switch (event.type) {
    case "concurrency-changed":
      record(ctx, { type: "concurrency", value: event.to });
      ctx.view.event("concurrency", { from: event.from, to: event.to, reason: event.reason },
        `concurrency ${event.from} → ${event.to} (${event.reason === "rate-limit" ? "rate limited" : "clean completions"})`);
      return;
    case "paused-until":
      record(ctx, { type: "paused", taskId: event.taskId, until: new Date(event.until).toISOString(), limit: event.limit });
      ctx.view.event("paused", { until: new Date(event.until).toISOString(), limit: event.limit, taskId: event.taskId },
        `${event.limit === "usage-limit" ? "usage limit" : "rate limit"} from ${event.taskId}: no new starts until ${new Date(event.until).toLocaleTimeString()}`);
      return;
    case "stopped":
      if (event.reason === "no-hosts") {
        ctx.view.event("stopped", { reason: event.reason }, `every host stopped answering; stopping (csess resume ${ctx.runId} once they are back)`);
      }
      if (event.reason === "usage-limit") {
        ctx.view.event("stopped", { resumeAt: event.resumeAt }, `usage limit resets at ${event.resumeAt ? new Date(event.resumeAt).toLocaleString() : "an unknown time"}; stopping cleanly (csess resume ${ctx.runId} then)`);
      }
      return;
    case "host-down":
      record(ctx, { type: "host-down", host: event.host, taskId: event.taskId, ...(event.reason === undefined ? {} : { reason: event.reason }) });
      ctx.view.event("host-down", { host: event.host }, `host ${event.host} stopped answering: no more work goes there; its tasks are requeued`);
      return;
    case "task-done": {
      const ended = task(ctx, event.taskId);
      if (ended.final) return;
      if (ended.group && event.state === "verified") {
        // A group is the sum of its children: tick it once they are all verified and merged.
        landings.chain = landings.chain.then(async () => {
          await tick(ctx, ended, ended.title);
          record(ctx, { type: "task-finished", taskId: ended.id, verdict: "verified", reason: "all its sub-tasks are verified" });
          ctx.view.event("task-finished", { taskId: ended.id, verdict: "verified" }, `${ended.id}: verified — all its sub-tasks are verified`);
        });
      } else if (event.state === "skipped" || event.state === "failed") {
        const verdict = event.state === "skipped" ? "skipped" : "failed";
        record(ctx, { type: "task-finished", taskId: ended.id, verdict, reason: event.reason ?? verdict });
        ctx.view.event("task-finished", { taskId: ended.id, verdict }, `${ended.id}: ${verdict} — ${event.reason ?? ""}`);
      }
      return;
    }
    default:
      return;
  }
}

/** Runs (or continues) the scheduled work of a run to its end and writes the report. Returns the exit code. */
export async function execute(ctx: RunContext, plan: Plan, lock: RunLock): Promise<{ exitCode: number; report: RunReport; htmlPath: string }> {
  const landings = { chain: Promise.resolve() };
  const scheduler = createScheduler({
    parallel: ctx.config.parallel,
    staggerMs: ctx.config.staggerSeconds * 1000,
    maxIterations: ctx.config.maxIterations,
    longPause: { action: ctx.config.onUsageLimit },
    adaptive: ctx.config.adaptive ?? true, // runs journaled before the option existed adapt
    ...(ctx.fleet?.slots() ? { hosts: ctx.fleet.slots() } : {}),
    // A provider's shared quota is found without a burst; a custom command has none csess knows of.
    slowStart: ctx.config.slowStart ?? ctx.config.agent !== "custom",
    launchGate: true, // attempt.ts awaits startGate right before launching, with the worktree ready
    onEvent: (event) => onSchedulerEvent(ctx, event, landings),
  });
  const quota = new QuotaWatch(ctx, (signal) => scheduler.quota(signal));
  const refresh = setInterval(() => {
    quota.poll();
    ctx.view.refresh(snapshot(ctx, scheduler));
  }, 500);
  const interrupt = () => {
    scheduler.stop();
    clearInterval(refresh);
    ctx.view.stop();
    record(ctx, { type: "run-stopped", reason: "interrupted" });
    lock.release();
    process.stderr.write(
      `\ncsess: stopped starting new work; running agents keep going in tmux.\n` +
      `  continue:  csess resume ${ctx.runId}\n  stop them: csess stop ${ctx.runId}\n  sessions:  csess status\n`,
    );
    process.exit(130);
  };
  process.once("SIGINT", interrupt);
  process.once("SIGTERM", interrupt);
  try {
    await scheduler.run(plan, async (taskId, context) => {
      if (ctx.fatal) {
        scheduler.stop();
        return { kind: "failed", reason: ctx.fatal };
      }
      const agentEnded = () => {
        quota.poll(); // the agent's last words about its quota count before its slot is reused
        context.agentEnded();
      };
      const result = await runIteration(ctx, taskId, { ...context, agentEnded });
      if (ctx.fatal) scheduler.stop();
      const final = task(ctx, taskId).final;
      if (final) void notify(ctx, `csess-${ctx.runId}-${taskId}`, final.verdict === "verified" ? 0 : 1, `${taskId} ${final.verdict}`);
      return result;
    });
    await landings.chain;
  } finally {
    clearInterval(refresh);
    process.removeListener("SIGINT", interrupt);
    process.removeListener("SIGTERM", interrupt);
  }
  await landingsDone(ctx); // a removal of landed worktrees under way first: it may have removed a worktree but not yet its branch
  await dropEmptyWorktrees(ctx);
  const outside = await findOutsideCommits(ctx).catch(() => []);
  if (outside.length > 0) {
    record(ctx, { type: "outside-commits", commits: outside });
    ctx.view.event("outside-commits", { commits: outside },
      `warning: ${outside.length} commit(s) reached ${ctx.branch} during the run that csess did not make (not credited to any task): ${outside.map((c) => `${c.hash.slice(0, 8)} ${c.subject}`).join("; ").slice(0, 200)}`);
  }
  const exitCode = [...ctx.state.tasks.values()].every((t) => t.final?.verdict === "verified") ? 0 : 1;
  record(ctx, { type: "run-finished", exitCode });
  const { report, htmlPath } = writeReport(ctx, false);
  ctx.view.stop();
  lock.release();
  await notify(ctx, `csess-${ctx.runId}`, exitCode, `${report.totals.verified}/${report.totals.tasks} verified`);
  if (ctx.fatal) process.stderr.write(`csess: stopped: ${ctx.fatal}\n`);
  return { exitCode, report, htmlPath };
}

/**
 * A task that ended unverified without a commit or an uncommitted file (e.g. its agent could not run)
 * leaves nothing to look at: remove its worktree and branch, so failed runs do not pile up empty ones;
 * and a landed task's, which the landings left for the end (or a crash came between its verdict and its clean-up).
 * removeTaskWorktrees keeps any branch with unmerged commits and any worktree with changes.
 */
async function dropEmptyWorktrees(ctx: RunContext): Promise<void> {
  // Landed and cleaned up ones too: one git call finds their branches gone (or left by a kill between
  // the removal of the worktree and of the branch).
  const worktrees = [...ctx.state.tasks.values()].flatMap((ended) =>
    ended.final && ended.worktree && ended.branch ? [{ path: ended.worktree, branch: ended.branch }] : []);
  if (worktrees.length > 0) await removeTaskWorktrees({ root: ctx.repoRoot, worktrees, mergedInto: ctx.branch }).catch(() => undefined);
}

/** Writes report.json, report.md and report.html into the run folder; returns the report and the HTML's path. */
export function writeReport(ctx: Pick<RunContext, "dir" | "state" | "prdAbs">, running: boolean): { report: RunReport; htmlPath: string } {
  const report = makeReport(ctx, running);
  mkdirSync(ctx.dir, { recursive: true });
  writeFileAtomicSync(join(ctx.dir, "report.json"), JSON.stringify(report, null, 2) + "\n");
  writeFileAtomicSync(join(ctx.dir, "report.md"), formatReportMarkdown(report));
  return { report, htmlPath: writeHtmlReport(ctx.dir, report) };
}

export function printReport(report: RunReport, json: boolean, htmlPath: string): void {
  if (json) process.stdout.write(JSON.stringify({ event: "report", ...report, html: htmlPath }) + "\n");
  else process.stdout.write("\n" + formatReportTable(report, Math.min(process.stdout.columns ?? 100, 100)) + `\nHTML report: ${htmlPath}\n`);
}

/** The same completion hook as `csess exec` (openclaw / notify-send / --notify), never blocking the run. */
export function notify(ctx: RunContext, session: string, exitCode: number, what: string): Promise<void> {
  const command = ctx.config.notify === false ? undefined : notifyCommand(ctx.config.notify);
  if (!command) return Promise.resolve();
  const env = { ...process.env, CSESS_SESSION: session, CSESS_EXIT_CODE: String(exitCode), CSESS_CWD: ctx.repoRoot, CSESS_RUN_ID: ctx.runId, CSESS_SUMMARY: what };
  return run("sh", ["-c", command], env, 10_000, "ignore").then(() => undefined);
}

export function openNotes(config: RunContext["config"], repoRoot: string): DailyNotes | undefined {
  return config.notes === false ? undefined : new DailyNotes(notesPath(config.notes, repoRoot));
}
