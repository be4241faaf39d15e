import { describe, expect, it } from "vitest";
import { classifyOutcome, type AgentKind, type OutcomeClass } from "../src/index.js";

// What each rule of the classifier promises, one behaviour per test, through the public classifyOutcome.
// The runner acts on the class (requeue, wait for a reset, stop with advice), so a wrong class is a
// wrong action: a usage limit retried at once, an auth failure retried forever, a success thrown away.

const failedWith = (text: string, kind: AgentKind = "custom") => classifyOutcome({ kind, exitCode: 1, output: `${text}\n` });
const json = (...events: Array<Record<string, unknown>>) => events.map((e) => JSON.stringify(e)).join("\n");
const claudeError = (fields: Record<string, unknown>) => ({ type: "result", subtype: "success", is_error: true, ...fields });

describe("the texts CLIs print for each failure class (stderr or error events)", () => {
  const table: Array<[OutcomeClass, string]> = [
    ["usage-limit", "You've hit your usage limit. Upgrade to Pro or try again at 3:28 PM."],
    ["usage-limit", "You’ve hit your 5-hour limit · resets 6:26am (UTC)"],
    ["usage-limit", "You've hit your weekly-opus limit"],
    ["usage-limit", "You've hit your limit"],
    ["usage-limit", "Usage limit reached for this month"],
    ["usage-limit", "Your usage limit has been reached"],
    ["usage-limit", "usage limit exceeded"],
    ["usage-limit", "error code: usage_limit_reached"],
    ["usage-limit", "error code: usage_not_included"],
    ["usage-limit", "Claude AI usage limit reached|1755000000"],
    ["usage-limit", "5-hour limit reached|1755000000"],
    ["rate-limited", "exceeded retry limit, last status: 429"],
    ["rate-limited", "HTTP error: Too Many Requests"],
    ["rate-limited", "rate limit hit, slow down"],
    ["rate-limited", "error type rate_limit"],
    ["rate-limited", "a rate-limit applies"],
    ["rate-limited", "ratelimit"],
    ["overloaded", "API Error: 529"],
    ["overloaded", "the model is Overloaded"],
    ["overloaded", "We're currently experiencing high demand"],
    ["overloaded", "unexpected status 503"],
    ["overloaded", "Service Unavailable"],
    ["auth", "Failed to refresh token"],
    ["auth", "refresh_token_expired"],
    ["auth", "unexpected status 401"],
    ["auth", "Unauthorized"],
    ["auth", "request unauthorised"],
    ["auth", "Invalid API key · Please run /login"],
    ["auth", "invalid x-api-key"],
    ["auth", "invalid api-key"],
    ["auth", "Invalid api_key provided"],
    ["auth", "invalid apikey"],
    ["auth", "type: authentication_error"],
    ["auth", "Not logged in"],
    ["auth", "please run /login first"],
    ["auth", "please log in again"],
    ["auth", "please login again"],
    ["auth", "your token expired"],
    ["auth", "the token has expired"],
    ["auth", "Missing environment variable: `OPENAI_API_KEY`"],
    ["auth", "missing environment variable: ANTHROPIC_AUTH_TOKEN"],
    ["not-installed", "sh: 1: codex: not found"],
    ["not-installed", "/bin/sh: 12: my-agent: not found"],
    ["not-installed", "bash: claude: command not found"],
    ["not-installed", "codex: not found"],
    ["not-installed", "Error: spawn claude ENOENT"],
    ["bad-flags", "error: unexpected argument '--full-auto' found"],
    ["bad-flags", "error: unknown option '--yolo'"],
    ["bad-flags", "error: unrecognized option '--x'"],
    ["bad-flags", "error: unrecognized argument: x"],
    ["bad-flags", "Unknown argument: --x"],
    ["bad-flags", "unknown flag: --x"],
    ["bad-flags", "error: invalid value 'fast' for '--sandbox <SANDBOX_MODE>'"],
  ];
  it.each(table)("%s: %s", (cls, text) => {
    expect(failedWith(text)).toMatchObject({ class: cls, summary: text });
    // The same text from a codex error event decides the same way.
    expect(classifyOutcome({ kind: "codex", exitCode: 1, output: json({ type: "turn.failed", error: { message: text } }) }).class).toBe(cls);
  });

  const notThese: Array<[string, string]> = [
    ["a port or id containing 401, 429, 503 or 529", "connect ECONNREFUSED 127.0.0.1:44015 (request 14290, job 5030, pid 75291)"],
    ["a file that was not found", "Error: config.json: not found in cache"],
    ["'not found' inside a sentence", "the file README.md: not found, creating it"],
    ["a line that starts like the shell's but goes on", "config.json: not found, using the defaults"],
    ["a program's own error naming a missing thing", "Error: model: not found"],
    ["'limit reached' without an epoch", "recursion limit reached|12"],
    ["a token that was refreshed fine", "token refreshed"],
  ];
  it.each(notThese)("not a special class: %s", (_, text) => {
    expect(failedWith(text)).toMatchObject({ class: "failed", summary: text });
  });
});

describe("which lines are read", () => {
  it("colour codes, terminal titles and CRs are removed before matching and from the summary", () => {
    const o = failedWith("\x1b]0;agent title\x07\x1b[1;31mError:\x1b[0m \x1b[38;5;196mToo Many Requests\x1b[m\r");
    expect(o).toMatchObject({ class: "rate-limited", summary: "Error: Too Many Requests" });
    expect(failedWith("\x1b[?25lstuck\x1b[2 q").summary).toBe("stuck");
  });

  it("the summary of a failure is the last non-blank line, not trailing spaces", () => {
    expect(failedWith("step 1\nthe real error\n   \n\t")).toMatchObject({ class: "failed", summary: "the real error" });
  });

  it("a summary is one line of at most 300 characters", () => {
    const long = `error: ${"x".repeat(400)}`;
    const o = failedWith(`  ${long.slice(0, 20)}   ${long.slice(20)}  `);
    expect(o.summary).toHaveLength(300);
    expect(o.summary).toBe(`${long.slice(0, 20)} ${long.slice(20, 298)}…`);
    const exact = "y".repeat(300);
    expect(failedWith(exact).summary).toBe(exact);
    expect(failedWith("a\t\tb").summary).toBe("a b");
  });

  it("the first non-blank CLI error wins over later ones and over plain lines", () => {
    const output = json({ type: "error", message: "   " }, { type: "error", message: "Reconnecting... 1/5" }, { type: "turn.failed", error: { message: "stream closed" } }) + "\nplain tail";
    expect(classifyOutcome({ kind: "codex", exitCode: 1, output }).summary).toBe("Reconnecting... 1/5");
  });

  it("a CLI error's own surrounding whitespace is not part of the summary", () => {
    const output = json({ type: "turn.failed", error: { message: "  stream closed \n" } });
    expect(classifyOutcome({ kind: "codex", exitCode: 1, output }).summary).toBe("stream closed");
  });

  it("a codex turn.failed event fails a run even when codex exits 0", () => {
    const output = json({ type: "turn.failed", error: { message: "exceeded retry limit, last status: 429" } });
    expect(classifyOutcome({ kind: "codex", exitCode: 0, output })).toMatchObject({ class: "rate-limited", summary: "exceeded retry limit, last status: 429" });
  });

  it("events that are not objects, or have malformed fields, are plain lines and report no tokens", () => {
    const output = json({ type: "turn.completed", usage: 7 }, { type: "turn.failed", error: "boom" });
    const o = classifyOutcome({ kind: "codex", exitCode: 1, output });
    expect(o.tokens).toBeUndefined();
    expect(o.class).toBe("failed");
  });
});

describe("success", () => {
  it("the summary is codex's -o last message, trimmed; else its last agent_message; else 'exited 0'", () => {
    const output = json(
      { type: "item.completed", item: { type: "agent_message", text: "first" } },
      { type: "item.completed", item: { type: "command_execution", text: "not a message" } },
      { type: "item.started", item: { type: "agent_message", text: "still typing" } },
      { type: "item.completed", item: { type: "agent_message", text: "Done: added the greeting" } },
      { type: "item.completed", item: { type: "agent_message" } },
      { type: "item.completed", item: { type: "reasoning", text: "thinking it over" } },
      { type: "item.updated", item: { type: "agent_message", text: "partial" } },
      { type: "turn.completed", usage: { input_tokens: 10, output_tokens: 5 } },
    );
    expect(classifyOutcome({ kind: "codex", exitCode: 0, output, lastMessage: "  from -o  \n" }).summary).toBe("from -o");
    expect(classifyOutcome({ kind: "codex", exitCode: 0, output, lastMessage: " \n" }).summary).toBe("Done: added the greeting");
    expect(classifyOutcome({ kind: "codex", exitCode: 0, output: "" })).toEqual({ class: "success", summary: "exited 0" });
  });

  it("claude: the result text is the summary; a result without subtype is a success", () => {
    const output = json({ type: "result", is_error: false, result: "All done" });
    expect(classifyOutcome({ kind: "claude", exitCode: 0, output })).toMatchObject({ class: "success", summary: "All done" });
  });

  it("claude: exiting 0 with an error subtype is not a success", () => {
    const output = json({ type: "result", subtype: "error_max_turns", is_error: false, result: "stopped at the turn limit" });
    expect(classifyOutcome({ kind: "claude", exitCode: 0, output })).toMatchObject({ class: "failed", summary: "stopped at the turn limit" });
  });

  it("claude tokens count cache reads and writes as input", () => {
    const output = json({ type: "result", subtype: "success", is_error: false, result: "ok", usage: { input_tokens: 10, cache_read_input_tokens: 100, cache_creation_input_tokens: 1000, output_tokens: 5 } });
    expect(classifyOutcome({ kind: "claude", exitCode: 0, output }).tokens).toEqual({ input: 1110, output: 5, total: 1115 });
  });

  it("no usage and no cost stated: no token report at all", () => {
    const output = json({ type: "result", subtype: "success", is_error: false, result: "ok" });
    expect(classifyOutcome({ kind: "claude", exitCode: 0, output }).tokens).toBeUndefined();
  });

  it("codex tokens add up over turns", () => {
    const output = json({ type: "turn.completed", usage: { input_tokens: 10, output_tokens: 5 } }, { type: "turn.completed", usage: { input_tokens: 20, output_tokens: 1 } });
    expect(classifyOutcome({ kind: "codex", exitCode: 0, output }).tokens).toEqual({ input: 30, output: 6, total: 36 });
  });
});

describe("claude's structured error fields decide when the text does not", () => {
  const cases: Array<[string, Record<string, unknown>, OutcomeClass]> = [
    ["api_error_status 429", { api_error_status: 429 }, "rate-limited"],
    ["api_error_type rate_limit_error", { api_error_type: "rate_limit_error" }, "rate-limited"],
    ["api_error_status 529", { api_error_status: 529 }, "overloaded"],
    ["api_error_type overloaded_error", { api_error_type: "overloaded_error" }, "overloaded"],
    ["api_error_status 401", { api_error_status: 401 }, "auth"],
    ["api_error_status 403", { api_error_status: 403 }, "auth"],
    ["api_error_type authentication_error", { api_error_type: "authentication_error" }, "auth"],
    ["api_error_type permission_error", { api_error_type: "permission_error" }, "auth"],
  ];
  it.each(cases)("a result with %s", (_, fields, cls) => {
    const output = json(claudeError({ result: "API Error: request rejected", ...fields }));
    expect(classifyOutcome({ kind: "claude", exitCode: 1, output })).toMatchObject({ class: cls, summary: "API Error: request rejected" });
  });

  it.each(cases)("a synthetic assistant API-error message with %s", (_, fields, cls) => {
    const output = json(
      { type: "assistant", is_api_error_message: true, message: { model: "<synthetic>", content: [{ type: "text", text: "API Error: request rejected" }] }, ...fields },
      claudeError({ result: "" }),
    );
    expect(classifyOutcome({ kind: "claude", exitCode: 1, output })).toMatchObject({ class: cls, summary: "API Error: request rejected" });
  });

  it("an unrelated status (500) does not pick a class", () => {
    const output = json(claudeError({ result: "API Error: request rejected", api_error_status: 500, api_error_type: "api_error" }));
    expect(classifyOutcome({ kind: "claude", exitCode: 1, output }).class).toBe("failed");
  });

  it("a synthetic API-error message's text is read like a CLI error", () => {
    const output = json(
      { type: "assistant", is_api_error_message: true, message: { content: [{ type: "tool_use" }, { type: "text", text: "Invalid API key · Please run /login" }] } },
      claudeError({ result: "" }),
    );
    expect(classifyOutcome({ kind: "claude", exitCode: 1, output })).toMatchObject({ class: "auth", summary: "Invalid API key · Please run /login" });
  });

  it("error strings in a result's errors list count, other values are skipped", () => {
    const output = json({ type: "result", subtype: "error_during_execution", is_error: true, errors: [42, { x: 1 }, "You've hit your usage limit"] });
    expect(classifyOutcome({ kind: "claude", exitCode: 1, output })).toMatchObject({ class: "usage-limit", summary: "You've hit your usage limit" });
  });

  it("a usage-limit text wins over a 429 status: the run waits for the reset, not a short backoff", () => {
    const now = new Date("2026-07-10T05:00:00Z");
    const output = json(claudeError({ result: "You've hit your 5-hour limit · resets 6:26am (UTC)", api_error_status: 429 }));
    expect(classifyOutcome({ kind: "claude", exitCode: 1, output, now })).toMatchObject({ class: "usage-limit", resetAt: "2026-07-10T06:26:00.000Z" });
  });

  it("a 429 status wins over other words in plain lines (no CLI error text)", () => {
    const output = `${json({ type: "result", subtype: "error_during_execution", is_error: true, api_error_status: 429 })}\nunexpected argument in the log`;
    expect(classifyOutcome({ kind: "claude", exitCode: 1, output }).class).toBe("rate-limited");
  });
});

describe("how long to wait", () => {
  it("claude's retry delay comes from the last 429/529 api_retry, not from retries of other errors", () => {
    const output = json(
      { type: "system", subtype: "api_retry", error_status: 429, retry_delay_ms: 8000 },
      { type: "system", subtype: "api_retry", error_status: 529, retry_delay_ms: 9000 },
      { type: "system", subtype: "api_retry", error_status: 429 },
      { type: "system", subtype: "api_retry", error_status: 500, retry_delay_ms: 100 },
      claudeError({ result: "API Error: 429 Rate limited", api_error_status: 429 }),
    );
    expect(classifyOutcome({ kind: "claude", exitCode: 1, output }).retryAfterMs).toBe(9000);
  });

  it("'try again in' / 'retry after' in the error text sets the wait of a rate limit or overload", () => {
    expect(failedWith("Rate limit reached. Please try again in 20s.").retryAfterMs).toBe(20_000);
    expect(failedWith("Overloaded; retry after 2 seconds").retryAfterMs).toBe(2000);
    expect(failedWith("Too Many Requests").retryAfterMs).toBeUndefined();
  });

  it("a decimal wait is read whole, and a sentence's full stop still ends it", () => {
    expect(failedWith("Rate limit reached. Please retry after 1.5 seconds.").retryAfterMs).toBe(1500);
    expect(failedWith("Rate limit reached. Please try again in 2.5s. Then continue.").retryAfterMs).toBe(2500);
    const now = new Date("2026-12-05T12:00:00Z");
    const o = classifyOutcome({ kind: "codex", exitCode: 1, output: "You've hit your usage limit. Try again in 1.5 hours.", now });
    expect(o.resetAt).toBe("2026-12-05T13:30:00.000Z");
  });

  it("other failures carry no wait even when their text names one", () => {
    const o = failedWith("Unauthorized: try again in 5 minutes");
    expect(o.class).toBe("auth");
    expect(o.retryAfterMs).toBeUndefined();
    expect(failedWith("tests failed; retry after 5 minutes").retryAfterMs).toBeUndefined();
  });

  it("a rejected rate_limit_event without resetsAt takes the reset from the error text", () => {
    const now = new Date("2026-07-10T05:00:00Z");
    const output = json({ type: "rate_limit_event", rate_limit_info: { status: "rejected" } }, claudeError({ result: "You've hit your limit · resets 6:26am (UTC)" }));
    expect(classifyOutcome({ kind: "claude", exitCode: 1, output, now })).toMatchObject({
      class: "usage-limit",
      resetAt: "2026-07-10T06:26:00.000Z",
      retryAfterMs: 86 * 60_000,
    });
  });

  it("an allowed rate_limit_event on a failed run is not a usage limit", () => {
    const output = json({ type: "rate_limit_event", rate_limit_info: { status: "allowed_warning", resetsAt: 1795300000 } }, claudeError({ subtype: "error_max_turns", result: "" }));
    expect(classifyOutcome({ kind: "claude", exitCode: 1, output }).class).toBe("failed");
  });

  it("a reset already past waits zero, not a negative time", () => {
    const now = new Date(1755000000 * 1000 + 60_000);
    expect(classifyOutcome({ kind: "claude", exitCode: 1, output: "Claude AI usage limit reached|1755000000", now }).retryAfterMs).toBe(0);
  });

  it("a usage limit without a readable reset time has no resetAt", () => {
    const o = failedWith("You've hit your usage limit");
    expect(o.class).toBe("usage-limit");
    expect(o.resetAt).toBeUndefined();
    expect(o.retryAfterMs).toBeUndefined();
  });
});

describe("exit codes and kills", () => {
  it("exit 127: the shell's 'not found' line is the summary, else a plain explanation", () => {
    expect(classifyOutcome({ kind: "custom", exitCode: 127, output: "starting\nsh: 1: my-agent: not found\nbye\n" }).summary).toBe("sh: 1: my-agent: not found");
    expect(classifyOutcome({ kind: "custom", exitCode: 127, output: "" }).summary).toBe("exit 127: command not found");
  });

  it("a failure without output says the exit code, or that the process was killed", () => {
    expect(classifyOutcome({ kind: "custom", exitCode: 3, output: "" })).toMatchObject({ class: "failed", summary: "exit 3" });
    expect(classifyOutcome({ kind: "custom", exitCode: null, output: "" })).toMatchObject({ class: "failed", summary: "exit unknown (killed?)" });
  });

  it("a timeout says why the agent was stopped, whatever its output", () => {
    const o = classifyOutcome({ kind: "codex", exitCode: 0, output: "429 Too Many Requests", timedOut: true });
    expect(o.class).toBe("timeout");
    expect(o.summary).toMatch(/time limit|silent/);
    expect(o.advice).toMatch(/--timeout/);
  });
});

describe("advice names what to do for this agent", () => {
  it.each([
    ["codex", "auth", "Unauthorized", /codex login/],
    ["claude", "auth", "Unauthorized", /claude auth login/],
    ["custom", "auth", "Unauthorized", /credentials/],
    ["codex", "not-installed", "sh: 1: codex: not found", /npm install -g @openai\/codex/],
    ["claude", "not-installed", "sh: 1: claude: not found", /npm install -g @anthropic-ai\/claude-code/],
    ["custom", "not-installed", "sh: 1: my-agent: not found", /--agent-cmd/],
    ["claude", "bad-flags", "error: unknown option '--x'", /claude version.*csess doctor/],
    ["codex", "usage-limit", "You've hit your usage limit", /reset time/],
    ["codex", "overloaded", "Service Unavailable", /overloaded/],
    ["codex", "rate-limited", "429", /requeued/],
  ] as const)("%s %s", (kind, cls, text, advice) => {
    const o = failedWith(text, kind);
    expect(o.class).toBe(cls);
    expect(o.advice).toMatch(advice);
  });

  it("success and plain failures carry no advice", () => {
    expect(classifyOutcome({ kind: "codex", exitCode: 0, output: "" }).advice).toBeUndefined();
    expect(failedWith("tests failed").advice).toBeUndefined();
  });

  it("for not-installed the advice never names another agent's package", () => {
    expect(failedWith("sh: 1: my-agent: not found", "custom").advice).not.toMatch(/npm install/);
    expect(failedWith("sh: 1: claude: not found", "claude").advice).not.toMatch(/openai/);
    expect(failedWith("Unauthorized", "claude").advice).not.toMatch(/codex/);
    expect(failedWith("Unauthorized", "custom").advice).not.toMatch(/codex|claude/);
  });
});
