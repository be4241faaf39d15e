import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { classifyOutcome, parseResetTime, type AgentKind, type OutcomeClass } from "../src/index.js";
import { OUTPUTS_DIR } from "./helpers.js";

interface Captured {
  kind: AgentKind;
  exitCode: number;
  output: string;
  lastMessage?: string;
  capturedAt: string;
}

function captured(name: string): Captured {
  return JSON.parse(readFileSync(join(OUTPUTS_DIR, `${name}.json`), "utf8")) as Captured;
}

describe("captured real CLI outputs (fixtures/agent-outputs, from the end-to-end runs)", () => {
  const table: Array<[string, OutcomeClass]> = [
    ["codex-honest", "success"],
    ["codex-rate-limit", "rate-limited"],
    ["codex-usage-limit", "usage-limit"],
    ["codex-auth", "auth"],
    ["codex-bad-flags", "bad-flags"],
    ["claude-honest", "success"],
    ["claude-rate-limit", "rate-limited"],
    ["claude-usage-limit", "usage-limit"],
    ["claude-bad-flags", "bad-flags"],
  ];
  it.each(table)("%s -> %s", (name, expected) => {
    const c = captured(name);
    const outcome = classifyOutcome({ kind: c.kind, exitCode: c.exitCode, output: c.output, ...(c.lastMessage ? { lastMessage: c.lastMessage } : {}), now: new Date(c.capturedAt) });
    expect(outcome.class).toBe(expected);
    if (expected === "usage-limit") expect(Date.parse(outcome.resetAt ?? "")).toBeGreaterThan(Date.parse(c.capturedAt));
  });

  it("takes token usage from codex turn.completed and claude result events; cost only where the agent states it", () => {
    const codex = captured("codex-honest");
    // codex reports tokens but no price: the cost stays unknown, never estimated.
    expect(classifyOutcome({ kind: "codex", exitCode: 0, output: codex.output }).tokens).toEqual({ input: 4000, output: 145, total: 4145 });
    const claude = captured("claude-honest");
    expect(classifyOutcome({ kind: "claude", exitCode: 0, output: claude.output }).tokens).toEqual({ input: 4000, output: 145, total: 4145, costUsd: 0.014175 });
    // A 429 before any model turn: claude says it cost nothing; codex says nothing at all.
    const claudeLimited = captured("claude-rate-limit");
    expect(classifyOutcome({ kind: "claude", exitCode: claudeLimited.exitCode, output: claudeLimited.output }).tokens).toEqual({ input: 0, output: 0, total: 0, costUsd: 0 });
    const codexLimited = captured("codex-rate-limit");
    expect(classifyOutcome({ kind: "codex", exitCode: codexLimited.exitCode, output: codexLimited.output }).tokens).toBeUndefined();
  }, 10_000);
});

const NOW = new Date(2026, 10, 21, 14, 0, 0); // 21 Nov 2026 14:00 local time
const codexFailed = (message: string) =>
  [JSON.stringify({ type: "turn.started" }), JSON.stringify({ type: "error", message }), JSON.stringify({ type: "turn.failed", error: { message } })].join("\n");
const claudeResult = (fields: Record<string, unknown>) => JSON.stringify({ type: "result", subtype: "success", is_error: true, ...fields });

describe("strings the CLIs print", () => {
  it("codex: exceeded retry limit, last status: 429 -> rate-limited", () => {
    const o = classifyOutcome({ kind: "codex", exitCode: 1, output: codexFailed("exceeded retry limit, last status: 429 Too Many Requests") });
    expect(o.class).toBe("rate-limited");
  });

  // codex often gives only the status code: no "Too Many Requests", no "rate limit" words.
  it("codex: a bare status code (exceeded retry limit, last status: 429) -> rate-limited", () => {
    const o = classifyOutcome({ kind: "codex", exitCode: 1, output: codexFailed("exceeded retry limit, last status: 429") });
    expect(o).toMatchObject({ class: "rate-limited", summary: "exceeded retry limit, last status: 429" });
    expect(o.advice).toMatch(/requeued/);
  });

  it("any agent printing only `last status: 429` on stderr -> rate-limited", () => {
    for (const kind of ["codex", "claude", "custom"] as const) {
      const o = classifyOutcome({ kind, exitCode: 1, output: "working...\nERROR: last status: 429\n" });
      expect(o, kind).toMatchObject({ class: "rate-limited", summary: "ERROR: last status: 429" });
    }
  });

  it("429 inside a longer number is not a rate limit (port 14290, id 4291)", () => {
    expect(classifyOutcome({ kind: "custom", exitCode: 1, output: "connect ECONNREFUSED 127.0.0.1:14290 (request 4291)\n" }).class).toBe("failed");
  });

  it("codex: usage limit with a time today -> usage-limit at that local time", () => {
    const o = classifyOutcome({ kind: "codex", exitCode: 1, now: NOW, output: codexFailed("You've hit your usage limit. Upgrade to Pro (https://openai.com/chatgpt/pricing) or try again at 3:28 PM.") });
    expect(o.class).toBe("usage-limit");
    expect(o.resetAt).toBe(new Date(2026, 10, 21, 15, 28).toISOString());
    expect(o.retryAfterMs).toBe(88 * 60_000);
  });

  it("codex: a time already past today means tomorrow", () => {
    expect(parseResetTime("try again at 9:05 AM.", NOW)?.toISOString()).toBe(new Date(2026, 10, 22, 9, 5).toISOString());
  });

  it("codex: usage limit with a full date (Aug 8th, 2026 12:30 PM)", () => {
    const o = classifyOutcome({ kind: "codex", exitCode: 1, now: NOW, output: codexFailed("You’ve hit your usage limit. Visit https://chatgpt.com/codex/settings/usage to purchase more credits or try again at Aug 8th, 2026 12:30 PM.") });
    expect(o.class).toBe("usage-limit");
    expect(o.resetAt).toBe(new Date(2026, 7, 8, 12, 30).toISOString());
  });

  it("claude: rate_limit_event resetsAt (epoch seconds) wins", () => {
    const output = [
      JSON.stringify({ type: "rate_limit_event", rate_limit_info: { status: "rejected", resetsAt: 1795300000, rateLimitType: "five_hour" } }),
      claudeResult({ result: "You've hit your 5-hour limit · resets 6:26am (UTC)", api_error_status: 429 }),
    ].join("\n");
    const o = classifyOutcome({ kind: "claude", exitCode: 1, output, now: NOW });
    expect(o.class).toBe("usage-limit");
    expect(o.resetAt).toBe(new Date(1795300000 * 1000).toISOString());
  });

  it("claude: an allowed rate_limit_event on a successful run changes nothing", () => {
    const output = [
      JSON.stringify({ type: "rate_limit_event", rate_limit_info: { status: "allowed_warning", resetsAt: 1795300000 } }),
      JSON.stringify({ type: "result", subtype: "success", is_error: false, result: "done" }),
    ].join("\n");
    expect(classifyOutcome({ kind: "claude", exitCode: 0, output }).class).toBe("success");
  });

  it("claude: 'resets 1pm (Europe/Lisbon)' is 1pm in Lisbon", () => {
    const now = new Date("2026-07-10T09:00:00Z"); // Lisbon is UTC+1 in July
    const o = classifyOutcome({ kind: "claude", exitCode: 1, now, output: claudeResult({ result: "You've hit your session limit · resets 1pm (Europe/Lisbon)" }) });
    expect(o.class).toBe("usage-limit");
    expect(o.resetAt).toBe("2026-07-10T12:00:00.000Z");
  });

  it("claude: 'Claude AI usage limit reached|<epoch>'", () => {
    const o = classifyOutcome({ kind: "claude", exitCode: 1, output: "Claude AI usage limit reached|1755000000\n" });
    expect(o.class).toBe("usage-limit");
    expect(o.resetAt).toBe(new Date(1755000000 * 1000).toISOString());
  });

  it("claude: 529 overloaded from stream-json", () => {
    const output = [
      JSON.stringify({ type: "system", subtype: "api_retry", attempt: 1, max_retries: 1, retry_delay_ms: 561, error_status: 529, error: "overloaded" }),
      claudeResult({ result: "API Error: 529 Overloaded. This is a server-side issue, usually temporary — try again in a moment.", api_error_status: 529, api_error_type: "overloaded_error" }),
    ].join("\n");
    const o = classifyOutcome({ kind: "claude", exitCode: 1, output });
    expect(o.class).toBe("overloaded");
    expect(o.retryAfterMs).toBe(561);
  });

  it("claude: 429 api_retry delay becomes retryAfterMs", () => {
    const output = [
      JSON.stringify({ type: "system", subtype: "api_retry", attempt: 1, retry_delay_ms: 8547, error_status: 429, error: "rate_limit" }),
      claudeResult({ result: "API Error: Request rejected (429) · Rate limited", api_error_status: 429, api_error_type: "rate_limit_error" }),
    ].join("\n");
    expect(classifyOutcome({ kind: "claude", exitCode: 1, output })).toMatchObject({ class: "rate-limited", retryAfterMs: 8547 });
  });

  it("codex: Failed to refresh token -> auth, advising codex login", () => {
    const o = classifyOutcome({ kind: "codex", exitCode: 1, output: codexFailed("Failed to refresh token: 401 Unauthorized: refresh_token_reused") });
    expect(o.class).toBe("auth");
    expect(o.advice).toContain("codex login");
  });

  it("not installed: exit 127 from sh, or spawn ENOENT", () => {
    expect(classifyOutcome({ kind: "codex", exitCode: 127, output: "sh: 1: codex: not found\n" }).class).toBe("not-installed");
    expect(classifyOutcome({ kind: "claude", exitCode: 1, output: "Error: spawn claude ENOENT\n" }).class).toBe("not-installed");
  });

  it("bad flags: unexpected argument", () => {
    const o = classifyOutcome({ kind: "codex", exitCode: 2, output: "error: unexpected argument '--full-auto' found\n\n  tip: to pass '--full-auto' as a value, use '-- --full-auto'\n" });
    expect(o.class).toBe("bad-flags");
    expect(o.advice).toContain("csess doctor");
  });

  it("timeout when the runner stopped the agent", () => {
    expect(classifyOutcome({ kind: "codex", exitCode: null, output: "", timedOut: true }).class).toBe("timeout");
  });

  it("a plain non-zero exit is failed", () => {
    expect(classifyOutcome({ kind: "custom", exitCode: 3, output: "tests failed\n" })).toMatchObject({ class: "failed", summary: "tests failed" });
  });
});

describe("the agent's own words never flip the class", () => {
  const narration = "I hit a rate limit (429 Too Many Requests) earlier and you've hit your usage limit, try again at 3:28 PM; Failed to refresh token; unexpected argument";

  it("codex: a successful run whose agent_message talks about limits is success", () => {
    const output = [
      JSON.stringify({ type: "item.completed", item: { id: "i1", type: "agent_message", text: narration } }),
      JSON.stringify({ type: "item.completed", item: { id: "i2", type: "command_execution", aggregated_output: "HTTP 429 rate limit", exit_code: 0 } }),
      JSON.stringify({ type: "turn.completed", usage: { input_tokens: 10, output_tokens: 5 } }),
    ].join("\n");
    const o = classifyOutcome({ kind: "codex", exitCode: 0, output, lastMessage: narration });
    expect(o.class).toBe("success");
  });

  it("codex: a failed run is classified by its turn.failed error, not by the narration before it", () => {
    const output = [
      JSON.stringify({ type: "item.completed", item: { id: "i1", type: "agent_message", text: narration } }),
      codexFailed("stream disconnected before completion: connection reset"),
    ].join("\n");
    expect(classifyOutcome({ kind: "codex", exitCode: 1, output }).class).toBe("failed");
  });

  it("claude: assistant text about a usage limit in a failed run does not make it a usage limit", () => {
    const output = [
      JSON.stringify({ type: "assistant", message: { model: "claude-x", content: [{ type: "text", text: narration }] } }),
      claudeResult({ subtype: "error_max_turns", result: "" }),
    ].join("\n");
    expect(classifyOutcome({ kind: "claude", exitCode: 1, output }).class).toBe("failed");
  });
});
