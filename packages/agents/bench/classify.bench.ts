import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { bench, describe } from "vitest";
import { classifyOutcome, type AgentKind } from "../src/index.js";

const dir = resolve(import.meta.dirname, "../../../fixtures/agent-outputs");
const load = (name: string) => JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8")) as { kind: AgentKind; exitCode: number; output: string };
const codex = load("codex-honest");
const claude = load("claude-honest");
// A long run: the honest codex log repeated to ~1 MB, the size of a long agent session's log.
const big = { ...codex, output: codex.output.repeat(Math.ceil(1_000_000 / codex.output.length)) };

describe("classifyOutcome", () => {
  bench(`codex honest log (${codex.output.length} B)`, () => void classifyOutcome(codex));
  bench(`claude honest log (${claude.output.length} B)`, () => void classifyOutcome(claude));
  bench(`codex log of ${(big.output.length / 1e6).toFixed(1)} MB`, () => void classifyOutcome(big));
});
