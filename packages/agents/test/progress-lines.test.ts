import { describe, expect, it } from "vitest";
import { lastMeaningfulLine, meaningfulLine, progressLine } from "../src/index.js";

// The live view and the report show one line per agent: what it last did or said. Each event kind of
// codex --json and claude stream-json has its readable form.
const ev = (e: Record<string, unknown>) => JSON.stringify(e);

describe("progressLine: one readable line per event", () => {
  it.each([
    ["codex command, unwrapped from bash -lc", { type: "item.started", item: { type: "command_execution", command: '/bin/bash -lc "git commit -m \\"add \\$x\\" && echo \\\\ done"' } }, '$ git commit -m "add $x" && echo \\ done'],
    ["codex command run by sh -c", { type: "item.started", item: { type: "command_execution", command: '/bin/sh -c "ls  -la"' } }, "$ ls -la"],
    ["codex command that is not wrapped", { type: "item.started", item: { type: "command_execution", command: "rg -n  TODO" } }, "$ rg -n TODO"],
    ["codex command with text after the wrapper's closing quote", { type: "item.started", item: { type: "command_execution", command: '/bin/bash -lc "ls" extra' } }, '$ /bin/bash -lc "ls" extra'],
    ["codex command not at the start", { type: "item.started", item: { type: "command_execution", command: 'env X=1 /bin/bash -lc "ls"' } }, '$ env X=1 /bin/bash -lc "ls"'],
    ["codex command run by /usr/bin/zsh -c is left as it is", { type: "item.started", item: { type: "command_execution", command: '/usr/bin/zsh -c "ls"' } }, '$ /usr/bin/zsh -c "ls"'],
    ["codex agent message", { type: "item.completed", item: { type: "agent_message", text: "  All\n done  " } }, "All done"],
    ["codex error item", { type: "item.completed", item: { type: "error", message: "model  metadata missing" } }, "error: model metadata missing"],
    ["codex item of another type", { type: "item.started", item: { type: "reasoning", text: "thinking" } }, "reasoning"],
    ["codex command item without a command", { type: "item.started", item: { type: "command_execution" } }, "command_execution"],
    ["codex turn completed", { type: "turn.completed", usage: {} }, "turn completed"],
    ["codex error event", { type: "error", message: "Reconnecting...\n2/5" }, "error: Reconnecting... 2/5"],
    ["codex turn failed", { type: "turn.failed", error: { message: "exceeded retry limit" } }, "failed: exceeded retry limit"],
    ["claude text", { type: "assistant", message: { content: [{ type: "tool_use", name: "Read" }, { type: "text", text: "Now  the tests" }] } }, "Now the tests"],
    ["claude Bash tool", { type: "assistant", message: { content: [{ type: "tool_use", name: "Bash", input: { command: "pnpm  test" } }] } }, "$ pnpm test"],
    ["claude other tool", { type: "assistant", message: { content: [{ type: "tool_use", name: "Edit", input: { file_path: "a.ts" } }] } }, "Edit …"],
    ["claude tool without a name", { type: "assistant", message: { content: [{ type: "tool_use" }] } }, "tool …"],
    ["claude tool result", { type: "user", message: { content: [] } }, "tool result"],
    ["claude user event with text content", { type: "user", message: { content: [{ type: "text", text: "the prompt" }] } }, "tool result"],
    ["claude final result", { type: "result", subtype: "success", result: "Done:\n3 files" }, "Done: 3 files"],
    ["claude system event", { type: "system", subtype: "init" }, "init"],
    ["claude system event without subtype", { type: "system" }, "system"],
    ["an unknown event", { type: "stream_event" }, "stream_event"],
    ["an event without a type", { id: 1 }, "event"],
  ])("%s", (_, event, shown) => {
    expect(progressLine(ev(event))).toBe(shown);
  });

  it("a result event without text, or assistant content that is neither text nor tool, shows the event type", () => {
    expect(progressLine(ev({ type: "result", subtype: "error_max_turns" }))).toBe("result");
    expect(progressLine(ev({ type: "assistant", message: { content: [{ type: "thinking", thinking: "hm" }] } }))).toBe("assistant");
  });

  it("a JSON array or a quoted string is shown as written", () => {
    expect(progressLine("[1, 2]")).toBe("[1, 2]");
    expect(progressLine(' "quoted" ')).toBe('"quoted"');
  });
});

describe("meaningfulLine: content only", () => {
  it("keeps commands, messages and results", () => {
    expect(meaningfulLine(ev({ type: "item.started", item: { type: "command_execution", command: "ls" } }))).toBe("$ ls");
    expect(meaningfulLine(ev({ type: "result", result: "done" }))).toBe("done");
    expect(meaningfulLine(ev({ type: "error", message: "stream error" }))).toBe("error: stream error");
    expect(meaningfulLine("plain output")).toBe("plain output");
  });

  it("skips step events, warnings, stdin notices, codex error items and events that show only their type", () => {
    for (const type of ["turn.completed", "turn.started", "thread.started", "user", "system", "rate_limit_event"]) {
      expect(meaningfulLine(ev({ type, subtype: "init", message: { content: [] } })), type).toBeUndefined();
    }
    expect(meaningfulLine(ev({ type: "item.completed", item: { type: "error", message: "metadata missing" } }))).toBeUndefined();
    expect(meaningfulLine(ev({ type: "item.started", item: { type: "reasoning" } }))).toBeUndefined();
    expect(meaningfulLine(ev({ type: "stream_event" }))).toBeUndefined();
    expect(meaningfulLine(ev({ type: "assistant", message: { content: [] } }))).toBeUndefined();
    for (const noise of ["WARNING: proceeding", "WARN low memory", "warning: x", "Reading prompt from stdin...", "Reading additional input from stdin"]) {
      expect(meaningfulLine(noise), noise).toBeUndefined();
    }
    expect(meaningfulLine("WARNINGS are fine here")).toBe("WARNINGS are fine here");
    // Only at the start of a line: the agent's own words that mention them are kept.
    expect(meaningfulLine("tests passed with 1 warning: unused variable")).toBe("tests passed with 1 warning: unused variable");
    expect(meaningfulLine("note: Reading prompt from stdin is not needed here")).toBe("note: Reading prompt from stdin is not needed here");
    expect(meaningfulLine("   ")).toBeUndefined();
  });

  it("lastMeaningfulLine reads from the end", () => {
    expect(lastMeaningfulLine(["first", ev({ type: "turn.started" }), "  "])).toBe("first");
    expect(lastMeaningfulLine(["first", "second"])).toBe("second");
  });
});
