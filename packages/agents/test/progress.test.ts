import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lastMeaningfulLine, progressLine } from "../src/index.js";
import { OUTPUTS_DIR } from "./helpers.js";

function lines(name: string): string[] {
  const { output } = JSON.parse(readFileSync(join(OUTPUTS_DIR, name), "utf8")) as { output: string };
  return output.split("\n").filter((l) => l.trim() !== "");
}

describe("progressLine (live view of an agent's latest output)", () => {
  it("shows codex's commands as typed and its final message, from captured real output", () => {
    const shown = lines("codex-honest.json").map(progressLine);
    expect(shown).toContain("$ git add -A && git commit -q -m 'Add a greeting' -m 'Csess-Task: add-a-greeting'");
    expect(shown.some((l) => l.startsWith("Task add-a-greeting done:"))).toBe(true);
    expect(shown.every((l) => !l.startsWith("{"))).toBe(true);
  });

  it("shows claude's Bash commands and its final text, from captured real output", () => {
    const shown = lines("claude-honest.json").map(progressLine);
    expect(shown).toContain("$ git add -A && git commit -q -m 'Add a greeting' -m 'Csess-Task: add-a-greeting'");
    expect(shown.some((l) => l.startsWith("Task add-a-greeting done:"))).toBe(true);
    expect(shown.every((l) => !l.startsWith("{"))).toBe(true);
  });

  it("keeps plain text and broken JSON as they are", () => {
    expect(progressLine("  compiling 3 files  ")).toBe("compiling 3 files");
    expect(progressLine("{not json")).toBe("{not json");
    expect(progressLine('{"type":"turn.started"}')).toBe("turn.started");
  });
});

describe("lastMeaningfulLine (what the agent last said, for the live view and the report)", () => {
  it("skips codex's WARNING line, event names and non-fatal error items in captured real output", () => {
    const all = lines("codex-honest.json");
    expect(lastMeaningfulLine(all)).toMatch(/^Task add-a-greeting done:/);
    // Cut just after the start: only the warning, thread.started, the metadata notice and turn.started.
    const start = all.slice(0, all.findIndex((l) => l.includes('"command_execution"')));
    expect(start.length).toBeGreaterThanOrEqual(3);
    expect(lastMeaningfulLine(start)).toBeUndefined();
    const firstCommand = all.slice(0, all.findIndex((l) => l.includes('"command_execution"')) + 1);
    expect(lastMeaningfulLine(firstCommand)).toMatch(/^\$ mkdir -p csess-work/);
  }, 10_000);

  it("keeps codex's fatal error, not the warning before it", () => {
    expect(lastMeaningfulLine(lines("codex-rate-limit.json"))).toMatch(/429/);
  }, 10_000);

  it("skips claude's init, tool results and rate-limit events", () => {
    const all = lines("claude-honest.json");
    const upToFirstResult = all.slice(0, all.findIndex((l) => l.startsWith('{"type":"user"')) + 1);
    expect(lastMeaningfulLine(upToFirstResult)).toMatch(/^\$ mkdir -p csess-work/);
    expect(lastMeaningfulLine(all.slice(0, 1))).toBeUndefined(); // system init only
  }, 10_000);

  it("keeps plain text agents' lines and skips blank ones", () => {
    expect(lastMeaningfulLine(["compiling", "  ", "WARNING: low disk"])).toBe("compiling");
    expect(lastMeaningfulLine([])).toBeUndefined();
  }, 10_000);
});
