import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parsePrd } from "@csess/prd";
import { verifyHistory } from "../src/index.js";
import { readCommits, startStatsPass } from "../src/log.js";
import { GIT_ENV, makeRepo, type TestRepo } from "./helpers.js";
import { alive } from "@csess/test-kit";

// `csess verify` reads a range without diffs and, beside it, one `git log --numstat` over the whole
// range, finished when many commits need their stats and stopped otherwise. Either way each
// commit's files and line counts are git's own, and nothing is left running or on disk.

let repo: TestRepo;
let base: string;
let scratch: string;
const savedTmpdir = process.env.TMPDIR;
const savedPath = process.env.PATH;
beforeEach(() => {
  repo = makeRepo();
  base = repo.commit("init", { "PRD.md": "# Plan\n", "src/app.ts": "export const a = 1;\n" });
  scratch = mkdtempSync(join(tmpdir(), "csess-stats-tmp-"));
  process.env.TMPDIR = scratch; // where the pass's unlinked file is made: nothing may stay there
});
afterEach(() => {
  process.env.PATH = savedPath;
  if (savedTmpdir === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = savedTmpdir;
  rmSync(scratch, { recursive: true, force: true });
  repo.cleanup();
});

/** The unlinked stats files this process still holds open (Linux: /proc/self/fd). */
function openStatsFiles(): string[] {
  return readdirSync("/proc/self/fd").flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.includes("csess-stats-") ? [target] : [];
    } catch {
      return []; // closed meanwhile (the readdir's own descriptor, say)
    }
  });
}

/** `count` commits on branch `many` from `base` (one fast-import): commit n adds f<n>.txt of n+1 lines. */
function manyCommits(count: number): void {
  const stream = Array.from({ length: count }, (_, n) => {
    const data = "x\n".repeat(n + 1);
    return `commit refs/heads/many\ncommitter T <t@example.com> ${1_700_000_000 + n} +0000\ndata 2\nc\n${n === 0 ? `from ${base}\n` : ""}` +
      `M 100644 inline f${n}.txt\ndata ${data.length}\n${data}\n`;
  }).join("");
  execFileSync("git", ["fast-import", "--quiet"], { cwd: repo.root, env: GIT_ENV, input: stream });
}

describe("startStatsPass: every commit's stats in one pass over the range", () => {
  it("fills the same files and line counts as git log --numstat, and counts the commits it has read", async () => {
    manyCommits(300);
    repo.commit("binary and a deletion", { "logo.png": "\u0000bin\u0000", "src/app.ts": "" });
    const range = [`${base}..HEAD`, "many"];
    const expected = await readCommits(repo.root, range);
    const commits = await readCommits(repo.root, range, { stats: false });
    const pass = startStatsPass(repo.root, range);
    await pass.fill(commits);
    expect(commits).toEqual(expected);
    expect(commits.find((c) => c.subject === "binary and a deletion")).toMatchObject({ files: ["logo.png", "src/app.ts"], insertions: 0, deletions: 1 });
    expect(pass.read()).toBe(301);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it("cancel stops git: the pass rejects, reads nothing more, and leaves no file", async () => {
    manyCommits(300);
    const pass = startStatsPass(repo.root, ["many"]);
    expect(readdirSync(scratch)).toEqual([]); // unlinked as soon as it is open
    pass.cancel();
    await expect(pass.fill([])).rejects.toMatchObject({ name: "AbortError" });
    expect(pass.read()).toBe(0);
    pass.cancel(); // a second cancel, or one after the end, does nothing
  });

  it("cancel after git has written some records: fill rejects and takes none of them", async () => {
    manyCommits(300);
    const pass = startStatsPass(repo.root, ["many"]);
    for (let i = 0; i < 400 && pass.read() === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(pass.read(), "git wrote nothing in 2 s").toBeGreaterThan(0);
    pass.cancel();
    await expect(pass.fill([])).rejects.toMatchObject({ name: "AbortError" });
    expect(pass.read()).toBe(0);
  });

  it("a range git refuses rejects fill with git's own words", async () => {
    const pass = startStatsPass(repo.root, ["no-such-branch"]);
    await expect(pass.fill([])).rejects.toThrow(/no-such-branch/);
  });
});

describe("verifyHistory: line counts whichever way the stats were read", () => {
  it("a task whose commits are most of the history gets git's counts (from the range-wide pass, once it has read two commits)", async () => {
    const prd = "# Plan\n\n- [x] Write the report generator\n";
    const [task] = parsePrd(prd).tasks;
    // 40 commits that all name the task: every one needs its stats.
    for (let n = 0; n < 40; n++) repo.commit(`Write the report generator, part ${n}`, { [`src/report${n}.ts`]: "a\nb\n" });
    const report = await verifyHistory({ root: repo.root, tasks: [task!], prdPath: "PRD.md" });
    expect(report.tasks[0]).toMatchObject({ verdict: "verified", evidence: "message", insertions: 80, deletions: 0 });
    expect(report.tasks[0]!.commits).toHaveLength(40);
    expect(readdirSync(scratch)).toEqual([]);
  });

  it("a task with one matching commit among thousands gets git's counts too (the pass is then stopped unless it has ended)", async () => {
    manyCommits(2000);
    repo.git(["merge", "-q", "--ff-only", "many"]);
    const hash = repo.commit("Write the report generator", { "src/report.ts": "a\nb\nc\n" });
    const [task] = parsePrd("# Plan\n\n- [x] Write the report generator\n").tasks;
    const report = await verifyHistory({ root: repo.root, tasks: [task!], prdPath: "PRD.md" });
    expect(report.tasks[0]).toMatchObject({ verdict: "verified", commits: [hash], insertions: 3, deletions: 0 });
    expect(report.commitsScanned).toBe(2002);
    expect(readdirSync(scratch)).toEqual([]);
  });
});

describe("verifyHistory: which way the stats are read", () => {
  /**
   * A git on PATH in front of the real one (stand-in: a real part cannot be made slow on purpose):
   * `pass` runs instead of the range-wide `git log --numstat`; lookups by hash are logged.
   */
  function gitStandIn(pass: string, plainLog = ""): { lookups: () => string[] } {
    const realGit = execFileSync("sh", ["-c", "command -v git"], { encoding: "utf8" }).trim();
    const dir = join(scratch, "bin");
    const log = join(scratch, "lookups");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "git"), [
      "#!/bin/sh",
      `real="${realGit}" done="${join(scratch, "pass-ended")}"`,
      'case "$*" in',
      `  *--no-walk*) echo "$*" >> "${log}" ;;`,
      `  log*--numstat*) ${pass} ;;`,
      `  log*) ${plainLog} ;;`,
      "esac",
      'exec "$real" "$@"',
    ].join("\n"));
    chmodSync(join(dir, "git"), 0o755);
    process.env.PATH = `${dir}:${savedPath}`;
    return { lookups: () => (existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : []) };
  }
  const prd = "# Plan\n\n- [x] Write the report generator\n";
  const [task] = parsePrd(prd).tasks;
  /** The pass without diffs waits (up to 30 s) until the range-wide pass says it has written its output. */
  const AFTER_PASS = 'i=0; while [ ! -e "$done" ] && [ "$i" -lt 300 ]; do sleep 0.1; i=$((i+1)); done';
  /** 10 commits that all name the task (every one needs its stats), then verify with the stand-in. */
  async function judgeTenCommits(pass: string, plainLog: string) {
    const { lookups } = gitStandIn(pass, plainLog);
    for (let n = 0; n < 10; n++) repo.commit(`Write the report generator, part ${n}`, { [`src/report${n}.ts`]: "a\nb\n" });
    const report = await verifyHistory({ root: repo.root, tasks: [task!], prdPath: "PRD.md" });
    expect(report.tasks[0]).toMatchObject({ verdict: "verified", insertions: 20 });
    return { lookups: lookups() };
  }

  it("fill reads the range-wide pass while git writes it: a record git has only half written waits for its rest", async () => {
    manyCommits(300);
    const range = [`${base}..many`];
    const expected = await readCommits(repo.root, range);
    const commits = await readCommits(repo.root, range, { stats: false });
    // git's output in two writes, the first ending 3 bytes short of the last file line; the rest only once
    // the test says so (a bounded wait), so what fill takes meanwhile can be seen.
    const out = join(scratch, "pass-output");
    const firstWritten = join(scratch, "first-written");
    const go = join(scratch, "go");
    gitStandIn(
      `"$real" "$@" > "${out}"; size=$(wc -c < "${out}"); head -c $((size - 3)) "${out}"; touch "${firstWritten}"; ` +
        `i=0; while [ ! -e "${go}" ] && [ "$i" -lt 600 ]; do sleep 0.05; i=$((i+1)); done; tail -c 3 "${out}"; exit 0`,
    );
    const pass = startStatsPass(repo.root, range);
    const filled = () => commits.filter((c, i) => JSON.stringify(c) === JSON.stringify(expected[i])).length;
    let filling: Promise<void> | undefined;
    try {
      for (let i = 0; i < 600 && !existsSync(firstWritten); i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(pass.read()).toBe(300); // nothing taken yet: every record git has begun, the half-written one too
      filling = pass.fill(commits);
      // While git still runs, fill takes every whole record: all but the half-written one (the oldest commit, last in git's output).
      for (let i = 0; i < 600 && filled() < 299; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(filled()).toBe(299);
      expect(commits.at(-1)).not.toEqual(expected.at(-1));
      expect(pass.read()).toBe(300); // 299 taken and the half-written one
    } finally {
      writeFileSync(go, ""); // git writes the rest and ends, whatever was seen
    }
    await filling;
    expect(commits).toEqual(expected);
    expect(pass.read()).toBe(300);
  });

  it("most commits are candidates and the range-wide pass has ended: its stats are used, nothing is looked up", async () => {
    // The pass without diffs waits until the range-wide pass has ended, so at the decision it has read every commit.
    const { lookups } = await judgeTenCommits('"$real" "$@"; status=$?; touch "$done"; exit $status', AFTER_PASS);
    expect(lookups).toEqual([]);
  });

  it("a range-wide pass that has written every commit but not yet exited is waited for, not abandoned", async () => {
    const { lookups } = await judgeTenCommits('"$real" "$@"; status=$?; touch "$done"; sleep 1; exit $status', AFTER_PASS);
    expect(lookups).toEqual([]);
    expect(openStatsFiles()).toEqual([]); // and its file is closed once it has ended
  });

  it("an error while judging stops the range-wide pass (no git left running) and closes its file", async () => {
    const pidFile = join(scratch, "pass-pid");
    // Written whole, then renamed: the waiting pass must never see the file empty (a pid of 0 is this test's own group).
    gitStandIn(`echo $$ > "${pidFile}.tmp"; mv "${pidFile}.tmp" "${pidFile}"; exec sleep 30`, 'i=0; while [ ! -e "' + pidFile + '" ] && [ "$i" -lt 300 ]; do sleep 0.1; i=$((i+1)); done; echo "fatal: bad object" >&2; exit 128');
    await expect(verifyHistory({ root: repo.root, tasks: [task!], prdPath: "PRD.md" })).rejects.toThrow(/bad object/);
    const pid = Number(readFileSync(pidFile, "utf8"));
    // SIGTERM is sent before verifyHistory rejects; the process may take a moment to go.
    for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive(pid)).toBe(false);
    for (let i = 0; i < 100 && openStatsFiles().length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(openStatsFiles()).toEqual([]);
  });

  it("without a usable temp folder there is no range-wide pass: verify looks the candidates up, with the same counts", async () => {
    process.env.TMPDIR = join(scratch, "no-such-folder");
    const { lookups } = await judgeTenCommits('"$real" "$@"; status=$?; touch "$done"; exit $status', "");
    expect(lookups.length).toBeGreaterThan(0);
  });

  it("a range-wide pass that fails (a full temp folder, say) is no failure of verify: the candidates are looked up", async () => {
    const { lookups } = await judgeTenCommits(
      // All of its output written, so it looks worth finishing; it fails while verify waits for it (3 s
      // after the pass without diffs may start: far more than reading 11 commits and matching one task takes).
      '"$real" "$@"; touch "$done"; sleep 3; echo "fatal: unable to write: No space left on device" >&2; exit 128',
      AFTER_PASS,
    );
    expect(lookups.length).toBeGreaterThan(0);
  });

  it("a range-wide pass that failed before verify looked at it counts as having read nothing: the candidates are looked up", async () => {
    const { lookups } = await judgeTenCommits(
      'echo "fatal: unable to write: No space left on device" >&2; touch "$done"; exit 128',
      `${AFTER_PASS}; sleep 0.5`,
    );
    expect(lookups.length).toBeGreaterThan(0);
  });

  it("a few candidates while the range-wide pass is still reading: it is stopped, not waited for, and the few are looked up", async () => {
    // The range-wide pass never ends by itself: only being stopped ends it.
    const { lookups } = gitStandIn("exec sleep 30");
    for (let n = 0; n < 10; n++) repo.commit(`Unrelated change ${n}`, { [`src/other${n}.ts`]: "a\n" });
    const hash = repo.commit("Write the report generator", { "src/report.ts": "a\nb\nc\n" });
    const started = Date.now();
    const report = await verifyHistory({ root: repo.root, tasks: [task!], prdPath: "PRD.md" });
    expect(report.tasks[0]).toMatchObject({ verdict: "verified", commits: [hash], insertions: 3 });
    expect(lookups()).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(20_000); // far below the stand-in's 30 s
  });
});
