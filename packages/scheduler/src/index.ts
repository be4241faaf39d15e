export { createScheduler, type Scheduler, type SchedulerOptions } from "./scheduler.js";
export { plan, CycleError, PlanInputError, type Plan, type PlanOptions, type PlannedTask, type PlannedStatus } from "./plan.js";
export { formatPlan, formatOffset, formatDuration } from "./format.js";
export { realClock, type Clock } from "./clock.js";
export type { HostSlots } from "./hosts.js";
export type { BackoffOptions } from "./throttle.js";
export type {
  ConcurrencyReason,
  IterationContext,
  IterationResult,
  LimitKind,
  QuotaSignal,
  RunIteration,
  RunSummary,
  SchedulerEvent,
  SchedulerTask,
  StopReason,
  TaskKind,
  TaskState,
  TaskSummary,
} from "./types.js";
