// Lazy command modules: `--help` of every command is what it was before the actions moved behind
// dynamic imports (test/help/*.txt, captured from the eager build); `--help` and `tasks` on a plain PRD
// load no command module and none of the heavy packages (nor commander from node_modules: it is
// bundled); every command still runs from the built bin.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { moduleLog } from "./module-log.js";
import { CLI } from "./run-helpers.js";

const PACKAGE = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
const HELP = fileURLToPath(new URL("./help/", import.meta.url));
const COMMANDS = ["run", "resume", "report", "stop", "demo", "tasks", "exec", "status", "logs", "attach", "kill", "verify", "doctor", "diff", "completion", "_session-ended"];

const dir = mkdtempSync(path.join(os.tmpdir(), "csess-lazy-"));
const env = { ...process.env, CSESS_HOME: path.join(dir, "home"), CSESS_TMUX_SOCKET: path.join(dir, "sock"), CSESS_NOTES: "off", CSESS_NOTIFY: "true", NO_COLOR: "1" };
afterAll(() => {
  spawnSync("tmux", ["-S", path.join(dir, "sock"), "kill-server"], { stdio: "ignore" });
  rmSync(dir, { recursive: true, force: true });
});

function csess(args: string[], options: { cwd?: string; nodeArgs?: string[] } = {}) {
  const r = spawnSync(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], { cwd: options.cwd ?? dir, env, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the built CLI recording every module it loads (remark and micromark are required on demand). */
function modulesLoaded(args: string[]): string[] {
  const log = moduleLog(dir);
  const r = csess(args, { nodeArgs: log.nodeArgs });
  expect(r.code, r.stderr).toBe(0);
  return log.loaded();
}

const HEAVY = /unified|remark|micromark|mdast|cosmiconfig|log-update|p-limit|stemmer/;
/** The csess chunks that hold command actions (named after the module that starts each chunk). */
const ACTION_CHUNK = /\/dist\/(run|resume|report|stop|demo|tasks|exec|status|logs|attach|kill|verify|doctor|diff|completion|start|summary)-[\w-]+\.js$/;

describe("lazy command modules", () => {
  it.each(["_root", ...COMMANDS])("%s --help is unchanged", (command) => {
    const r = csess(command === "_root" ? ["--help"] : [command, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout.replaceAll(PACKAGE, "<package>")).toBe(readFileSync(path.join(HELP, `${command}.txt`), "utf8"));
  }, 60_000);

  // `--help` itself is answered from dist/help.json (help-cache.test.ts); `--no-color --help` is commander's.
  it.each([{ args: ["--help"] }, { args: ["--no-color", "--help"] }])("$args loads no command module, no heavy package and nothing from node_modules (commander is bundled)", ({ args }) => {
    const loaded = modulesLoaded(args);
    expect(loaded.some((m) => /\/dist\/bin\.js$/.test(m))).toBe(true);
    expect(loaded.filter((m) => HEAVY.test(m) || ACTION_CHUNK.test(m) || m.includes("node_modules"))).toEqual([]);
  }, 60_000);

  it("tasks on a plain PRD loads its own module but not the markdown parser; a PRD the line scanner declines loads it", () => {
    writeFileSync(path.join(dir, "plain.md"), "# Plan\n\n- [ ] One\n  - [x] Two\n");
    const plain = modulesLoaded(["tasks", path.join(dir, "plain.md")]);
    expect(plain.some((m) => /\/dist\/tasks-[\w-]+\.js$/.test(m))).toBe(true);
    expect(plain.filter((m) => HEAVY.test(m))).toEqual([]);
    writeFileSync(path.join(dir, "tabbed.md"), "- [ ] One\n\t- [ ] Tab-indented\n");
    expect(modulesLoaded(["tasks", path.join(dir, "tabbed.md")]).some((m) => /require:remark-parse/.test(m))).toBe(true);
  }, 60_000);
});

describe("every command runs from the built bin", () => {
  const repo = path.join(dir, "repo");
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repo, env: { ...env, GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@x", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@x" } });
  const setup = () => {
    execFileSync("mkdir", ["-p", repo]);
    writeFileSync(path.join(repo, "PRD.md"), "# Plan\n\n- [ ] Add a greeting\n- [x] Claimed without work\n");
    git("init", "-q", "-b", "main");
    git("add", "-A");
    git("commit", "-q", "-m", "plan");
  };

  it("tasks, verify, run --dry-run, report, diff, resume, stop: their actions load and answer", () => {
    setup();
    const tasks = csess(["tasks", "PRD.md", "--json"], { cwd: repo });
    expect(JSON.parse(tasks.stdout).tasks).toHaveLength(2);
    const verify = csess(["verify", "PRD.md", "--json"], { cwd: repo });
    expect(verify.code).toBe(1); // the ticked task has no evidence
    expect(JSON.parse(verify.stdout).tasks.map((t: { verdict: string }) => t.verdict)).toEqual(["pending", "claimed-unverified"]);
    const dry = csess(["run", "--dry-run", "--agent", "custom", "--agent-cmd", "true"], { cwd: repo });
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/Add a greeting/);
    for (const args of [["report"], ["diff", "k3m9qa"], ["resume"], ["stop"]]) {
      const r = csess(args, { cwd: repo });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr, args.join(" ")).toMatch(/^csess: .*run/);
    }
  }, 120_000);

  it("exec, status, logs, kill, attach, _session-ended, completion, doctor", () => {
    const exec = csess(["exec", "--name", "lazy", "--json", "--", "sh", "-c", "echo hello-lazy"]);
    expect(exec.code, exec.stderr).toBe(0);
    expect(JSON.parse(exec.stdout).name).toBe("lazy");
    const status = csess(["status", "--json"]);
    expect(JSON.parse(status.stdout).sessions.map((s: { name: string }) => s.name)).toContain("lazy");
    expect(csess(["logs", "nosuch"]).stderr).toMatch(/^csess: .*nosuch/);
    expect(csess(["kill", "nosuch"]).stderr).toMatch(/^csess: .*nosuch/);
    expect(csess(["attach", "nosuch"]).stderr).toMatch(/^csess: .*nosuch/);
    const notes = path.join(dir, "notes.md");
    expect(csess(["_session-ended", "--notes", notes]).code).toBe(0);
    expect(csess(["completion", "bash"]).stdout).toMatch(/complete -o filenames -F _csess csess/);
    const doctor = csess(["doctor", "--agent", "custom", "--json"]);
    expect(JSON.parse(doctor.stdout).agents[0].kind).toBe("custom");
  }, 120_000);
});
