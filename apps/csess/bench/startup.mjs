// @ts-check
// Start-up of the built CLI, each command beside its floor measured in turns with it in this run:
// `csess --help` and `csess status` against `node -e 0`; `csess tasks` on a 10,000-task PRD against
// `node -e 0` + 150 ms; `csess verify` on 1,000 tasks × 10,000 commits against one `git log --numstat`.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { median, timeInTurns } from "../../../scripts/bench-kit.mjs";
import { buildFixture } from "../../../packages/verify/bench/fixture.mjs";
import { realistic } from "../../../packages/prd/bench/inputs.mjs";
import { CLI } from "./lib.mjs";

const node = (/** @type {string[]} */ ...args) => ({ file: process.execPath, args });

/**
 * Measures and reports the start-up figures.
 * @param {ReturnType<typeof import("../../../scripts/bench-kit.mjs").benchReport>} report
 * @param {{ runs?: number }} [options]
 */
export async function startup(report, options = {}) {
  const runs = options.runs ?? 15;
  const dir = mkdtempSync(path.join(os.tmpdir(), "csess-startup-bench-"));
  // `csess status` reads a tmux socket and a csess home: private ones, so nothing else is listed.
  const env = { ...process.env, CSESS_HOME: path.join(dir, "home"), CSESS_TMUX_SOCKET: path.join(dir, "tmux.sock") };
  const prd = path.join(dir, "PRD.md");
  writeFileSync(prd, realistic(10_000));
  try {
    const t = timeInTurns({
      bare: node("-e", "0"),
      help: node(CLI, "--help"),
      tasks: { ...node(CLI, "tasks", prd), env },
      status: { ...node(CLI, "status"), cwd: dir, env },
    }, runs);
    const floor = { label: "node -e 0", value: median(t.bare) };
    const note = `median of ${runs} runs in turns`;
    report.figure({ name: "csess --help", unit: "ms", measured: median(t.help), floor, goal: { ratio: 1.5 }, note });
    report.figure({ name: "csess tasks, 10,000-task PRD", unit: "ms", measured: median(t.tasks), floor, goal: { ratio: 1.5, plus: 150 }, note });
    report.figure({ name: "csess status (no runs, no sessions)", unit: "ms", measured: median(t.status), floor, note: `${note}; no goal of its own` });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const fixture = buildFixture(1000, 10_000);
  try {
    const v = timeInTurns({
      log: { file: "git", args: ["log", "--numstat", "HEAD", "--"], cwd: fixture.root },
      // Exit 1: the fixture's PRD has ticked tasks without evidence, as a real one does.
      verify: { ...node(CLI, "verify", "PRD.md", "--json"), cwd: fixture.root, okCodes: [0, 1] },
    }, Math.max(3, Math.round(runs / 3)));
    report.figure({
      name: "csess verify, 1,000 tasks × 10,000 commits (whole command)", unit: "ms", measured: median(v.verify),
      floor: { label: "one git log --numstat", value: median(v.log) }, goal: { ratio: 1.6 }, note: "median of runs in turns",
    });
  } finally {
    rmSync(fixture.root, { recursive: true, force: true });
  }
}
