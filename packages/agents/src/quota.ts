/**
 * What an agent CLI said about its provider's quota, before (or at) a hard 429:
 * - claude `--output-format stream-json`: `{"type":"rate_limit_event","rate_limit_info":{"status":
 *   "allowed" | "allowed_warning" | "rejected","resetsAt":<epoch s>,"rateLimitType":"five_hour",
 *   "utilization":0.83}}`
 * - codex: rate-limit snapshots from its `x-codex-*` headers, `"rate_limits":{"primary":{"used_percent":
 *   72.0,"window_minutes":300,"resets_at":<epoch s>},"secondary":{...}}`, on `token_count` events (the
 *   session log `$CODEX_HOME/sessions/.../rollout-*.jsonl` has them as `event_msg` payloads).
 */
export interface QuotaSignal {
  provider: "claude" | "codex";
  status: "ok" | "warning" | "rejected";
  /** 0..100 of the most used window, when stated. */
  usedPercent?: number;
  /** When that window resets, ms since the epoch. */
  resetAt?: number;
  /** Which window, as the CLI names it (`five_hour`, `seven_day`, `primary` ...). */
  window?: string;
}

/** codex states no warning of its own: csess calls a window this spent a warning. */
export const CODEX_WARNING_PERCENT = 80;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : undefined);
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** The quota signal in one line of agent output, if it carries one. `now` dates codex's `resets_in_seconds`. */
export function parseQuotaSignal(line: string, now: number = Date.now()): QuotaSignal | undefined {
  const text = line.trim();
  if (!text.startsWith("{") || !/rate_limit/.test(text)) return undefined;
  let event: Json | undefined;
  try {
    event = obj(JSON.parse(text));
  } catch {
    return undefined;
  }
  if (!event) return undefined;
  if (event.type === "rate_limit_event") return claudeSignal(obj(event.rate_limit_info));
  const limits = obj(event.rate_limits) ?? obj(obj(event.payload)?.rate_limits) ?? obj(obj(event.msg)?.rate_limits);
  return limits ? codexSignal(limits, now) : undefined;
}

/** Every quota signal in an agent's output, in order. */
export function parseQuotaSignals(output: string, now: number = Date.now()): QuotaSignal[] {
  return output.split("\n").flatMap((line) => parseQuotaSignal(line, now) ?? []);
}

function claudeSignal(info: Json | undefined): QuotaSignal | undefined {
  const status = { allowed: "ok", allowed_warning: "warning", rejected: "rejected" }[String(info?.status)] as QuotaSignal["status"] | undefined;
  if (!info || !status) return undefined;
  const utilization = num(info.utilization);
  const resetsAt = num(info.resetsAt);
  const window = typeof info.rateLimitType === "string" ? info.rateLimitType : undefined;
  return {
    provider: "claude", status,
    ...(utilization === undefined ? {} : { usedPercent: Math.round(utilization * 1000) / 10 }),
    ...(resetsAt === undefined ? {} : { resetAt: resetsAt * 1000 }),
    ...(window === undefined ? {} : { window }),
  };
}

function codexSignal(limits: Json, now: number): QuotaSignal | undefined {
  let worst: { window: string; used: number; resetAt: number | undefined } | undefined;
  for (const window of ["primary", "secondary"]) {
    const w = obj(limits[window]);
    const used = num(w?.used_percent);
    if (!w || used === undefined || (worst && worst.used >= used)) continue;
    const resetsAt = num(w.resets_at);
    const resetsIn = num(w.resets_in_seconds);
    const resetAt = resetsAt !== undefined ? resetsAt * 1000 : resetsIn !== undefined ? now + resetsIn * 1000 : undefined;
    worst = { window, used, resetAt };
  }
  if (!worst) return undefined;
  const reached = typeof limits.rate_limit_reached_type === "string" || worst.used >= 100;
  return {
    provider: "codex",
    status: reached ? "rejected" : worst.used >= CODEX_WARNING_PERCENT ? "warning" : "ok",
    usedPercent: worst.used,
    ...(worst.resetAt === undefined ? {} : { resetAt: worst.resetAt }),
    window: worst.window,
  };
}
