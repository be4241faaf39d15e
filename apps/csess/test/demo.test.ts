// The README's main job: `csess demo` runs the demo PRD with the REAL codex CLI (devDependency
// @openai/codex 0.169.0) — and with the real Claude Code CLI (@anthropic-ai/claude-code 2.1.329) — in
// real tmux sessions and real git worktrees, against the bundled scripted model server on 127.0.0.1
// (no API key, no network). GIT_CONFIG_GLOBAL=/dev/null: a fresh machine has no git identity.
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { CLI } from "./run-helpers.js";
import { removeTree } from "@csess/test-kit";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await removeTree(dir);
}, 120_000);

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [CLI, ...args], { cwd, env, maxBuffer: 64 << 20 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

describe.each(["codex", "claude"])("csess demo --agent %s (real CLI against the scripted model server)", (agent) => {
  it("verifies and merges honest tasks, catches the liar, requeues the 429 task and verifies it", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), `csess-demo-${agent}-`));
    dirs.push(dir);
    const result = await run(["demo", "--agent", agent, "--dir", dir, "--json"], dir, { ...process.env, CI: "true", GIT_CONFIG_GLOBAL: "/dev/null" });
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout.trim().split("\n").at(-1)!) as {
      tasks: Array<{ id: string; title: string; verdict: string; checked: boolean; commits: string[]; iterations: number; attempts: number; rateLimits: number; evidence: string | null }>;
    };
    const byTitle = Object.fromEntries(report.tasks.map((t) => [t.title, t]));
    const liar = byTitle["Write a usage section in the README"]!;
    expect(liar).toMatchObject({ verdict: "claimed-unverified", checked: false, commits: [], iterations: 2 });
    const limited = byTitle["Add a smoke test script"]!;
    expect(limited).toMatchObject({ verdict: "verified", checked: true, iterations: 1, evidence: "trailer" });
    expect(limited.rateLimits).toBeGreaterThanOrEqual(1);
    expect(limited.attempts).toBe(limited.rateLimits + 1);
    const honest = report.tasks.filter((t) => t !== liar);
    expect(honest.map((t) => t.verdict)).toEqual(honest.map(() => "verified"));
    for (const t of honest) expect(t.commits).toHaveLength(1);

    // The real PRD: honest boxes ticked, the liar's not; the merges carry the trailer.
    const repo = path.join(dir, "greet");
    const prd = readFileSync(path.join(repo, "PRD.md"), "utf8");
    expect(prd).toContain("- [ ] Write a usage section in the README");
    expect(prd).toContain("- [x] Add a smoke test script");
    const saved = JSON.parse(readFileSync(path.join(repo, ".git", "csess", "runs", (report as unknown as { runId: string }).runId, "report.json"), "utf8"));
    expect(saved.tasks.map((t: { verdict: string }) => t.verdict)).toEqual(report.tasks.map((t) => t.verdict));

    // Tokens and cost as each real CLI reported them to csess (the scripted server reports usage):
    // both state tokens; only claude states a cost, codex's stays "unknown" — in report.json, the
    // terminal table and report.html alike.
    type Usage = { tokens: { value: number | null }; costUsd: { value: number | null } };
    const usage = (report as unknown as { usage: Usage; tasks: Array<{ usage: Usage }> });
    for (const t of usage.tasks) expect(t.usage.tokens.value).toBeGreaterThan(0);
    expect(usage.usage.tokens.value).toBeGreaterThan(0);
    const table = await run(["report"], repo);
    const html = readFileSync(path.join(repo, ".git", "csess", "runs", saved.runId, "report.html"), "utf8");
    if (agent === "claude") {
      for (const t of usage.tasks) expect(t.usage.costUsd.value).toBeGreaterThan(0);
      expect(table.stdout).toMatch(/cost \$\d+\.\d{4}/);
      expect(html).toMatch(/<dd>\$\d+\.\d{4}<\/dd>/);
    } else {
      expect(usage.usage.costUsd.value).toBeNull();
      expect(table.stdout).toMatch(/tokens ≥?[\d.]+k?, cost unknown/);
      expect(html).toMatch(/<dt>Cost<\/dt><dd>unknown<\/dd>/);
    }
  }, 240_000);
});
