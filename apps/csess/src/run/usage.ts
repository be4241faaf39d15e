import type { OutcomeRecord } from "./events.js";

/**
 * A figure the agents reported about themselves. `value` is null when none of them said it
 * ("unknown", never a guess); `partial` when some ended attempts did not say it, so `value` is a lower bound.
 */
export interface ReportedFigure {
  value: number | null;
  partial: boolean;
}

/** Tokens and cost as the agents reported them (codex states tokens only; claude tokens and cost). */
export interface ReportedUsage {
  tokens: ReportedFigure;
  costUsd: ReportedFigure;
}

type Reported = Pick<OutcomeRecord, "tokens">;

function figure(values: Array<number | undefined>): ReportedFigure {
  const known = values.filter((v): v is number => v !== undefined);
  return {
    value: known.length ? known.reduce((a, b) => a + b, 0) : null,
    partial: known.length > 0 && known.length < values.length,
  };
}

/** The usage of ended attempts (a task's, or the whole run's). */
export function usageOf(outcomes: Reported[]): ReportedUsage {
  return {
    tokens: figure(outcomes.map((o) => o.tokens?.total)),
    costUsd: figure(outcomes.map((o) => o.tokens?.costUsd)),
  };
}

/** "4.1k", "1.2M", "unknown"; "≥" marks a lower bound. */
export function formatTokens(f: ReportedFigure): string {
  if (f.value === null) return "unknown";
  const v = f.value;
  const text = v < 1000 ? String(v) : v < 1_000_000 ? `${(v / 1000).toFixed(v < 10_000 ? 1 : 0)}k` : `${(v / 1_000_000).toFixed(1)}M`;
  return (f.partial ? "≥" : "") + text;
}

/** "$0.0142", "$1.25", "unknown"; "≥" marks a lower bound. */
export function formatCost(f: ReportedFigure): string {
  if (f.value === null) return "unknown";
  const text = f.value >= 1 ? `$${f.value.toFixed(2)}` : `$${f.value.toFixed(4)}`;
  return (f.partial ? "≥" : "") + text;
}
