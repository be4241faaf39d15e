import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { AgentProbe, Invocation, InvocationOptions, ProviderEndpoint } from "./types.js";

/** The CSESS_* variables of the custom agent contract (every agent kind gets them). */
export function csessEnv(options: InvocationOptions): Record<string, string> {
  return {
    CSESS_TASK_ID: options.env.taskId,
    CSESS_TASK_TITLE: options.env.taskTitle,
    CSESS_RUN_ID: options.env.runId,
    CSESS_PRD: options.env.prd,
    CSESS_PROMPT_FILE: options.promptFile,
    CSESS_ITERATION: String(options.env.iteration),
  };
}

/**
 * The command the tmux wrapper runs for one iteration. Task text never appears in argv: the prompt
 * goes on stdin (`stdinFile`), task fields only into environment variables.
 */
export function buildInvocation(probe: AgentProbe, options: InvocationOptions): Invocation {
  if (!probe.found || !probe.path) {
    throw new Error(`cannot run ${probe.kind}: ${probe.error ?? "not found"} (run \`csess doctor\` to see what is missing)`);
  }
  const cwd = resolve(options.worktree);
  const env = { ...probe.env, ...csessEnv(options) };
  const extra = options.extraArgs ?? [];
  const common = { env, stdinFile: options.promptFile, cwd };
  switch (probe.kind) {
    case "custom": {
      if (!options.agentCmd?.trim()) {
        throw new Error('--agent custom needs --agent-cmd CMD, e.g. --agent-cmd "my-agent --yes" (CMD reads the prompt on stdin)');
      }
      return { argv: [probe.path, "-c", options.agentCmd], ...common };
    }
    case "codex": {
      const argv = [probe.path, ...probe.flags, "-C", cwd];
      if (options.lastMessageFile) argv.push("-o", options.lastMessageFile);
      if (options.model) argv.push("-m", options.model);
      if (options.provider) argv.push(...codexProviderArgs(options.provider));
      if (!insideGitRepo(cwd)) argv.push("--skip-git-repo-check");
      argv.push(...extra, "-"); // "-": read the prompt from stdin
      return { argv, ...common };
    }
    case "claude": {
      const argv = [probe.path, ...probe.flags];
      if (options.model) argv.push("--model", options.model);
      argv.push(...extra);
      if (options.provider) env.ANTHROPIC_BASE_URL = options.provider.baseUrl;
      return { argv, ...common };
    }
  }
}

/** TOML basic string: codex parses `-c` values as TOML. */
function tomlString(value: string): string {
  return JSON.stringify(value);
}

/**
 * `-c` overrides that point codex at a custom Responses endpoint:
 * `-c model_provider=NAME -c model_providers.NAME={name=..., base_url=..., wire_api="responses", ...}`.
 */
export function codexProviderArgs(provider: ProviderEndpoint): string[] {
  const name = provider.name ?? "csess";
  if (!/^[A-Za-z0-9_-]+$/.test(name)) {
    throw new Error(`provider name must be letters, digits, _ or - (it becomes a TOML key), e.g. "local"; received ${JSON.stringify(name)}`);
  }
  const fields = [`name=${tomlString(name)}`, `base_url=${tomlString(provider.baseUrl)}`, `wire_api="responses"`];
  if (provider.envKey) fields.push(`env_key=${tomlString(provider.envKey)}`);
  if (provider.requestMaxRetries !== undefined) fields.push(`request_max_retries=${provider.requestMaxRetries}`);
  if (provider.streamMaxRetries !== undefined) fields.push(`stream_max_retries=${provider.streamMaxRetries}`);
  return ["-c", `model_provider=${tomlString(name)}`, "-c", `model_providers.${name}={${fields.join(",")}}`];
}

/** True when dir or a parent has a `.git` (a directory, or the file a worktree has). */
function insideGitRepo(dir: string): boolean {
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, ".git"))) return true;
    if (dirname(current) === current) return false;
  }
}
