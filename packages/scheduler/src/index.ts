export { createScheduler, type Scheduler, type SchedulerOptions } from "./scheduler.js";
export { CycleError, PlanInputError, type Plan, type PlannedTask, type PlannedStatus } from "./plan.js";
export { formatPlan, formatOffset, formatDuration } from "./format.js";
export { FakeClock, realClock, type Clock } from "./clock.js";
export { seededRandom } from "./random.js";
export type { HostSlots } from "./hosts.js";
export type { BackoffOptions } from "./throttle.js";
export type {
  IterationContext,
  IterationResult,
  LimitKind,
  RunIteration,
  RunSummary,
  SchedulerEvent,
  SchedulerTask,
  StopReason,
  TaskKind,
  TaskState,
  TaskSummary,
} from "./types.js";
