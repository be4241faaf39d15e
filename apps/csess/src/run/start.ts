import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describeTasks } from "@csess/prd";
import { formatPlan, plan as planTasksOf } from "@csess/scheduler";
import { prepareSocket } from "@csess/tmux";
import { pruneWorktrees } from "@csess/verify";
import { UserError } from "../errors.js";
import { VERSION } from "../package-root.js";
import { loadConfigFile, mergeConfig, type RunFlags } from "./config.js";
import type { RunConfig } from "./settings.js";
import type { RunContext } from "./context.js";
import { Fleet } from "./hosts.js";
import { Journal, readJournal } from "./journal.js";
import { prepareStamps, type Stamps } from "./stamps.js";
import { newRunId, resolveRunId, runDir, RunLock, isAlive } from "./rundir.js";
import { execute, openNotes, printReport, resumeTasks, settleInterrupted } from "./runner.js";
import { findRepoRoot } from "../repo-root.js";
import { openTmux } from "../tmux.js";
import { checkCommitter, planTasks, preparePrd, probe, schedulerTasks } from "./setup.js";
import { replay } from "./state.js";
import { summarizeRuns } from "./summary.js";
import { createView } from "./view.js";

export interface StartOptions {
  prd: string;
  flags: RunFlags;
  json: boolean;
  dryRun: boolean;
  socket?: string;
  cwd: string;
}


/** `csess run`: plan the PRD's open tasks and run them to the end. Returns the exit code. */
export async function startRun(options: StartOptions): Promise<number> {
  const prepared = await preparePrd(options.prd, options.cwd, options.flags.into);
  const { repo, prdPath } = prepared;
  const file = await loadConfigFile(options.cwd, repo.root);
  const config = mergeConfig(file.config, options.flags);
  for (const warning of prepared.warnings) process.stderr.write(`csess: warning: ${warning}\n`);
  const tasks = planTasks(prepared.details);
  if (tasks.length === 0) {
    const all = prepared.details.length;
    process.stdout.write(all === 0
      ? `Nothing to do: ${prdPath} has no tasks (expected GitHub task items such as "- [ ] Add a login endpoint").\n`
      : `Nothing to do: all ${all} tasks in ${prdPath} are checked (csess verify ${prdPath} checks them against git).\n`);
    return 0;
  }
  // A cycle or a bad dependency reaches the CLI's edge as a user error.
  const plan = planTasksOf(schedulerTasks(tasks), { parallel: config.parallel, staggerMs: config.staggerSeconds * 1000, maxIterations: config.maxIterations });
  if (options.dryRun) {
    const titles = Object.fromEntries(tasks.map((t) => [t.id, t.title]));
    process.stdout.write(`Plan for ${prdPath} on ${repo.branch} (agent ${config.agent}${file.file ? `, config ${file.file}` : ""}):\n\n`);
    process.stdout.write(formatPlan(plan, { titles }) + "\n");
    return 0;
  }
  const [agent] = await Promise.all([probe(config, process.env), checkCommitter(repo.root)]);
  await prepareSocket(openTmux(options).socket); // ours, not another user's, before any worktree or session is made
  await refuseOverInterruptedRun(repo.root, prdPath);
  const runId = newRunId(repo.root);
  const lock = RunLock.acquire(repo.root, prdPath, runId);
  const dir = runDir(repo.root, runId);
  mkdirSync(dir, { recursive: true });
  await pruneWorktrees(repo.root).catch(() => undefined);
  const journal = new Journal(join(dir, "events.jsonl"));
  journal.append({
    type: "run-started", at: new Date().toISOString(), runId, version: VERSION, pid: process.pid,
    repoRoot: repo.root, prdPath, base: repo.head, branch: repo.branch, config, tasks,
  });
  const stamps = await prepareStamps(dir, repo.root);
  const ctx = buildContext({ runId, dir, journal, config, prdAbs: prepared.prdAbs, socket: options.socket, json: options.json, probe: agent, stamps });
  ctx.view.event("run-started", { runId, tasks: tasks.length, prd: prdPath }, `run ${runId}: ${tasks.length} task(s) from ${prdPath}, agent ${config.agent}, parallel ${config.parallel}, stagger ${config.staggerSeconds}s`);
  const { exitCode, report, htmlPath } = await execute(ctx, plan, lock);
  printReport(report, options.json, htmlPath);
  return exitCode;
}

function buildContext(input: {
  runId: string; dir: string; journal: Journal; config: RunConfig; prdAbs: string; socket?: string; json: boolean;
  probe: RunContext["probe"]; stamps: Stamps;
}): RunContext {
  const state = replay(readJournal(input.journal.path));
  let details = new Map<string, ReturnType<typeof describeTasks>[number]>();
  try {
    details = new Map(describeTasks(readFileSync(input.prdAbs, "utf8")).map((d) => [d.id, d]));
  } catch {
    // The PRD is unreadable right now: prompts fall back to the titles the run planned.
  }
  const tmux = openTmux({ socket: input.socket });
  const view = createView({ json: input.json });
  input.journal.onRestored = (path, why) => view.event("journal-restored", { path, why },
    `warning: the run's journal ${path} was lost (${why}); csess wrote it back from memory and goes on`);
  return {
    runId: input.runId,
    dir: input.dir,
    repoRoot: state.start.repoRoot,
    prdPath: state.start.prdPath,
    prdAbs: input.prdAbs,
    branch: state.start.branch,
    config: input.config,
    provider: input.config.provider,
    agentEnv: input.config.agentEnv,
    state,
    details,
    journal: input.journal,
    tmux,
    ...(input.config.hosts ? { fleet: new Fleet(tmux, input.config, state.start.repoRoot, { id: input.runId, stamps: input.stamps }) } : {}),
    probe: input.probe,
    view,
    stamps: input.stamps,
    notes: openNotes(input.config, state.start.repoRoot),
  };
}

export interface ResumeOptions {
  run?: string;
  json: boolean;
  socket?: string;
  cwd: string;
}

/** `csess resume`: continue a run from its journal after a crash, kill -9 or Ctrl-C. */
export async function resumeRun(options: ResumeOptions): Promise<number> {
  const repoRoot = await findRepoRoot(options.cwd);
  const runId = resolveRunId(repoRoot, options.run);
  const dir = runDir(repoRoot, runId);
  const state = replay(readJournal(join(dir, "events.jsonl")));
  if (state.finished && !state.stopped) {
    process.stdout.write(`Run ${runId} already finished (exit ${state.finished.exitCode}); its report: csess report ${runId}\n`);
    return state.finished.exitCode;
  }
  const live = state.pids.at(-1);
  if (live !== undefined && live !== process.pid && isAlive(live) && RunLock.holder(repoRoot, state.start.prdPath)) {
    throw new UserError(`run ${runId} is still being run by pid ${live}; see csess status (or csess stop ${runId})`);
  }
  const config = state.start.config;
  await prepareSocket(openTmux(options).socket); // ours, not another user's, before any worktree or session is made
  const lock = RunLock.acquire(repoRoot, state.start.prdPath, runId);
  const [agent] = await Promise.all([probe(config, process.env), checkCommitter(repoRoot)]);
  const journal = new Journal(join(dir, "events.jsonl"));
  journal.append({ type: "runner-attached", at: new Date().toISOString(), pid: process.pid });
  const ctx = buildContext({
    runId, dir, journal, config, prdAbs: join(repoRoot, state.start.prdPath), socket: options.socket, json: options.json, probe: agent,
    stamps: await prepareStamps(dir, repoRoot),
  });
  ctx.view.event("run-resumed", { runId }, `run ${runId}: resuming (${[...ctx.state.tasks.values()].filter((t) => t.final).length}/${ctx.state.tasks.size} tasks settled)`);
  await settleInterrupted(ctx);
  const plan = planTasksOf(resumeTasks(ctx), { parallel: config.parallel, staggerMs: config.staggerSeconds * 1000, maxIterations: config.maxIterations });
  const { exitCode, report, htmlPath } = await execute(ctx, plan, lock);
  printReport(report, options.json, htmlPath);
  return exitCode;
}

/**
 * A run on the same PRD that was interrupted (crash, kill -9, Ctrl-C) may still have agents working in
 * tmux: a fresh run would start those tasks a second time. Continue or end it first.
 */
async function refuseOverInterruptedRun(repoRoot: string, prdPath: string): Promise<void> {
  const interrupted = (await summarizeRuns(repoRoot)).filter((r) => r.prd === prdPath && r.state === "interrupted");
  const last = interrupted.at(-1);
  if (!last) return;
  const active = last.activeSessions.length ? `, ${last.activeSessions.length} agent session(s) may still be working` : "";
  throw new UserError(
    `run ${last.runId} on ${prdPath} was interrupted (${last.settled}/${last.total} tasks settled${active}); ` +
      `continue it with: csess resume ${last.runId} — or end it with: csess stop ${last.runId}, then start a new run`,
  );
}
