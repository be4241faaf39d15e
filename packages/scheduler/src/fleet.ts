import { setMaxListeners } from "node:events";
import type { Clock } from "./clock.js";
import { StartGate, Wakeup, type GateAnswer } from "./gate.js";
import { HostPool } from "./hosts.js";
import type { Plan } from "./plan.js";
import { TaskBook, type TaskRun } from "./tasks.js";
import { Throttle, type ThrottleSettings } from "./throttle.js";
import type { IterationContext, IterationResult, QuotaSignal, RunIteration, RunSummary, SchedulerEvent, StopReason } from "./types.js";

export interface FleetSettings extends Omit<ThrottleSettings, "gate" | "changed"> {
  maxIterations: number;
  adaptive: boolean;
  /** true: callbacks await `startGate()` before launching; the gate applies there, not at the slot. */
  launchGate: boolean;
  longPauseAction: "wait" | "stop";
  hosts?: HostPool;
}

/** One callback invocation: it holds a slot until its agent ends, and counts as an agent once launched. */
interface Attempt {
  task: TaskRun;
  slot: boolean;
  agent: boolean;
  launchedAt?: number;
  host?: string;
}

/**
 * The run loop: grants slots to ready tasks, launches through the gate, frees a slot the moment its
 * agent ends, and hands every result to the task book (what settles) and the throttle (what adapts).
 */
export class Fleet {
  readonly changed = new Wakeup();
  readonly gate: StartGate;
  readonly throttle: Throttle;
  private readonly stopStarting = new AbortController(); // wakes gate waiters on stop
  readonly abortRunning = new AbortController(); // handed to iterations
  private readonly timers = new AbortController(); // pause-end and probe timers, cancelled at the end
  private stopped: { reason: StopReason; resumeAt?: number } | undefined;
  private book?: TaskBook;
  private holders = 0;
  private agents = 0;
  /** Iterations between their release and the end of their handling (a stop from an event listener waits for it). */
  private ending = 0;
  private pauseAnnounced = false;
  private finish: () => void = () => {};

  constructor(private readonly s: FleetSettings) {
    // Every running iteration and every waiting start listens on these: no leak, just many agents.
    setMaxListeners(0, this.stopStarting.signal, this.abortRunning.signal, this.timers.signal);
    this.gate = new StartGate(s.clock, () => this.throttle.gap(), this.changed);
    this.throttle = new Throttle({ ...s, gate: this.gate, changed: () => this.changed.poke() });
  }

  /** The limit applied now: the adaptive level, never above the slots of the hosts still up. */
  limit(): number {
    return Math.max(1, Math.min(this.throttle.level, this.s.hosts?.capacity() ?? Number.POSITIVE_INFINITY));
  }

  run(plan: Plan, runIteration: RunIteration): Promise<RunSummary> {
    const { clock, emit } = this.s;
    const startedAt = clock.now();
    const book = new TaskBook(plan, { maxIterations: this.s.maxIterations, emit, now: () => clock.now(), queued: () => this.changed.poke() });
    this.book = book;
    const done = new Promise<RunSummary>((resolve, reject) => {
      this.finish = () => {
        if (book.unsettled > 0 && !(this.stopped && this.holders === 0 && this.ending === 0)) return;
        this.timers.abort();
        this.stopStarting.abort();
        resolve(book.summarise(startedAt, clock.now(), this.stopped));
      };
      book.begin();
      this.finish();
      this.dispatch(runIteration).catch(reject);
    });
    return done;
  }

  stop(reason: StopReason, resumeAt?: number): void {
    if (this.stopped) return;
    this.stopped = resumeAt === undefined ? { reason } : { reason, resumeAt };
    this.s.emit({ type: "stopped", at: this.s.clock.now(), reason, ...(resumeAt === undefined ? {} : { resumeAt }) });
    this.stopStarting.abort();
    this.finish();
  }

  /** A quota report from an agent (see QuotaSignal). */
  quota(signal: QuotaSignal): void {
    const { usedPercent, resetAt, taskId } = signal;
    this.s.emit({
      type: "quota", at: this.s.clock.now(), provider: signal.provider, status: signal.status,
      ...(usedPercent === undefined ? {} : { usedPercent }), ...(resetAt === undefined ? {} : { resetAt }), ...(taskId === undefined ? {} : { taskId }),
    });
    if (!this.s.adaptive) return;
    const pause = this.throttle.onQuota(signal, this.agents);
    if (pause) this.paused(pause);
  }

  /** Grants slots while there is room; in slot mode each grant also passes the gate (the launch). */
  private async dispatch(runIteration: RunIteration): Promise<void> {
    const book = this.book!;
    const signal = this.stopStarting.signal;
    while (!this.stopped && !signal.aborted) {
      const next = book.ready[0];
      if (!next || (!next.reattach && this.holders >= this.limit())) {
        await this.changed.wait(signal);
        continue;
      }
      if (next.reattach || this.s.launchGate) {
        this.grant(runIteration, false);
        continue;
      }
      await this.gate.pass(() => {
        if (this.stopped || book.ready.length === 0 || book.ready[0]!.reattach || this.holders >= this.limit()) return "give-up";
        this.grant(runIteration, true);
        return "start";
      }, signal);
    }
  }

  /** Takes the front task into a slot (picking its host) and calls back; `launched`: the gate passed for it. */
  private grant(runIteration: RunIteration, launched: boolean): void {
    const task = this.book!.ready.shift()!;
    const reattach = task.reattach;
    const hosts = this.s.hosts;
    if (hosts && !reattach) task.host = hosts.pick() ?? task.host; // some host has room while holders < capacity
    const attempt: Attempt = { task, slot: true, agent: false, ...(hosts && task.host !== undefined ? { host: task.host } : {}) };
    if (attempt.host !== undefined) hosts!.started(attempt.host);
    this.holders++;
    task.reattach = false;
    task.state = "running";
    task.attempt++;
    task.attempts++;
    if (launched) this.launch(attempt);
    else if (reattach) {
      attempt.agent = true; // already running since before the crash: it holds an agent slot, but is no new load
      this.agents++;
    }
    void this.iterate(attempt, reattach, runIteration);
  }

  private launch(attempt: Attempt): void {
    const { clock } = this.s;
    const at = clock.now();
    attempt.agent = true;
    attempt.launchedAt = at;
    this.agents++;
    this.throttle.onLaunch();
    const { task } = attempt;
    this.s.emit({ type: "launched", at, taskId: task.planned.id, iteration: task.iterationsUsed + 1, attempt: task.attempt, agents: this.agents, concurrency: this.limit() });
    void clock.sleep(this.s.probeMs, this.timers.signal).then(() => {
      if (!this.timers.signal.aborted) this.throttle.onCleanLaunch(at);
    });
  }

  /** The agent ended (or the callback returned): the slot, and its host's slot, are free. */
  private release(attempt: Attempt): void {
    if (!attempt.slot) return;
    attempt.slot = false;
    this.holders--;
    if (attempt.agent) this.agents--;
    attempt.agent = false;
    this.throttle.onAgentEnded(attempt.task.planned.id);
    if (attempt.host !== undefined) this.s.hosts!.finished(attempt.host);
    this.changed.poke();
  }

  private async startGate(attempt: Attempt): Promise<boolean> {
    if (!attempt.slot || this.stopped) return false;
    if (attempt.agent) {
      if (this.gate.pausedUntil() === undefined) return true;
      // A pause began after this slot's start: wait it out, and pass the gate again.
      attempt.agent = false;
      this.agents--;
    }
    const launched = await this.gate.pass((): GateAnswer => {
      if (this.stopped || !attempt.slot) return "give-up";
      return this.agents < this.limit() ? "start" : "wait";
    }, this.stopStarting.signal);
    if (launched) this.launch(attempt);
    return launched;
  }

  private async iterate(attempt: Attempt, reattach: boolean, runIteration: RunIteration): Promise<void> {
    const { clock, emit } = this.s;
    const { task } = attempt;
    const calledAt = clock.now();
    const context: IterationContext = {
      iteration: task.iterationsUsed + 1, attempt: task.attempt, reattach, signal: this.abortRunning.signal,
      ...(attempt.host === undefined ? {} : { host: attempt.host }),
      startGate: () => (reattach ? Promise.resolve(true) : this.startGate(attempt)),
      agentEnded: () => this.release(attempt),
    };
    emit({
      type: "started", at: calledAt, taskId: task.planned.id, iteration: context.iteration, attempt: context.attempt, reattach,
      running: this.holders, concurrency: this.limit(),
    });
    let result: IterationResult;
    try {
      result = checkResult(await runIteration(task.planned.id, context));
    } catch (error) {
      result = { kind: "failed", reason: `iteration threw: ${error instanceof Error ? error.message : String(error)}` };
    }
    const load = this.agents + (attempt.agent ? 0 : 1);
    const launchedAt = attempt.launchedAt ?? calledAt;
    this.ending++;
    this.release(attempt);
    const reason = "reason" in result ? result.reason : undefined;
    emit({
      type: "finished", at: clock.now(), taskId: task.planned.id, iteration: context.iteration, attempt: context.attempt,
      result: result.kind, durationMs: clock.now() - calledAt, ...(reason === undefined ? {} : { reason }),
    });
    if (this.stopped && attempt.launchedAt === undefined && !reattach) task.state = "queued"; // never launched: still to do
    else this.handle(task, result, launchedAt, load);
    this.ending--;
    this.finish();
  }

  private handle(task: TaskRun, result: IterationResult, launchedAt: number, load: number): void {
    const book = this.book!;
    if (result.kind === "host-lost") return this.hostLost(task, result);
    if (result.kind !== "rate-limited" && result.kind !== "usage-limit") {
      task.lastLimited = false;
      this.throttle.onClean(launchedAt);
      return book.spend(task, result);
    }
    task.rateLimits++;
    task.lastLimited = true;
    const resetAt = result.resetAt instanceof Date ? result.resetAt.getTime() : result.resetAt;
    const limit = {
      limit: result.kind, taskId: task.planned.id,
      ...(result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs }), ...(resetAt === undefined ? {} : { resetAt }),
    };
    this.s.emit({ type: "rate-limited", at: this.s.clock.now(), iteration: task.iterationsUsed + 1, attempt: task.attempt, ...limit });
    if (!this.s.adaptive) return book.spend(task, { kind: "again", reason: `${result.kind} (no adaptation)` });
    book.enqueue(task, true);
    this.paused(this.throttle.onLimit({ ...limit, launchedAt }, load));
  }

  private hostLost(task: TaskRun, result: Extract<IterationResult, { kind: "host-lost" }>): void {
    const hosts = this.s.hosts;
    task.lastLimited = false;
    if (hosts?.markDown(result.host)) {
      this.s.emit({ type: "host-down", at: this.s.clock.now(), host: result.host, taskId: task.planned.id, ...(result.reason === undefined ? {} : { reason: result.reason }) });
    }
    if (hosts && hosts.capacity() === 0) return this.stop("no-hosts");
    this.book!.enqueue(task, true);
  }

  /** Each pause (or extension) arms a timer for its end; the one that finds the pause over says so. */
  private paused(pause: { until: number; long: boolean }): void {
    const { clock } = this.s;
    this.pauseAnnounced = true;
    void clock.sleep(pause.until - clock.now(), this.timers.signal).then(() => {
      if (!this.pauseAnnounced || this.gate.pausedUntil() !== undefined || this.timers.signal.aborted) return;
      this.pauseAnnounced = false;
      this.s.emit({ type: "resumed", at: clock.now() });
    });
    if (pause.long && this.s.longPauseAction === "stop") this.stop("usage-limit", pause.until);
  }
}

const RESULT_KINDS = ["verified", "again", "failed", "rate-limited", "usage-limit", "host-lost"];

function checkResult(result: IterationResult): IterationResult {
  if (typeof result !== "object" || result === null || !RESULT_KINDS.includes(result.kind)) {
    throw new Error(
      `the iteration callback must resolve to { kind: ${RESULT_KINDS.map((k) => `"${k}"`).join(" | ")} }, ` +
        `e.g. { kind: "verified" }; received ${JSON.stringify(result)}`,
    );
  }
  return result;
}
