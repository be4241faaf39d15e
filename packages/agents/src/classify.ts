import { parseDuration, parseResetTime } from "./reset-time.js";
import type { AgentKind, Outcome, OutcomeClass, OutcomeInput, TokenUsage } from "./types.js";

/**
 * What the CLI itself said, kept apart from what the model said: only the former may decide a
 * failure class, so a model writing "rate limit" in its narration never flips the outcome.
 */
interface Signals {
  /** Error texts written by the CLI: codex turn.failed / error events, claude error results. */
  cliErrors: string[];
  /** Lines that are not JSON events (stderr, wrappers, text-mode agents). */
  plainLines: string[];
  /** HTTP status of the API error that ended the run, when an event states it. */
  status?: number;
  errorType?: string;
  /** claude rate_limit_event with status "rejected": a subscription usage limit. */
  rejectedResetsAt?: number;
  /** claude api_retry delay of the last 429/529 retry. */
  retryDelayMs?: number;
  /** The run ended in an error according to its own events (claude result.is_error, codex turn.failed). */
  eventFailure: boolean;
  lastMessage?: string;
  tokens?: TokenUsage;
}

type Event = Record<string, unknown>;

const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07/g;

function obj(value: unknown): Event | undefined {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Event) : undefined;
}
function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function addTokens(into: TokenUsage | undefined, input: number, output: number): TokenUsage {
  const t = into ?? { input: 0, output: 0, total: 0 };
  return { input: t.input + input, output: t.output + output, total: t.total + input + output };
}

function readSignals(output: string): Signals {
  const s: Signals = { cliErrors: [], plainLines: [], eventFailure: false };
  for (const raw of output.split("\n")) {
    const line = raw.replace(ANSI, "").replace(/\r/g, "").trim();
    if (!line) continue;
    let event: Event | undefined;
    if (line.startsWith("{")) {
      try {
        event = obj(JSON.parse(line));
      } catch {
        event = undefined;
      }
    }
    if (!event) {
      s.plainLines.push(line);
      continue;
    }
    readEvent(event, s);
  }
  return s;
}

function readEvent(e: Event, s: Signals): void {
  const type = str(e.type);
  const item = obj(e.item);
  // codex exec --json
  if (type === "turn.failed") {
    s.eventFailure = true;
    const message = str(obj(e.error)?.message);
    if (message) s.cliErrors.push(message);
  } else if (type === "error") {
    const message = str(e.message);
    if (message) s.cliErrors.push(message);
  } else if (type === "turn.completed") {
    const usage = obj(e.usage);
    if (usage) s.tokens = addTokens(s.tokens, (num(usage.input_tokens) ?? 0), num(usage.output_tokens) ?? 0);
  } else if (type === "item.completed" && str(item?.type) === "agent_message") {
    s.lastMessage = str(item?.text) ?? s.lastMessage;
  }
  // claude --output-format stream-json
  else if (type === "result") {
    const text = str(e.result);
    if (e.is_error === true || (str(e.subtype) ?? "success") !== "success") {
      s.eventFailure = true;
      if (text) s.cliErrors.push(text);
      const errors = e.errors;
      if (Array.isArray(errors)) for (const x of errors) if (typeof x === "string") s.cliErrors.push(x);
    } else if (text) {
      s.lastMessage = text;
    }
    s.status = num(e.api_error_status) ?? s.status;
    s.errorType = str(e.api_error_type) ?? s.errorType;
    const usage = obj(e.usage);
    if (usage) {
      const input = (num(usage.input_tokens) ?? 0) + (num(usage.cache_read_input_tokens) ?? 0) + (num(usage.cache_creation_input_tokens) ?? 0);
      s.tokens = addTokens(undefined, input, num(usage.output_tokens) ?? 0);
    }
    const cost = num(e.total_cost_usd);
    if (cost !== undefined) s.tokens = { ...(s.tokens ?? { input: 0, output: 0, total: 0 }), costUsd: cost };
  } else if (type === "assistant" && e.is_api_error_message === true) {
    // A message the CLI synthesised from an API error (model "<synthetic>"), not model narration.
    const content = obj(e.message)?.content;
    if (Array.isArray(content)) for (const c of content) { const t = str(obj(c)?.text); if (t) s.cliErrors.push(t); }
    s.status = num(e.api_error_status) ?? s.status;
    s.errorType = str(e.api_error_type) ?? s.errorType;
  } else if (type === "system" && str(e.subtype) === "api_retry") {
    const status = num(e.error_status);
    if (status === 429 || status === 529) s.retryDelayMs = num(e.retry_delay_ms) ?? s.retryDelayMs;
  } else if (type === "rate_limit_event") {
    const info = obj(e.rate_limit_info);
    if (str(info?.status) === "rejected") s.rejectedResetsAt = num(info?.resetsAt) ?? s.rejectedResetsAt ?? 0;
  }
}

/** Text patterns over CLI-authored error text, most specific first. */
const PATTERNS: Array<[Exclude<OutcomeClass, "success" | "failed" | "timeout">, RegExp]> = [
  ["usage-limit", /you['’]ve hit your (?:[\w-]+ )?limit|usage limit (?:reached|has been reached|exceeded)|usage_limit_reached|usage_not_included|\blimit reached\|\d{9,}/i],
  ["rate-limited", /\b429\b|too many requests|rate[ _-]?limit/i],
  ["overloaded", /\b529\b|overloaded|high demand|\b503\b|service unavailable/i],
  ["auth", /failed to refresh token|refresh_token_\w+|\b401\b|unauthori[sz]ed|invalid (?:x-)?api[ -_]?key|authentication_error|not logged in|please run \/login|log ?in again|token (?:has )?expired|missing environment variable: `?\w*(?:KEY|TOKEN)/i],
  ["not-installed", /^(?:\S*sh: )?(?:\d+: )?\S+: (?:command )?not found$|spawn \S+ ENOENT/m],
  ["bad-flags", /unexpected argument|unknown option|unrecognized (?:option|argument)|unknown (?:argument|flag)|invalid value '.*' for '--/i],
];

function classOfText(texts: string[]): { cls: OutcomeClass; text: string } | undefined {
  for (const [cls, pattern] of PATTERNS) {
    const text = texts.find((t) => pattern.test(t));
    if (text !== undefined) return { cls, text };
  }
  return undefined;
}

function classOfStatus(s: Signals): OutcomeClass | undefined {
  if (s.status === 429 || s.errorType === "rate_limit_error") return "rate-limited";
  if (s.status === 529 || s.errorType === "overloaded_error") return "overloaded";
  if (s.status === 401 || s.status === 403 || s.errorType === "authentication_error" || s.errorType === "permission_error") return "auth";
  return undefined;
}

function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

const ADVICE: Partial<Record<OutcomeClass, (kind: AgentKind) => string>> = {
  "rate-limited": () => "requeued; csess pauses new starts and lowers concurrency (or raise --stagger / lower --parallel)",
  "usage-limit": () => "the plan's usage limit: csess waits until the reset time before starting this agent again",
  overloaded: () => "the provider is overloaded; retry later",
  auth: (kind) =>
    kind === "codex" ? "run `codex login` (or set OPENAI_API_KEY)"
    : kind === "claude" ? "run `claude auth login` (or set ANTHROPIC_API_KEY)"
    : "check the agent's credentials",
  "not-installed": (kind) =>
    kind === "codex" ? "install codex: npm install -g @openai/codex"
    : kind === "claude" ? "install claude: npm install -g @anthropic-ai/claude-code"
    : "check --agent-cmd: its program was not found",
  "bad-flags": (kind) => `this ${kind} version rejected csess's flags; run \`csess doctor\` to see the version and flags`,
  timeout: () => "raise --timeout / --stall, or split the task",
};

/**
 * Classifies one agent run from its exit code and output. JSON events decide first; text patterns
 * only look at what the CLI wrote outside the model's messages, and only when the run failed.
 */
export function classifyOutcome(input: OutcomeInput): Outcome {
  const now = input.now ?? new Date();
  const s = readSignals(input.output);
  const tokens = s.tokens ? { tokens: s.tokens } : {};
  const result = (cls: OutcomeClass, summary: string, extra: Partial<Outcome> = {}): Outcome => {
    const advice = ADVICE[cls]?.(input.kind);
    return { class: cls, summary: oneLine(summary), ...extra, ...tokens, ...(advice ? { advice } : {}) };
  };

  if (input.timedOut) return result("timeout", "the agent was stopped: it ran past its time limit or went silent");
  if (input.exitCode === 127) return result("not-installed", s.plainLines.find((l) => /not found|ENOENT/.test(l)) ?? "exit 127: command not found");
  if (input.exitCode === 0 && !s.eventFailure) {
    const last = input.lastMessage?.trim() || s.lastMessage || "exited 0";
    return result("success", last);
  }

  const failureText = s.cliErrors.find((t) => t.trim()) ?? s.plainLines.at(-1) ?? `exit ${input.exitCode ?? "unknown (killed?)"}`;
  // A rejected subscription limit (claude rate_limit_event) is a usage limit with an exact reset.
  if (s.rejectedResetsAt !== undefined) {
    const resetAt = s.rejectedResetsAt > 0 ? new Date(s.rejectedResetsAt * 1000) : parseResetTime(s.cliErrors.join("\n"), now);
    return result("usage-limit", failureText, resetFields(resetAt, now));
  }
  const fromText = classOfText(s.cliErrors) ?? (classOfStatus(s) ? undefined : classOfText(s.plainLines));
  const cls = fromText?.cls === "usage-limit" ? "usage-limit" : classOfStatus(s) ?? fromText?.cls ?? "failed";
  const summary = fromText?.text ?? failureText;
  if (cls === "usage-limit") return result(cls, summary, resetFields(parseResetTime(summary, now), now));
  if (cls === "rate-limited" || cls === "overloaded") {
    const stated = /(?:try again|retry) (?:in|after) ((?:[^.\n]|\.(?=\d))+)/i.exec(summary)?.[1];
    const retryAfterMs = (stated ? parseDuration(stated) : undefined) ?? s.retryDelayMs;
    return result(cls, summary, retryAfterMs !== undefined ? { retryAfterMs } : {});
  }
  return result(cls, summary);
}

function resetFields(resetAt: Date | undefined, now: Date): Partial<Outcome> {
  if (!resetAt || Number.isNaN(resetAt.getTime())) return {};
  return { resetAt: resetAt.toISOString(), retryAfterMs: Math.max(0, resetAt.getTime() - now.getTime()) };
}
