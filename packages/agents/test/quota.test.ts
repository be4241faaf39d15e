import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseQuotaSignal, parseQuotaSignals } from "../src/index.js";
import { OUTPUTS_DIR } from "./helpers.js";

describe("quota signals", () => {
  it("reads claude's rate_limit_event from a captured real run (rejected, exact reset)", () => {
    const { output } = JSON.parse(readFileSync(join(OUTPUTS_DIR, "claude-usage-limit.json"), "utf8")) as { output: string };
    expect(parseQuotaSignals(output)).toEqual([{ provider: "claude", status: "rejected", resetAt: 1_795_247_063_000, window: "five_hour" }]);
  }, 10_000);

  it("maps claude's allowed / allowed_warning with utilization to ok / warning with a used percent", () => {
    const line = (status: string) =>
      JSON.stringify({ type: "rate_limit_event", rate_limit_info: { status, resetsAt: 1_800_000_000, rateLimitType: "seven_day", utilization: 0.834 } });
    expect(parseQuotaSignal(line("allowed_warning"))).toEqual({ provider: "claude", status: "warning", usedPercent: 83.4, resetAt: 1_800_000_000_000, window: "seven_day" });
    expect(parseQuotaSignal(line("allowed"))?.status).toBe("ok");
    expect(parseQuotaSignal(line("something-new"))).toBeUndefined();
  }, 10_000);

  it("reads codex rate-limit snapshots (session log event_msg and bare token_count), the most used window deciding", () => {
    const rollout = JSON.stringify({
      timestamp: "2026-01-10T14:20:00Z", type: "event_msg",
      payload: { type: "token_count", info: null, rate_limits: {
        primary: { used_percent: 84.0, window_minutes: 300, resets_at: 1_800_000_000 },
        secondary: { used_percent: 12.0, window_minutes: 10080, resets_at: 1_800_500_000 },
      } },
    });
    expect(parseQuotaSignal(rollout)).toEqual({ provider: "codex", status: "warning", usedPercent: 84, resetAt: 1_800_000_000_000, window: "primary" });
    const older = JSON.stringify({ type: "token_count", rate_limits: { primary: { used_percent: 20, resets_in_seconds: 60 }, secondary: { used_percent: 100, resets_in_seconds: 3600 } } });
    expect(parseQuotaSignal(older, 1000)).toEqual({ provider: "codex", status: "rejected", usedPercent: 100, resetAt: 3_601_000, window: "secondary" });
    const fine = JSON.stringify({ type: "event_msg", payload: { type: "token_count", rate_limits: { primary: { used_percent: 5 } } } });
    expect(parseQuotaSignal(fine)).toEqual({ provider: "codex", status: "ok", usedPercent: 5, window: "primary" });
  }, 10_000);

  it("codex: a window at exactly the warning line warns; a stated limit type is a refusal below 100 %; equal windows: the primary", () => {
    const snapshot = (limits: Record<string, unknown>) => JSON.stringify({ type: "token_count", rate_limits: limits });
    expect(parseQuotaSignal(snapshot({ primary: { used_percent: 80 } }))?.status).toBe("warning");
    expect(parseQuotaSignal(snapshot({ primary: { used_percent: 79.9 } }))?.status).toBe("ok");
    expect(parseQuotaSignal(snapshot({ primary: { used_percent: 42 }, rate_limit_reached_type: "primary" }))?.status).toBe("rejected");
    expect(parseQuotaSignal(snapshot({ primary: { used_percent: 50, resets_at: 1 }, secondary: { used_percent: 50, resets_at: 2 } }))).toMatchObject({ window: "primary", resetAt: 1000 });
  });

  it("states only what the CLI stated: no reset time or window keys when it gave none", () => {
    const codex = parseQuotaSignal(JSON.stringify({ type: "token_count", rate_limits: { primary: { used_percent: 5 } } }));
    expect(codex).toStrictEqual({ provider: "codex", status: "ok", usedPercent: 5, window: "primary" });
    const claude = parseQuotaSignal(JSON.stringify({ type: "rate_limit_event", rate_limit_info: { status: "allowed" } }));
    expect(claude).toStrictEqual({ provider: "claude", status: "ok" });
  });

  it("a line with spaces around it is read; a malformed rate_limits field does not hide the payload's", () => {
    const limits = { primary: { used_percent: 90 } };
    expect(parseQuotaSignal(`   ${JSON.stringify({ type: "token_count", rate_limits: limits })}  `)?.status).toBe("warning");
    for (const odd of ["n/a", 7, [1, 2], true]) {
      expect(parseQuotaSignal(JSON.stringify({ type: "event_msg", rate_limits: odd, payload: { rate_limits: limits } })), String(odd)).toMatchObject({ usedPercent: 90 });
    }
  });

  it("ignores everything else: model narration, plain text, broken JSON", () => {
    expect(parseQuotaSignals(['{"type":"item.completed","item":{"type":"agent_message","text":"rate_limit_event"}}', "rate_limits: 99%", '{"rate_limits": ', ""].join("\n"))).toEqual([]);
  }, 10_000);
});
