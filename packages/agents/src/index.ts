export { probeAgent, type ProbeOptions } from "./probe.js";
export { buildInvocation, codexProviderArgs, csessEnv } from "./invocation.js";
export { buildPrompt, type PromptInput, type PromptTask } from "./prompt.js";
export { classifyOutcome } from "./classify.js";
export { lastMeaningfulLine, meaningfulLine, progressLine } from "./progress.js";
export { parseResetTime, parseDuration } from "./reset-time.js";
export { parseQuotaSignal, parseQuotaSignals, CODEX_WARNING_PERCENT, type QuotaSignal } from "./quota.js";
export {
  AGENT_KINDS,
  type AgentKind,
  type AgentProbe,
  type AuthStatus,
  type CsessTaskEnv,
  type Invocation,
  type InvocationOptions,
  type Outcome,
  type OutcomeClass,
  type OutcomeInput,
  type PermissionMode,
  type ProviderEndpoint,
  type TokenUsage,
} from "./types.js";
