import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parsePrd } from "@csess/prd";
import { main } from "../src/cli.js";

let root: string;
const git = (...args: string[]) =>
  execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
function commit(message: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) writeFileSync(join(root, path), content);
  git("add", "--", ...Object.keys(files));
  git("commit", "-q", "-m", message);
}

/** Runs the real CLI in-process and captures what it prints and its exit code. */
async function csess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string) => ((stdout += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
  try {
    const code = await main(["node", "csess", ...args]);
    return { code, stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = undefined;
  }
}

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "csess-verify-cli-")));
  git("init", "-q", "-b", "main");
  git("config", "user.name", "Test Author");
  git("config", "user.email", "author@example.com");
  git("config", "commit.gpgsign", "false");
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Positions where two strings differ (same length expected). */
function differences(before: string, after: string): Array<[number, string, string]> {
  expect(after.length).toBe(before.length);
  return [...before].flatMap((ch, i) => (ch === after[i] ? [] : [[i, ch, after[i]!] as [number, string, string]]));
}

describe("csess verify", () => {
  it("acceptance: 4 ticked tasks, 2 with commits -> 2 verified + 2 claimed-unverified; --fix unticks exactly those 2", async () => {
    const prd = "# Plan\n\n- [x] Create the login API endpoint\n- [x] Add a logout button\n- [x] Write the README\n- [x] Set up CI\n";
    commit("init", { "PRD.md": prd.replace(/\[x\]/g, "[ ]") });
    const [login, , readme, ci] = parsePrd(prd).tasks;
    commit("feat: add login endpoint", { "login.ts": "export const login = 1;\n" });
    commit(`Logout in the header\n\nCsess-Task: ${parsePrd(prd).tasks[1]!.id}`, { "header.ts": "logout\n" });
    commit("Mark all tasks complete", { "PRD.md": prd });
    const prdPath = join(root, "PRD.md");

    const check = await csess("verify", prdPath, "--json");
    expect(check.code).toBe(1);
    const report = JSON.parse(check.stdout) as { tasks: Array<{ id: string; verdict: string; checked: boolean; commits: string[]; evidence: string | null; iterations: null }> };
    expect(report.tasks.map((t) => t.verdict)).toEqual(["verified", "verified", "claimed-unverified", "claimed-unverified"]);
    expect(report.tasks[0]).toMatchObject({ id: login!.id, checked: true, evidence: "message", iterations: null, commits: [expect.stringMatching(/^[0-9a-f]{40}$/)] });
    expect(report.tasks[1]).toMatchObject({ evidence: "trailer" });
    expect(report.tasks[2]).toMatchObject({ id: readme!.id, commits: [], evidence: null });

    const fixed = await csess("verify", prdPath, "--fix");
    expect(fixed.code).toBe(0);
    const after = readFileSync(prdPath, "utf8");
    const changed = differences(prd, after);
    expect(changed.map(([, from, to]) => [from, to])).toEqual([["x", " "], ["x", " "]]);
    expect(changed.map(([i]) => prd.slice(0, i).split("\n").length)).toEqual([readme!.line, ci!.line]);
    expect(fixed.stdout).toContain(`line ${readme!.line}: unticked "Write the README"`);
    expect(fixed.stdout).toContain(`line ${ci!.line}: unticked "Set up CI"`);

    const again = await csess("verify", prdPath, "--json");
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout).tasks.map((t: { verdict: string }) => t.verdict)).toEqual(["verified", "verified", "pending", "pending"]);
  });

  it("--fix on a CRLF PRD with a BOM changes only the checkbox characters, and ticks strong evidence only", async () => {
    const prd = "\uFEFF# Plan\r\n\r\n* [X] Ship the parser\r\n* [ ] Support refresh tokens\r\n* [ ] Add rate limiting to the login endpoint\r\n  with a nested line\r\n";
    commit("init", { "PRD.md": prd, "a.txt": "a\n" });
    const tasks = parsePrd(prd).tasks;
    commit(`Token rotation\n\nCsess-Task: ${tasks[1]!.id}`, { "tokens.ts": "t\n" });
    commit("feat: rate limit login endpoint", { "limit.ts": "l\n" });

    const result = await csess("verify", join(root, "PRD.md"), "--fix", "--json");
    const after = readFileSync(join(root, "PRD.md"), "utf8");
    expect(differences(prd, after).map(([, from, to]) => [from, to])).toEqual([["X", " "], [" ", "x"]]);
    expect(after.startsWith("\uFEFF")).toBe(true);
    const report = JSON.parse(result.stdout);
    expect(report.fixed.map((f: { checked: boolean }) => f.checked)).toEqual([false, true]);
    // Weak (message-only) evidence is reported with its score but never ticked automatically.
    expect(report.tasks[2]).toMatchObject({ verdict: "done-unclaimed", evidence: "message", checked: false });
    expect(report.tasks[2].score).toBeGreaterThanOrEqual(0.6);
  });

  it("prints a table, the uncommitted changes, and a hint; --md prints a markdown table", async () => {
    commit("init", { "PRD.md": "- [x] Write the README\n- [ ] Add an admin page\n", "notes.txt": "n\n" });
    writeFileSync(join(root, "notes.txt"), "n\nedited\n");
    writeFileSync(join(root, "scratch.txt"), "s\n");

    const text = await csess("verify", join(root, "PRD.md"));
    expect(text.code).toBe(1);
    expect(text.stdout).toMatch(/^VERDICT\s+ID\s+TASK\s+COMMITS\s+\+\/-\s+REASON$/m);
    expect(text.stdout).toMatch(/^claimed-unverified\s+\w{6}\s+Write the README\s+-\s+ticked, but no commit shows this work$/m);
    expect(text.stdout).toMatch(/^pending\s+\w{6}\s+Add an admin page/m);
    expect(text.stdout).toContain("1 claimed-unverified, 1 pending");
    expect(text.stdout).toContain("--fix` unticks them");
    expect(text.stdout).toContain("notes.txt | 1 +");
    expect(text.stdout).toContain("untracked: scratch.txt");

    const md = await csess("verify", join(root, "PRD.md"), "--md");
    expect(md.stdout).toContain("| Verdict | Task | Commits | +/− | Reason |");
    expect(md.stdout).toContain("| `claimed-unverified` | Write the README | — |  | ticked, but no commit shows this work |");
  });

  it("reports uncommitted changes in --json", async () => {
    commit("init", { "PRD.md": "- [ ] A task\n", "x.txt": "x\n" });
    writeFileSync(join(root, "x.txt"), "changed\n");
    const { code, stdout } = await csess("verify", join(root, "PRD.md"), "--json");
    expect(code).toBe(0);
    expect(JSON.parse(stdout).uncommitted).toMatchObject({ clean: false, modified: ["x.txt"], untracked: [] });
  });

  it("exits 2 with one line for a PRD outside a git repository, a bad --since, or --json with --md", async () => {
    const outside = realpathSync(mkdtempSync(join(tmpdir(), "csess-no-repo-")));
    try {
      writeFileSync(join(outside, "PRD.md"), "- [x] A\n");
      const noRepo = await csess("verify", join(outside, "PRD.md"));
      expect(noRepo.code).toBe(2);
      expect(noRepo.stderr).toMatch(/^csess: .* is not inside a git repository .*\n$/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
    commit("init", { "PRD.md": "- [ ] A\n" });
    const since = await csess("verify", join(root, "PRD.md"), "--since", "v9.9");
    expect(since).toMatchObject({ code: 2, stdout: "" });
    expect(since.stderr).toMatch(/^csess: --since v9\.9 is not a commit/);
    expect((await csess("verify", join(root, "PRD.md"), "--json", "--md")).code).toBe(2);
  });

  it("says in --help what the exit codes mean", async () => {
    const help = await csess("verify", "--help");
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/1 when a task is ticked without evidence/);
  });
});
