import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { probeAgent } from "../src/index.js";

// probeAgent against small fake `codex` / `claude` programs: what csess passes depends on what the
// installed version's --help lists, and `csess doctor` shows the notes and the login state.

const root = mkdtempSync(join(tmpdir(), "csess-probe-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

interface Fake {
  /** What `--version` prints (stdout) and its exit code. */
  version?: string;
  versionCode?: number;
  versionStderr?: string;
  /** What `--help` / `exec --help` prints. */
  help?: string;
  /** `codex login status` / `claude auth status`: output and exit code. */
  status?: string;
  statusCode?: number;
  /** The status command dies from a signal (no exit code). */
  statusKilled?: boolean;
}

/** A directory holding one fake agent program; each call gets its own path (probeAgent caches --help per path). */
function fakeBin(name: string, fake: Fake): { dir: string; path: string } {
  const dir = join(root, `bin${++dirs}`);
  mkdirSync(dir);
  const path = join(dir, name);
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  writeFileSync(
    path,
    [
      "#!/bin/sh",
      `case "$1 $2" in`,
      `  "--version "*) printf '%s\\n' ${q(fake.version ?? "")}; printf '%s' ${q(fake.versionStderr ?? "")} >&2; exit ${fake.versionCode ?? 0} ;;`,
      // codex is asked `codex exec --help`, claude `claude --help`: each fake answers only its own.
      `  ${name === "codex" ? '"exec --help"' : '"--help "*'}) printf '%s\\n' ${q(fake.help ?? "")} ;;`,
      `  "login status"|"auth status") ${fake.statusKilled ? "kill -9 $$" : ":"}; printf '%s\\n' ${q(fake.status ?? "")}; exit ${fake.statusCode ?? 0} ;;`,
      "esac",
      "",
    ].join("\n"),
  );
  chmodSync(path, 0o755);
  return { dir, path };
}

const CODEX_HELP_NEW = "Usage: codex exec [OPTIONS]\n  --dangerously-bypass-approvals-and-sandbox\n  --sandbox <MODE>\n  --json\n  --output-last-message <FILE>\n  --full-auto";
const home = () => {
  const dir = join(root, `home${++dirs}`);
  mkdirSync(dir);
  return dir;
};
const envWith = (dir: string, extra: Record<string, string> = {}) => ({ PATH: `${dir}:/usr/bin:/bin`, HOME: home(), ...extra });

describe("probeAgent: codex flags follow its --help", () => {
  it("a current codex: the sandbox bypass, --json, and a note that --full-auto is not used", async () => {
    const { dir, path } = fakeBin("codex", { version: "codex-cli 0.169.0", help: CODEX_HELP_NEW });
    const p = await probeAgent("codex", { env: envWith(dir) });
    expect(p).toMatchObject({ kind: "codex", found: true, path, version: "0.169.0", permissionMode: "bypass-sandbox", env: {} });
    expect(p.flags).toEqual(["exec", "--dangerously-bypass-approvals-and-sandbox", "--json"]);
    expect(p.notes.join("\n")).toMatch(/could not commit/);
    expect(p.notes.join("\n")).toMatch(/still accepts --full-auto; csess does not use it/);
    expect(p.notes.join("\n")).not.toMatch(/no --json|no -o/);
    expect(p.notes).toHaveLength(2);
  });

  it("without the bypass flag: --sandbox danger-full-access; --experimental-json; no -o noted", async () => {
    const { dir } = fakeBin("codex", { version: "codex-cli 0.40.1", help: "--sandbox <MODE>\n--experimental-json" });
    const p = await probeAgent("codex", { env: envWith(dir) });
    expect(p.permissionMode).toBe("danger-full-access");
    expect(p.flags).toEqual(["exec", "--sandbox", "danger-full-access", "--experimental-json"]);
    expect(p.notes.join("\n")).toMatch(/workspace-write would block commits/);
    expect(p.notes.join("\n")).toMatch(/rejects --full-auto/);
    expect(p.notes.join("\n")).toMatch(/no -o\/--output-last-message/);
  });

  it("an old codex: --full-auto, and outcomes from text only", async () => {
    const { dir } = fakeBin("codex", { version: "0.1.2504", help: "--full-auto\n--model" });
    const p = await probeAgent("codex", { env: envWith(dir) });
    expect(p.permissionMode).toBe("full-auto");
    expect(p.flags).toEqual(["exec", "--full-auto"]);
    expect(p.notes.join("\n")).toMatch(/upgrade codex/);
    expect(p.notes.join("\n")).toMatch(/no --json: outcomes are classified from text only/);
  });

  it("--help is read once per binary and version: a second probe reuses it", async () => {
    const { dir, path } = fakeBin("codex", { version: "codex-cli 0.169.0", help: CODEX_HELP_NEW });
    const first = await probeAgent("codex", { env: envWith(dir) });
    writeFileSync(path, `#!/bin/sh\ncase "$1" in --version) echo "codex-cli 0.169.0" ;; *) echo "--full-auto" ;; esac\n`);
    const second = await probeAgent("codex", { env: envWith(dir) });
    expect(second.flags).toEqual(first.flags);
  });

  it("a --help that lists no flags is not remembered", async () => {
    const { dir, path } = fakeBin("codex", { version: "codex-cli 0.170.0", help: "" });
    expect((await probeAgent("codex", { env: envWith(dir) })).permissionMode).toBe("full-auto");
    writeFileSync(path, `#!/bin/sh\ncase "$1" in --version) echo "codex-cli 0.170.0" ;; *) printf '%s\\n' '${CODEX_HELP_NEW}' ;; esac\n`);
    expect((await probeAgent("codex", { env: envWith(dir) })).permissionMode).toBe("bypass-sandbox");
  });
});

describe("probeAgent: a CLI that is missing or broken", () => {
  it("not on PATH: how to install it", async () => {
    const p = await probeAgent("claude", { env: { PATH: join(root, "nowhere") } });
    expect(p).toEqual({
      kind: "claude", found: false, flags: [], env: {}, permissionMode: "none", notes: [],
      error: "claude not found on PATH; install it with `npm install -g @anthropic-ai/claude-code` or pass its path",
    });
  });

  it("an explicit path that is not there, or is a directory: '(or not executable)'", async () => {
    const p = await probeAgent("codex", { bin: join(root, "missing", "codex"), env: { PATH: "" } });
    expect(p.error).toMatch(/codex not found \(or not executable\); install it with `npm install -g @openai\/codex`/);
    expect((await probeAgent("codex", { bin: root, env: { PATH: "" } })).found).toBe(false);
  });

  it("a file on PATH that is not executable is skipped for the next PATH entry", async () => {
    const blocked = join(root, `bin${++dirs}`);
    mkdirSync(blocked);
    writeFileSync(join(blocked, "codex"), "#!/bin/sh\n");
    const { dir, path } = fakeBin("codex", { version: "codex-cli 0.169.0", help: CODEX_HELP_NEW });
    const p = await probeAgent("codex", { env: { PATH: `${blocked}::${dir}`, HOME: home() } });
    expect(p.path).toBe(path);
  });

  it("a relative path is resolved against the current directory", async () => {
    const { path } = fakeBin("codex", { version: "codex-cli 0.169.0", help: CODEX_HELP_NEW });
    const p = await probeAgent("codex", { bin: relative(process.cwd(), path), env: { PATH: "", HOME: home() } });
    expect(p).toMatchObject({ found: true, path });
  });

  it("--version failing: its first line of stderr, or stdout, or the exit code", async () => {
    const stderr = fakeBin("codex", { versionCode: 3, versionStderr: "segfault\nmore", version: "" });
    expect((await probeAgent("codex", { env: envWith(stderr.dir) })).error).toBe("`codex --version` failed: segfault");
    const stdout = fakeBin("codex", { versionCode: 3, version: "broken install", versionStderr: "  " });
    expect((await probeAgent("codex", { env: envWith(stdout.dir) })).error).toBe("`codex --version` failed: broken install");
    const silent = fakeBin("codex", { versionCode: 4 });
    const p = await probeAgent("codex", { env: envWith(silent.dir) });
    expect(p).toMatchObject({ found: false, path: silent.path, error: "`codex --version` failed: exit 4" });
  });

  it("--version that prints a version but exits non-zero is a failure (a broken install): what it said", async () => {
    const { dir, path } = fakeBin("codex", { version: "codex-cli 0.169.0", versionStderr: "Error: Cannot find module 'undici'\n    at x", versionCode: 1, help: CODEX_HELP_NEW });
    expect(await probeAgent("codex", { env: envWith(dir) })).toMatchObject({ found: false, path, error: "`codex --version` failed: Error: Cannot find module 'undici'" });
  });

  it("--version without a version number is a failure too", async () => {
    const big = fakeBin("codex", { version: "codex-cli 10.2.3", help: "--json" });
    expect((await probeAgent("codex", { env: envWith(big.dir) })).version).toBe("10.2.3");
    const { dir } = fakeBin("codex", { version: "codex-cli dev" });
    expect((await probeAgent("codex", { env: envWith(dir) })).error).toBe("`codex --version` failed: codex-cli dev");
  });

  it("the CLI is asked with the agent's environment, not csess's", async () => {
    const dir = join(root, `bin${++dirs}`);
    mkdirSync(dir);
    writeFileSync(join(dir, "codex"), '#!/bin/sh\ncase "$1" in --version) echo "codex-cli $FAKE_CODEX_VERSION" ;; *) echo "--json" ;; esac\n');
    chmodSync(join(dir, "codex"), 0o755);
    expect((await probeAgent("codex", { env: envWith(dir, { FAKE_CODEX_VERSION: "0.171.2" }) })).version).toBe("0.171.2");
  });

  it("custom agents need only sh", async () => {
    const p = await probeAgent("custom", { env: { PATH: "/usr/bin:/bin" } });
    expect(p).toMatchObject({ kind: "custom", found: true, flags: ["-c"], permissionMode: "none" });
    expect(p.path).toMatch(/\/sh$/);
    expect(p.notes).toEqual([expect.stringMatching(/sh -c in the task's worktree, prompt on stdin, CSESS_\* variables/)]);
    expect((await probeAgent("custom", { env: { PATH: join(root, "nowhere") } })).error).toMatch(/sh not found on PATH; custom agents run through sh -c/);
  });
});

describe("probeAgent: claude", () => {
  const CLAUDE_HELP = "--output-format\n--verbose\n--dangerously-skip-permissions";

  it("stream-json with skipped permissions; as root also IS_SANDBOX=1", async () => {
    const { dir } = fakeBin("claude", { version: "2.1.329 (Claude Code)", help: CLAUDE_HELP });
    const user = await probeAgent("claude", { env: envWith(dir), uid: 1000 });
    expect(user).toMatchObject({ found: true, version: "2.1.329", permissionMode: "skip-permissions", env: {} });
    expect(user.flags).toEqual(["-p", "--output-format", "stream-json", "--verbose", "--dangerously-skip-permissions"]);
    expect(user.notes).toEqual([expect.stringMatching(/^prompt on stdin; stream-json events/)]);
    const root = await probeAgent("claude", { env: envWith(dir), uid: 0 });
    expect(root.env).toEqual({ IS_SANDBOX: "1" });
    expect(root.notes.join("\n")).toMatch(/running as root.*IS_SANDBOX=1/);
  });

  it("a --help that printed nothing is not taken as missing the flag", async () => {
    const { dir } = fakeBin("claude", { version: "1.0.1", help: "" });
    expect((await probeAgent("claude", { env: envWith(dir), uid: 1000 })).notes.join("\n")).not.toMatch(/does not list/);
  });

  it("a --help without --dangerously-skip-permissions is noted", async () => {
    const { dir } = fakeBin("claude", { version: "1.0.0", help: "--output-format\n--verbose" });
    const p = await probeAgent("claude", { env: envWith(dir), uid: 1000 });
    expect(p.notes.join("\n")).toMatch(/does not list --dangerously-skip-permissions/);
  });
});

describe("probeAgent: is the agent logged in", () => {
  const codex = () => fakeBin("codex", { version: "codex-cli 0.169.0", help: CODEX_HELP_NEW, status: "WARNING: something\nLogged in using ChatGPT", statusCode: 0 });

  it("codex: an API key in the environment (an empty one does not count)", async () => {
    const { dir } = codex();
    expect((await probeAgent("codex", { env: envWith(dir, { OPENAI_API_KEY: "sk-x" }) })).auth).toEqual({ ok: true, detail: "OPENAI_API_KEY is set" });
    expect((await probeAgent("codex", { env: envWith(dir, { OPENAI_API_KEY: "", CODEX_API_KEY: "k" }) })).auth).toEqual({ ok: true, detail: "CODEX_API_KEY is set" });
  });

  it("codex: auth.json in CODEX_HOME, else in ~/.codex; else not logged in, with advice", async () => {
    const { dir } = codex();
    const codexHome = home();
    writeFileSync(join(codexHome, "auth.json"), "{}");
    expect((await probeAgent("codex", { env: envWith(dir, { CODEX_HOME: codexHome }) })).auth).toEqual({ ok: true, detail: `credentials in ${join(codexHome, "auth.json")}` });
    const userHome = home();
    mkdirSync(join(userHome, ".codex"));
    writeFileSync(join(userHome, ".codex", "auth.json"), "{}");
    expect((await probeAgent("codex", { env: { PATH: dir, HOME: userHome } })).auth?.ok).toBe(true);
    const none = await probeAgent("codex", { env: envWith(dir) });
    expect(none.auth).toMatchObject({ ok: false, advice: "run `codex login` (or set OPENAI_API_KEY)" });
    expect(none.auth?.detail).toMatch(/^no .*auth\.json and no OPENAI_API_KEY$/);
  });

  it("codex with checkAuth asks `codex login status` (its warnings left out)", async () => {
    const { dir } = codex();
    expect((await probeAgent("codex", { env: envWith(dir), checkAuth: true })).auth).toEqual({ ok: true, detail: "codex login status: Logged in using ChatGPT" });
    const out = fakeBin("codex", { version: "codex-cli 0.169.0", help: CODEX_HELP_NEW, status: "Not logged in", statusCode: 1 });
    expect((await probeAgent("codex", { env: envWith(out.dir), checkAuth: true })).auth).toEqual({
      ok: false,
      detail: "codex login status: Not logged in",
      advice: "run `codex login` (or set OPENAI_API_KEY)",
    });
    expect((await probeAgent("codex", { env: envWith(out.dir, { OPENAI_API_KEY: "k" }), checkAuth: true })).auth).toEqual({
      ok: true,
      detail: "OPENAI_API_KEY is set (codex login status: Not logged in)",
    });
    const silent = fakeBin("codex", { version: "codex-cli 0.169.0", help: CODEX_HELP_NEW, status: "", statusCode: 0 });
    expect((await probeAgent("codex", { env: envWith(silent.dir), checkAuth: true })).auth?.detail).toBe("codex login status: logged in");
    const lines = fakeBin("codex", { version: "codex-cli 0.169.0", help: CODEX_HELP_NEW, status: "  Logged in\n  using an API key  ", statusCode: 0 });
    expect((await probeAgent("codex", { env: envWith(lines.dir), checkAuth: true })).auth?.detail).toBe("codex login status: Logged in; using an API key");
    const silentWithKey = fakeBin("codex", { version: "codex-cli 0.169.0", help: CODEX_HELP_NEW, status: "", statusCode: 1 });
    expect((await probeAgent("codex", { env: envWith(silentWithKey.dir, { OPENAI_API_KEY: "k" }), checkAuth: true })).auth?.detail).toBe("OPENAI_API_KEY is set (codex login status: not logged in)");
    const killed = fakeBin("codex", { version: "codex-cli 0.169.0", help: CODEX_HELP_NEW, statusKilled: true });
    expect((await probeAgent("codex", { env: envWith(killed.dir), checkAuth: true })).auth?.detail).toMatch(/^no .*auth\.json and no OPENAI_API_KEY$/);
    const silentOut = fakeBin("codex", { version: "codex-cli 0.169.0", help: CODEX_HELP_NEW, status: "", statusCode: 1 });
    expect((await probeAgent("codex", { env: envWith(silentOut.dir), checkAuth: true })).auth?.detail).toBe("codex login status: not logged in");
  });

  it("claude: a key or token in the environment, then ~/.claude/.credentials.json (CLAUDE_CONFIG_DIR first)", async () => {
    const { dir } = fakeBin("claude", { version: "2.1.329", help: "--verbose", status: "not json" });
    for (const key of ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN"]) {
      expect((await probeAgent("claude", { env: envWith(dir, { [key]: "k" }), uid: 1000 })).auth).toEqual({ ok: true, detail: `${key} is set` });
    }
    const config = home();
    writeFileSync(join(config, ".credentials.json"), "{}");
    expect((await probeAgent("claude", { env: envWith(dir, { CLAUDE_CONFIG_DIR: config }), uid: 1000 })).auth).toEqual({ ok: true, detail: `logged in (${join(config, ".credentials.json")})` });
    const userHome = home();
    mkdirSync(join(userHome, ".claude"));
    writeFileSync(join(userHome, ".claude", ".credentials.json"), "{}");
    expect((await probeAgent("claude", { env: { PATH: dir, HOME: userHome }, uid: 1000 })).auth?.ok).toBe(true);
  });

  it("claude without credentials: unknown (the keychain may hold them), unless `claude auth status` says", async () => {
    const old = fakeBin("claude", { version: "2.1.329", help: "--verbose", status: "error: unknown command 'auth'", statusCode: 1 });
    const unknown = await probeAgent("claude", { env: envWith(old.dir), uid: 1000, checkAuth: true });
    expect(unknown.auth).toMatchObject({ ok: undefined, advice: "run `claude auth login` (or set ANTHROPIC_API_KEY)" });
    expect(unknown.auth?.detail).toMatch(/^no ANTHROPIC_API_KEY and no .*\.credentials\.json \(the login may be in the OS keychain\)$/);
    const inKeychain = fakeBin("claude", { version: "2.1.329", help: "--verbose", status: '{"loggedIn":true,"authMethod":"claude.ai"}' });
    expect((await probeAgent("claude", { env: envWith(inKeychain.dir), uid: 1000, checkAuth: true })).auth).toEqual({ ok: true, detail: "claude auth status: logged in (claude.ai)" });
    const noMethod = fakeBin("claude", { version: "2.1.329", help: "--verbose", status: '{"loggedIn":true}' });
    expect((await probeAgent("claude", { env: envWith(noMethod.dir), uid: 1000, checkAuth: true })).auth?.detail).toBe("claude auth status: logged in (unknown method)");
    const out = fakeBin("claude", { version: "2.1.329", help: "--verbose", status: '{"loggedIn":false}' });
    expect((await probeAgent("claude", { env: envWith(out.dir), uid: 1000, checkAuth: true })).auth).toEqual({
      ok: false,
      detail: "claude auth status: not logged in, no ANTHROPIC_API_KEY",
      advice: "run `claude auth login` (or set ANTHROPIC_API_KEY)",
    });
    // A ~/.claude folder without the credentials file is no login.
    const withFolder = home();
    mkdirSync(join(withFolder, ".claude"));
    expect((await probeAgent("claude", { env: { PATH: old.dir, HOME: withFolder }, uid: 1000 })).auth?.ok).toBeUndefined();
    // Without checkAuth, nothing is asked: still unknown.
    expect((await probeAgent("claude", { env: envWith(inKeychain.dir), uid: 1000 })).auth?.ok).toBeUndefined();
  });
});
