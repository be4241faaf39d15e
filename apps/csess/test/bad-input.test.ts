// Bad-input suite (issue #8): malformed and hostile inputs against the built CLI, run as a child process
// with real git (temp repos) and real tmux (private socket). Every input gets either a clear one-line
// error (`csess: ...`, exit 2) or safe handling, and no file is changed: each case compares a snapshot
// of the checkout (hash of every file, `.csess` included for errors, git status, refs, worktrees, index)
// before and after.
//
// | #  | input                                                        | outcome                                                              |
// |----|--------------------------------------------------------------|----------------------------------------------------------------------|
// | 1  | empty PRD file                                               | safe: exit 0 "Nothing to do: ... has no tasks"                        |
// | 2  | PRD with only checked tasks                                  | safe: exit 0 "Nothing to do: all 2 tasks ... are checked"             |
// | 3  | tasks only inside code fences                                | safe: exit 0 "no tasks" (fenced items are not tasks)                  |
// | 4  | binary file (NUL bytes) as PRD (run, tasks)                  | exit 2 "looks like a binary file"                                     |
// | 5  | 50 MB PRD (generated)                                        | exit 2 "is 50.0 MiB; expected ... under 4.0 MiB" (was: OOM after 5 min)|
// | 6  | invalid UTF-8 PRD (run, tasks)                               | exit 2 "is not valid UTF-8 (first bad byte at offset N, line L)"      |
// | 7  | /dev/zero as PRD                                             | exit 2 "not a regular file" (was: read forever)                       |
// | 8  | a directory as PRD                                           | exit 2 "it is a directory, expected a markdown file such as .../PRD.md"|
// | 9  | a PRD that does not exist                                    | exit 2 "cannot read PRD ...: no such file"                            |
// | 10 | a task id that does not exist: "(after: zzzzzz)"             | exit 2 "has "(after: zzzzzz)", but no task has that id or title"      |
// | 11 | a dependency cycle between two tasks                         | exit 2 "dependency cycle: a -> b -> a. ... Expected: ..." (was: 2 lines)|
// | 12 | run/report/resume/stop with a run id that does not exist     | exit 2 "unknown run ...; known runs: ..." / "no csess runs in ..."    |
// | 13 | logs/kill/attach with a session name that does not exist     | exit 2 "unknown session ..."                                          |
// | 14 | a PRD outside the repository (plain folder; symlink to it)   | exit 2 "the PRD ... is in ..., which is not inside a git repository"  |
// | 15 | a non-git directory                                          | exit 2 "... is not inside a git repository"                           |
// | 16 | a repository without commits                                 | exit 2 "has no commits yet"                                           |
// | 17 | a detached HEAD                                              | exit 2 "has a detached HEAD ... e.g. `git switch main`, or --into"    |
// | 18 | a PRD that is not committed                                  | exit 2 "is not committed ... git add PRD.md && git commit"            |
// | 19 | missing agent binary: codex not on PATH; --agent-cmd missing | exit 2 "codex not found on PATH" / "--agent-cmd: ... was not found" (custom was: every task failed, exit 1) |
// | 20 | an agent that rejects its flags (codex's clap error, exit 2) | safe: run stops starting work, exit 1, "csess: stopped: error: unexpected argument ..."; one start; checkout and refs unchanged (was: an empty task branch + worktree left per run) |
// | 21 | task text with $(rm -rf ~), $(touch pwned), backticks, quotes, newlines | safe: nothing executed (canary in HOME kept, no pwned file), the agent gets the text byte-exact (prompt file = stdin, CSESS_TASK_TITLE) |
// | 22 | a session name with ":" and "." (csess exec --name)           | safe: made tmux-safe ("build-v1-2"), said so; logs/kill/attach accept the name as typed |
// | 23 | a socket path in a directory owned by another user (exec, run)| exit 2 "belongs to user id ..., not to you" (run: before any worktree; was: every task failed) |
// | 24 | a dead tmux server (killed -9, stale socket left)            | safe: status says dead, its command is stopped, logs still readable, kill says already dead, exec starts a new server |
// | 25 | a PRD that is a symlink inside the repository                | safe: the target is ticked, the link stays a link                     |
// | 26 | unknown config key / invalid JSON / wrong value type         | exit 2 "unknown setting "paralel" (did you mean "parallel"?)" / "is not valid JSON (...)" (was: a multi-line code frame) / "invalid value" |
// | 27 | bad flag values: --parallel 0, --stagger -1, --parallel abc, --max-iterations 1.5, --timeout 0, --agent gpt, --agent custom without --agent-cmd, report --json --md; unknown option, missing value, unknown command | exit 2 "--flag: expected ... e.g. ...; received ..." / "csess: unknown option '--paralel' (Did you mean --parallel?)" (was: commander's 3-line "error: ...") |
// | 28 | unknown run id next to real runs; a corrupt or empty journal| exit 2 "unknown run ...; known runs: <id>" / "events.jsonl:2: corrupt journal line (...)" / "not a csess run journal" (was: stack trace) |
// | 29 | git does not know who commits (no name or email)             | exit 2 "git cannot say who commits in ... (empty ident name ...); ... git config --global user.name" before any worktree or session (was: every task's landing failed after its agent worked) |
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  commitAll, customAgentArgs, FAKE_AGENT, journal, makeRunSandbox, repoSnapshot, taskIds, waitUntil, type CliResult, type RunSandbox,
} from "./run-helpers.js";
import { alive } from "@csess/test-kit";

const BAD_FLAGS_AGENT = FAKE_AGENT.replace(/scripted-agent\.sh$/, "bad-flags-agent.sh");

/** One line on stderr, `csess: ` first, exit 2, matching `message`. */
function expectUsageError(r: CliResult, message: RegExp): void {
  expect(r.code, `${r.stdout}${r.stderr}`).toBe(2);
  expect(r.stderr).toMatch(/^csess: [^\n]+\n$/);
  expect(r.stderr).toMatch(message);
}

// Each case starts the CLI a few times; on a loaded 2-core machine that takes seconds, not milliseconds.
describe("bad input: one-line errors, nothing changed", { timeout: 60_000 }, () => {
  let s: RunSandbox;
  beforeAll(async () => {
    s = makeRunSandbox("# P\n\n- [ ] Add the first file\n", {
      "empty.md": "",
      "checked.md": "# Done\n\n- [x] one\n- [X] two\n",
      "fenced.md": "# Only examples\n\n```markdown\n- [ ] not a task\n```\n\n~~~\n* [ ] nor this\n~~~\n\n    - [ ] indented code\n",
      "binary.md": "- [ ] a task\n\u0000\u0001\u0002 binary\n",
      "after.md": "# P\n\n- [ ] Build it (after: zzzzzz)\n",
      "cycle.md": "# P\n\n- [ ] Task A (after: Task B)\n- [ ] Task B (after: Task A)\n",
      "docs/README.md": "docs\n",
    });
    writeFileSync(path.join(s.repo, "latin1.md"), Buffer.from("# Caf\xe9\n\n- [ ] Caf\xe9 au lait\n", "latin1"));
    await commitAll(s);
    writeFileSync(path.join(s.repo, "draft.md"), "- [ ] not committed yet\n");
    mkdirSync(path.join(s.dir, "outside"));
    writeFileSync(path.join(s.dir, "outside", "PRD.md"), "- [ ] outside\n");
    symlinkSync(path.join(s.dir, "outside", "PRD.md"), path.join(s.repo, "outside-link.md"));
  });
  afterAll(async () => s.cleanup());

  /** Runs csess, expecting exit 2 with `message`, and checks that nothing in the checkout changed. */
  async function refused(args: string[], message: RegExp, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<void> {
    const before = await repoSnapshot(s, { withCsess: true });
    expectUsageError(await s.csess(args, options), message);
    expect(await repoSnapshot(s, { withCsess: true })).toEqual(before);
  }

  async function nothingToDo(prd: string, message: RegExp): Promise<void> {
    const before = await repoSnapshot(s, { withCsess: true });
    const r = await s.csess(["run", prd, ...customAgentArgs()]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(message);
    expect(s.starts()).toEqual([]);
    expect(await repoSnapshot(s, { withCsess: true })).toEqual(before);
  }

  it("1. an empty PRD: nothing to do", () => nothingToDo("empty.md", /^Nothing to do: empty\.md has no tasks \(expected GitHub task items such as "- \[ \] /));
  it("2. only checked tasks: nothing to do", () => nothingToDo("checked.md", /^Nothing to do: all 2 tasks in checked\.md are checked/));
  it("3. tasks only inside code fences: nothing to do", () => nothingToDo("fenced.md", /^Nothing to do: fenced\.md has no tasks/));

  it("4. a binary file", async () => {
    await refused(["run", "binary.md", ...customAgentArgs()], /^csess: binary\.md looks like a binary file \(it contains NUL bytes\); expected a markdown PRD/);
    await refused(["tasks", "binary.md"], /looks like a binary file/);
  });

  it("5. a 50 MB PRD", async () => {
    // Generated, never committed, and only for this case: every other case hashes the whole checkout twice.
    const line = "- [ ] A generated task with enough words to make a long line of text\n";
    const huge = path.join(s.repo, "huge.md");
    writeFileSync(huge, line.repeat(Math.ceil((50 * 1024 * 1024) / line.length)));
    try {
      await refused(["run", "huge.md", ...customAgentArgs()], /^csess: PRD huge\.md is 50\.0 MiB; expected a markdown checklist under 4\.0 MiB .*split it/);
      await refused(["verify", "huge.md"], /is 50\.0 MiB/);
    } finally {
      rmSync(huge);
    }
  });

  it("6. invalid UTF-8", async () => {
    await refused(["run", "latin1.md", ...customAgentArgs()], /^csess: latin1\.md is not valid UTF-8 \(first bad byte at offset 5, line 1\); expected a UTF-8 markdown file, e\.g\. convert it with: iconv/);
    await refused(["tasks", "latin1.md"], /not valid UTF-8/);
  });

  it("7. a device as PRD", () => refused(["run", "/dev/zero", ...customAgentArgs()], /^csess: cannot read PRD \/dev\/zero: it is not a regular file/));
  it("8. a directory as PRD", () => refused(["run", "docs", ...customAgentArgs()], /^csess: cannot read PRD docs: it is a directory, expected a markdown file such as docs\/PRD\.md/));
  it("9. a PRD that does not exist", () => refused(["run", "nope.md", ...customAgentArgs()], /^csess: cannot read PRD nope\.md: no such file/));

  it("10. a task id that does not exist", () =>
    refused(["run", "after.md", ...customAgentArgs()], /has "\(after: zzzzzz\)", but no task has that id or title\. Expected task ids or exact titles/));
  it("11. a dependency cycle", () =>
    refused(["run", "cycle.md", "--dry-run", ...customAgentArgs()], /^csess: dependency cycle: [0-9a-z]{6} -> [0-9a-z]{6} -> [0-9a-z]{6}\. .* Expected: dependencies that lead back to no task/));

  it("12. run ids that do not exist", async () => {
    for (const command of ["report", "resume", "stop"]) {
      await refused([command, "0000-0000-zzz"], /^csess: no csess runs in .* start one with: csess run PRD\.md/);
    }
  });

  it("13. session names that do not exist", async () => {
    for (const command of ["logs", "kill", "attach"]) await refused([command, "no-such-session"], /^csess: unknown session "no-such-session"/);
  });

  it("14. a PRD outside the repository", async () => {
    const outside = path.join(s.dir, "outside", "PRD.md");
    await refused(["run", outside, ...customAgentArgs()], /^csess: the PRD .*outside\/PRD\.md is in .*outside, which is not inside a git repository; expected a PRD committed/);
    await refused(["run", "outside-link.md", ...customAgentArgs()], /which is not inside a git repository/);
  });

  it("15. a directory that is not a git repository", () =>
    refused(["run", ...customAgentArgs()], /^csess: the PRD PRD\.md is in .*outside, which is not inside a git repository/, { cwd: path.join(s.dir, "outside") }));

  it("16. a repository without commits", async () => {
    const fresh = path.join(s.dir, "fresh");
    mkdirSync(fresh);
    execFileSync("git", ["init", "-q", "-b", "main"], { cwd: fresh });
    writeFileSync(path.join(fresh, "PRD.md"), "- [ ] a\n");
    await refused(["run", ...customAgentArgs()], /^csess: .*fresh has no commits yet \(expected at least one, e\.g\. `git commit --allow-empty -m init`\)/, { cwd: fresh });
  });

  it("17. a detached HEAD", async () => {
    await s.git("checkout", "-q", "--detach");
    try {
      await refused(["run", ...customAgentArgs()], /^csess: .* has a detached HEAD at [0-9a-f]{12} \(expected a checked-out branch to merge into, e\.g\. `git switch main`, or pass --into BRANCH\)/);
    } finally {
      await s.git("checkout", "-q", "main");
    }
  });

  it("18. a PRD that is not committed", () =>
    refused(["run", "draft.md", ...customAgentArgs()], /^csess: draft\.md is not committed; .*git add draft\.md && git commit/));

  it("19. a missing agent binary", async () => {
    // PATH with git and sh only: no codex, no claude.
    const bin = path.join(s.dir, "bin");
    mkdirSync(bin, { recursive: true });
    for (const tool of ["git", "sh"]) {
      if (!existsSync(path.join(bin, tool))) symlinkSync(execFileSync("sh", ["-c", `command -v ${tool}`]).toString().trim(), path.join(bin, tool));
    }
    await refused(["run", "--agent", "codex", "--no-notes"], /^csess: codex: codex not found on PATH; install it with `npm install -g @openai\/codex`/, { env: { PATH: bin } });
    await refused(["run", "--agent", "claude", "--no-notes"], /^csess: claude: claude not found on PATH/, { env: { PATH: bin } });
    await refused(["run", "--agent", "custom", "--agent-cmd", "/no/such/agent --yes"], /^csess: --agent-cmd: \/no\/such\/agent was not found \(expected a program csess can run, e\.g\. .*received --agent-cmd "\/no\/such\/agent --yes"/);
    await refused(["run", "--agent", "custom", "--agent-cmd", "no-such-agent-cli exec"], /^csess: --agent-cmd: no-such-agent-cli was not found on PATH/);
  });

  it("29. git does not know who commits: refused before anything starts, saying how to set it", () =>
    refused(["run", ...customAgentArgs()], /^csess: git cannot say who commits in \S+ \(empty ident name .*\); csess makes the merge and tick commits as you: set it first, e\.g\. git config --global user\.name "Your Name" && git config --global user\.email you@example\.com$/m,
      { env: { GIT_AUTHOR_NAME: "", GIT_COMMITTER_NAME: "" } }));

  it("23. a socket in a directory owned by another user", async () => {
    // As root, a folder given to nobody; otherwise /tmp itself belongs to root, not to us.
    let socket = path.join(os.tmpdir(), `csess-not-mine-${process.pid}.sock`);
    if (process.getuid?.() === 0) {
      const theirs = path.join(s.dir, "theirs");
      mkdirSync(theirs, { recursive: true });
      chownSync(theirs, 65534, 65534);
      socket = path.join(theirs, "sock");
    }
    const notYours = /^csess: tmux (directory|socket) .* belongs to user id \d+, not to you \(uid \d+\): refusing to use another user's tmux server/;
    await refused(["exec", "--socket", socket, "--", "true"], notYours);
    await refused(["run", "--socket", socket, ...customAgentArgs()], notYours);
    expect(existsSync(socket)).toBe(false);
  });

  it("26. config files: unknown key, invalid JSON, wrong value type", async () => {
    const config = path.join(s.repo, "csess.config.json");
    const cases: Array<[string, RegExp]> = [
      ['{"paralel": 4}\n', /^csess: .*csess\.config\.json: unknown setting "paralel" \(did you mean "parallel"\?\); expected one of agent, /],
      ["{parallel: 4}\n", /^csess: cannot read csess config: .*csess\.config\.json is not valid JSON \(.*\); expected a JSON object such as \{"parallel": 4/],
      ['{"parallel": "four"}\n', /^csess: .*csess\.config\.json: invalid value for "parallel": "four" \(default is 3\)/],
    ];
    try {
      for (const [text, message] of cases) {
        writeFileSync(config, text);
        await refused(["run", ...customAgentArgs()], message);
      }
    } finally {
      rmSync(config, { force: true });
    }
  });

  it("27. bad flag values", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["--parallel", "0"], /^csess: --parallel: expected a whole number >= 1, e\.g\. --parallel 3; received "0"/],
      [["--stagger", "-1"], /^csess: --stagger: expected a number >= 0, e\.g\. --stagger 3; received "-1"/],
      [["--parallel", "abc"], /--parallel: expected a whole number >= 1.*received "abc"/],
      [["--max-iterations", "1.5"], /--max-iterations: expected a whole number >= 1.*received "1\.5"/],
      [["--timeout", "0"], /--timeout: expected a number >= 0\.01.*received "0"/],
      [["--stall", "soon"], /--stall: expected a number .*received "soon"/],
      [["--agent", "gpt"], /^csess: --agent: expected codex, claude or custom .*received "gpt"/],
    ];
    for (const [flags, message] of cases) await refused(["run", ...customAgentArgs(), ...flags], message);
    await refused(["run", "--agent", "custom"], /^csess: --agent custom needs the command to run, e\.g\. --agent custom --agent-cmd/);
    await refused(["report", "--json", "--md"], /--json and --md/);
    await refused(["run", "--paralel", "4"], /^csess: unknown option '--paralel' \(Did you mean --parallel\?\) \(run with --help for usage\)/);
    await refused(["run", "--parallel"], /^csess: option '--parallel <n>' argument missing/);
    await refused(["frobnicate"], /^csess: unknown command 'frobnicate'/);
  }, 60_000);
});

describe("bad input: handled safely", () => {
  let s: RunSandbox | undefined;
  afterEach(async () => {
    await s?.cleanup();
    s = undefined;
  });

  it("20. an agent that rejects its flags stops the run before more starts, and changes nothing", async () => {
    s = makeRunSandbox("# P\n\n- [ ] Add the first file\n- [ ] Add the second file\n- [ ] Add the third file\n");
    await commitAll(s);
    const before = await repoSnapshot(s);
    const r = await s.csess(["run", "--json", "--agent", "custom", "--agent-cmd", BAD_FLAGS_AGENT, "--parallel", "1", "--stagger", "0", "--no-notes"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^csess: stopped: error: unexpected argument '--full-auto' found — .*csess doctor/m);
    expect(s.starts()).toHaveLength(1); // the others were never started
    const report = JSON.parse(r.stdout.trim().split("\n").at(-1)!) as { tasks: Array<{ verdict: string; reason: string }> };
    expect(report.tasks[0]).toMatchObject({ verdict: "failed" });
    expect(report.tasks[0]!.reason).toMatch(/agent cannot run \(bad-flags\)/);
    expect(report.tasks.slice(1).map((t) => t.verdict)).toEqual(["pending", "pending"]); // never started
    // Only csess's own (git-ignored) run record was written: no branch, worktree or file of the user's.
    expect(await repoSnapshot(s)).toEqual(before);
  }, 60_000);

  it("28. an unknown run id next to real runs, and a corrupt or empty run journal", async () => {
    s = makeRunSandbox("# P\n\n- [ ] Add the first file\n");
    await commitAll(s);
    const r = await s.csess(["run", "--agent", "custom", "--agent-cmd", BAD_FLAGS_AGENT, "--stagger", "0", "--no-notes"]);
    expect(r.code).toBe(1);
    const runId = readdirSync(path.join(s.repo, ".git", "csess", "runs"))[0]!;
    const before = await repoSnapshot(s, { withCsess: true });
    expectUsageError(await s.csess(["report", "0000-0000-zzz"]), new RegExp(`^csess: unknown run "0000-0000-zzz"; known runs: ${runId}`));
    const events = path.join(s.repo, ".git", "csess", "runs", runId, "events.jsonl");
    const lines = readFileSync(events, "utf8").split("\n");
    writeFileSync(events, [lines[0], '{"type": "iteration-started", garbage', ...lines.slice(2)].join("\n"));
    const corrupt = await repoSnapshot(s, { withCsess: true });
    for (const command of ["report", "resume", "stop"]) {
      expectUsageError(await s.csess([command]), /^csess: .*events\.jsonl:2: corrupt journal line \(expected one JSON event per line as csess wrote it; received "\{\\"type\\": \\"iteration-started\\", garbage"\); this run cannot be replayed/);
    }
    expect(await repoSnapshot(s, { withCsess: true })).toEqual(corrupt);
    writeFileSync(events, "");
    expectUsageError(await s.csess(["report"]), /^csess: not a csess run journal: expected events\.jsonl to begin with a "run-started" event .*received an empty file/);
    expect((await repoSnapshot(s, { withCsess: true })).refs).toEqual(before.refs);
  }, 60_000);

  it("21. hostile task text is never executed and reaches the agent byte-exact", async () => {
    const titles = [
      "Handle $(rm -rf ~) and $(touch pwned) and `touch pwned-backtick` in the text",
      `Quote 'single' "double" \\"escaped\\" and a semicolon; touch pwned-semicolon && echo done`,
    ];
    const prd = `# Hostile\n\n- [ ] ${titles[0]}\n  A second line: $(touch pwned-body) \`id\` 'it''s' "x"\n  and a third line\n- [ ] ${titles[1]}\n`;
    s = makeRunSandbox(prd);
    const capture = path.join(s.dir, "capture");
    mkdirSync(capture);
    mkdirSync(path.join(s.dir, "home"), { recursive: true });
    writeFileSync(path.join(s.dir, "home", "canary"), "still here\n");
    s.env.HOME = path.join(s.dir, "home");
    s.env.FAKE_AGENT_CAPTURE = capture;
    await commitAll(s);
    const ids = await taskIds(s);
    const r = await s.csess(["run", "--json", ...customAgentArgs(["--parallel", "2"])]);
    expect(r.code, r.stderr).toBe(0);

    // Nothing was executed: the canary in HOME is there and no "pwned" file exists anywhere.
    expect(readFileSync(path.join(s.dir, "home", "canary"), "utf8")).toBe("still here\n");
    const pwned: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.name.includes("pwned")) pwned.push(path.join(dir, e.name));
        if (e.isDirectory() && !e.isSymbolicLink()) walk(path.join(dir, e.name));
      }
    };
    walk(s.dir);
    for (const dir of [process.cwd(), os.tmpdir()]) expect(readdirSync(dir).filter((n) => n.startsWith("pwned"))).toEqual([]);
    expect(pwned).toEqual([]);

    // Byte-exact: the title in CSESS_TASK_TITLE, the whole item in the prompt file, the same bytes on stdin.
    for (const title of titles) {
      const id = ids[title]!;
      expect(readFileSync(path.join(capture, `${id}.title`), "utf8")).toBe(title);
      const prompt = readFileSync(path.join(capture, `${id}.prompt`), "utf8");
      expect(readFileSync(path.join(capture, `${id}.stdin`), "utf8")).toBe(prompt);
      expect(prompt).toContain(title);
      const started = journal(s).find((e) => e.type === "iteration-started" && e.taskId === id)!;
      expect(readFileSync(path.join(String(started.stateDir), "prompt.md"), "utf8")).toBe(prompt);
    }
    expect(readFileSync(path.join(capture, `${ids[titles[0]!]}.prompt`), "utf8")).toContain("A second line: $(touch pwned-body) `id` 'it''s' \"x\"\n  and a third line");
    // The titles reach git verbatim too (the fake agent commits "feat: <title>").
    const log = await s.git("log", "--format=%s", "main");
    for (const title of titles) expect(log).toContain(`feat: ${title}`);
  }, 90_000);

  it("22. a session name with ':' and '.' is made tmux-safe, and said so", async () => {
    s = makeRunSandbox("# P\n");
    const started = await s.csess(["exec", "--name", "build:v1.2", "--", "sh", "-c", "echo built"], { cwd: s.dir });
    expect(started.code, started.stderr).toBe(0);
    expect(started.stdout).toMatch(/^started session build-v1-2 in /);
    const exitFile = path.join(s.dir, "home", "exec", "build-v1-2", "exit.json");
    await waitUntil(s, () => (existsSync(exitFile) ? true : undefined), 30_000, undefined, [path.dirname(exitFile)]);
    const logs = await s.csess(["logs", "build-v1-2"]);
    expect(logs.stdout).toContain("built");
    // The name as the user typed it finds the session csess made tmux-safe.
    expect((await s.csess(["logs", "build:v1.2"])).stdout).toContain("built");
    expectUsageError(await s.csess(["logs", "build:v1.3"]), /^csess: unknown session "build-v1-3": known sessions: build-v1-2/);
  }, 60_000);

  it("24. a dead tmux server: status says dead, its command is stopped, logs stay readable, exec starts anew", async () => {
    s = makeRunSandbox("# P\n");
    const socket = s.env.CSESS_TMUX_SOCKET!;
    expect((await s.csess(["exec", "--name", "long", "--", "sh", "-c", "echo working; exec sleep 1000"], { cwd: s.dir })).code).toBe(0);
    const state = path.join(s.dir, "home", "exec", "long");
    await waitUntil(s, () => (existsSync(path.join(state, "launcher.json")) && readFileSync(path.join(state, "output.log"), "utf8").includes("working") ? true : undefined), 30_000, undefined, [state]);
    const commandPid = (JSON.parse(readFileSync(path.join(state, "launcher.json"), "utf8")) as { commandPid: number }).commandPid;
    const serverPid = Number(execFileSync("tmux", ["-S", socket, "display-message", "-p", "#{pid}"]).toString().trim());
    process.kill(serverPid, "SIGKILL");
    expect(lstatSync(socket).isSocket()).toBe(true); // the stale socket file is left behind

    const status = await s.csess(["status", "--json"]);
    expect(status.code, status.stderr).toBe(0);
    const sessions = (JSON.parse(status.stdout) as { sessions: Array<{ name: string; state: string }> }).sessions;
    expect(sessions.find((x) => x.name === "long")?.state).toBe("dead");
    // Its command is gone too: a dead session leaves nothing running (a pid has no event to watch: poll).
    for (let i = 0; i < 200 && alive(commandPid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alive(commandPid)).toBe(false);
    expect((await s.csess(["logs", "long"])).stdout).toContain("working");
    const killed = await s.csess(["kill", "long"]);
    expect(killed.code, killed.stderr).toBe(0);
    expect(killed.stdout).toMatch(/was already dead/);
    const again = await s.csess(["exec", "--name", "again", "--", "true"], { cwd: s.dir });
    expect(again.code, again.stderr).toBe(0);
  }, 60_000);

  it("25. a PRD that is a symlink: the target is ticked, the link stays a link", async () => {
    s = makeRunSandbox("# P\n", { "docs/PRD.md": "# P\n\n- [ ] Add the first file\n" });
    rmSync(path.join(s.repo, "PRD.md"));
    symlinkSync("docs/PRD.md", path.join(s.repo, "PRD.md"));
    await commitAll(s);
    const r = await s.csess(["run", "PRD.md", "--json", ...customAgentArgs()]);
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(path.join(s.repo, "PRD.md")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(path.join(s.repo, "PRD.md"))).toBe("docs/PRD.md");
    expect(readFileSync(path.join(s.repo, "docs/PRD.md"), "utf8")).toBe("# P\n\n- [x] Add the first file\n");
    expect(await s.git("status", "--porcelain")).toBe("");
  }, 60_000);
});
