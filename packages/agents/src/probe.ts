import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { run, which } from "./exec.js";
import type { AgentKind, AgentProbe, AuthStatus, PermissionMode } from "./types.js";

export interface ProbeOptions {
  /** Binary name or path (default "codex" / "claude" / "sh"). */
  bin?: string;
  /** The environment the agent will run with (default process.env): PATH, HOME, keys. */
  env?: NodeJS.ProcessEnv;
  /** Also ask the CLI itself (`codex login status`, `claude auth status`); slower, for doctor. */
  checkAuth?: boolean;
  /** Effective user id (default process.getuid()); claude needs IS_SANDBOX=1 as root. */
  uid?: number;
}

/** `--help` text parsed once per binary path + version: its long flags. */
const helpCache = new Map<string, Set<string>>();

const INSTALL: Record<Exclude<AgentKind, "custom">, string> = {
  codex: "npm install -g @openai/codex",
  claude: "npm install -g @anthropic-ai/claude-code",
};

/** Finds an agent CLI, its version and the flags this version accepts, and what csess will pass. */
export async function probeAgent(kind: AgentKind, options: ProbeOptions = {}): Promise<AgentProbe> {
  const env = options.env ?? process.env;
  const bin = options.bin ?? (kind === "custom" ? "sh" : kind);
  const path = which(bin, env);
  const base: AgentProbe = { kind, found: false, flags: [], env: {}, permissionMode: "none", notes: [] };
  if (!path) {
    const hint = kind === "custom" ? "custom agents run through sh -c" : `install it with \`${INSTALL[kind]}\` or pass its path`;
    return { ...base, error: `${bin} not found ${bin.includes("/") ? "(or not executable)" : "on PATH"}; ${hint}` };
  }
  if (kind === "custom") {
    return { ...base, found: true, path, flags: ["-c"], notes: ["runs --agent-cmd through sh -c in the task's worktree, prompt on stdin, CSESS_* variables set"] };
  }
  const versionRun = await run(path, ["--version"], env);
  const version = /(\d+\.\d+\.\d+[\w.-]*)/.exec(versionRun.stdout + versionRun.stderr)?.[1];
  if (versionRun.code !== 0 || !version) {
    const why = versionRun.error ?? (versionRun.stderr.trim() || versionRun.stdout.trim() || `exit ${versionRun.code}`);
    return { ...base, path, error: `\`${bin} --version\` failed: ${why.split("\n")[0]}` };
  }
  const helpArgs = kind === "codex" ? ["exec", "--help"] : ["--help"];
  const key = `${path}\0${version}`;
  let flags = helpCache.get(key);
  if (!flags) {
    const help = await run(path, helpArgs, env);
    flags = new Set((help.stdout + help.stderr).match(/--[a-z][a-z0-9-]*/g) ?? []);
    if (flags.size > 0) helpCache.set(key, flags);
  }
  const probe = kind === "codex" ? codexFlags(flags) : claudeFlags(flags, options.uid ?? process.getuid?.());
  const auth = await (kind === "codex" ? codexAuth(path, env, options.checkAuth) : claudeAuth(path, env, options.checkAuth));
  return { ...base, ...probe, found: true, path, version, auth };
}

type FlagChoice = Pick<AgentProbe, "flags" | "env" | "permissionMode" | "notes">;

function codexFlags(help: Set<string>): FlagChoice {
  const notes: string[] = [];
  const flags = ["exec"];
  let permissionMode: PermissionMode;
  if (help.has("--dangerously-bypass-approvals-and-sandbox")) {
    flags.push("--dangerously-bypass-approvals-and-sandbox");
    permissionMode = "bypass-sandbox";
    notes.push(
      "--dangerously-bypass-approvals-and-sandbox: codex's --sandbox workspace-write keeps .git read-only, and a worktree's git dir lives in the main repo, so the agent could not commit; run csess where the agent may write (a container or VM if you need isolation)",
    );
  } else if (help.has("--sandbox")) {
    flags.push("--sandbox", "danger-full-access");
    permissionMode = "danger-full-access";
    notes.push("--sandbox danger-full-access: workspace-write would block commits into the worktree's git dir");
  } else {
    flags.push("--full-auto");
    permissionMode = "full-auto";
    notes.push("--full-auto (old codex): its sandbox may block git commits; upgrade codex");
  }
  if (help.has("--full-auto")) notes.push("this version still accepts --full-auto; csess does not use it");
  else notes.push("this version rejects --full-auto (csess does not pass it)");
  if (help.has("--json")) flags.push("--json");
  else if (help.has("--experimental-json")) flags.push("--experimental-json");
  else notes.push("no --json: outcomes are classified from text only");
  if (!help.has("--output-last-message")) notes.push("no -o/--output-last-message: the last message comes from the log");
  return { flags, env: {}, permissionMode, notes };
}

function claudeFlags(help: Set<string>, uid: number | undefined): FlagChoice {
  const notes: string[] = [];
  const flags = ["-p", "--output-format", "stream-json", "--verbose", "--dangerously-skip-permissions"];
  const env: Record<string, string> = {};
  if (help.size > 0 && !help.has("--dangerously-skip-permissions")) notes.push("this version's --help does not list --dangerously-skip-permissions");
  if (uid === 0) {
    env.IS_SANDBOX = "1";
    notes.push("running as root: claude refuses --dangerously-skip-permissions as root unless IS_SANDBOX=1, so csess sets IS_SANDBOX=1");
  }
  notes.push("prompt on stdin; stream-json events (api_retry, rate_limit_event, result) are used to classify the outcome");
  return { flags, env, permissionMode: "skip-permissions", notes };
}

function present(env: NodeJS.ProcessEnv, names: string[]): string | undefined {
  return names.find((name) => (env[name] ?? "") !== "");
}

async function codexAuth(path: string, env: NodeJS.ProcessEnv, ask = false): Promise<AuthStatus> {
  const advice = "run `codex login` (or set OPENAI_API_KEY)";
  const key = present(env, ["OPENAI_API_KEY", "CODEX_API_KEY"]);
  const home = env.CODEX_HOME || join(env.HOME || homedir(), ".codex");
  const authFile = join(home, "auth.json");
  if (ask) {
    const status = await run(path, ["login", "status"], env);
    const text = (status.stdout + status.stderr).split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("WARNING")).join("; ");
    if (status.code === 0) return { ok: true, detail: `codex login status: ${text || "logged in"}` };
    if (key) return { ok: true, detail: `${key} is set (codex login status: ${text || "not logged in"})` };
    if (status.code !== null) return { ok: false, detail: `codex login status: ${text || "not logged in"}`, advice };
  }
  if (key) return { ok: true, detail: `${key} is set` };
  if (existsSync(authFile)) return { ok: true, detail: `credentials in ${authFile}` };
  return { ok: false, detail: `no ${authFile} and no OPENAI_API_KEY`, advice };
}

async function claudeAuth(path: string, env: NodeJS.ProcessEnv, ask = false): Promise<AuthStatus> {
  const advice = "run `claude auth login` (or set ANTHROPIC_API_KEY)";
  const key = present(env, ["ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "CLAUDE_CODE_OAUTH_TOKEN"]);
  if (key) return { ok: true, detail: `${key} is set` };
  const configDir = env.CLAUDE_CONFIG_DIR || join(env.HOME || homedir(), ".claude");
  if (existsSync(join(configDir, ".credentials.json"))) return { ok: true, detail: `logged in (${join(configDir, ".credentials.json")})` };
  if (ask) {
    const status = await run(path, ["auth", "status"], env);
    try {
      const parsed = JSON.parse(status.stdout) as { loggedIn?: boolean; authMethod?: string };
      if (parsed.loggedIn) return { ok: true, detail: `claude auth status: logged in (${parsed.authMethod ?? "unknown method"})` };
      return { ok: false, detail: "claude auth status: not logged in, no ANTHROPIC_API_KEY", advice };
    } catch {
      // older versions have no `auth status`; fall through
    }
  }
  return { ok: undefined, detail: `no ANTHROPIC_API_KEY and no ${join(configDir, ".credentials.json")} (the login may be in the OS keychain)`, advice };
}
