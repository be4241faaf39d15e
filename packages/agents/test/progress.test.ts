import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { progressLine } from "../src/index.js";
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
