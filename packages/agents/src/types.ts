export type AgentKind = "codex" | "claude" | "custom";

export const AGENT_KINDS: readonly AgentKind[] = ["codex", "claude", "custom"];

/** How csess lets the agent act without asking: the choice and the reason are shown by `csess doctor`. */
export type PermissionMode =
  | "bypass-sandbox" // codex --dangerously-bypass-approvals-and-sandbox
  | "danger-full-access" // codex --sandbox danger-full-access (versions without the bypass flag)
  | "full-auto" // old codex --full-auto (workspace-write: commits into a worktree's git dir may fail)
  | "skip-permissions" // claude --dangerously-skip-permissions
  | "none"; // custom commands: csess runs them as given

export interface AuthStatus {
  /** true: credentials found; false: none found; undefined: could not tell. */
  ok?: boolean;
  detail: string;
  /** What to do when ok is false, e.g. "run `codex login`". */
  advice?: string;
}

export interface AgentProbe {
  kind: AgentKind;
  found: boolean;
  /** Absolute path of the binary (`sh` for custom). */
  path?: string;
  /** e.g. "0.169.0" */
  version?: string;
  /** The fixed flags csess passes (before per-task ones such as -C, -o, --model). */
  flags: string[];
  /** Extra environment csess sets for this agent (e.g. IS_SANDBOX=1 for claude as root). */
  env: Record<string, string>;
  permissionMode: PermissionMode;
  /** Why those flags, version quirks, anything a user should know. */
  notes: string[];
  auth?: AuthStatus;
  /** Why the agent is unusable, when found is false. */
  error?: string;
}

/** The CSESS_* variables every agent process gets (the custom agent contract). */
export interface CsessTaskEnv {
  taskId: string;
  taskTitle: string;
  runId: string;
  /** The PRD path inside the worktree. */
  prd: string;
  iteration: number;
}

/** A custom OpenAI-Responses (codex) or Anthropic-Messages (claude) endpoint. */
export interface ProviderEndpoint {
  /** codex: the Responses base URL incl. /v1 (e.g. http://127.0.0.1:8080/v1); claude: ANTHROPIC_BASE_URL. */
  baseUrl: string;
  /** codex: name of the env var holding the API key (`env_key`); it must be set in the agent's env. */
  envKey?: string;
  /** codex: provider id in `model_providers.<name>` (default "csess"). */
  name?: string;
  /** codex: `request_max_retries` / `stream_max_retries` for this provider (codex defaults apply when unset). */
  requestMaxRetries?: number;
  streamMaxRetries?: number;
}

export interface InvocationOptions {
  worktree: string;
  promptFile: string;
  /** codex -o: where the agent's last message is written. */
  lastMessageFile?: string;
  model?: string;
  /** Appended as given (e.g. codex `-c key=value` pairs from the user's config). */
  extraArgs?: string[];
  /** custom: the command run through `sh -c`. */
  agentCmd?: string;
  env: CsessTaskEnv;
  provider?: ProviderEndpoint;
}

/** What the tmux wrapper runs: argv (never through a shell, except custom's `sh -c CMD`), in cwd. */
export interface Invocation {
  argv: string[];
  /** Variables to set on top of the environment csess was started with. */
  env: Record<string, string>;
  /** The file to feed on stdin (the prompt). */
  stdinFile: string;
  cwd: string;
}

export type OutcomeClass =
  | "success"
  | "failed"
  | "rate-limited"
  | "usage-limit"
  | "overloaded"
  | "auth"
  | "not-installed"
  | "bad-flags"
  | "timeout";

/** What an agent reported about its own consumption (never estimated by csess). */
export interface TokenUsage {
  input: number;
  output: number;
  total: number;
  /** US dollars, when the agent states it (claude's `total_cost_usd`; codex does not say). */
  costUsd?: number;
}

export interface Outcome {
  class: OutcomeClass;
  /** rate-limited / overloaded: how long to wait when the agent said so. usage-limit: until the reset. */
  retryAfterMs?: number;
  /** usage-limit: when the limit resets (ISO 8601). */
  resetAt?: string;
  tokens?: TokenUsage;
  /** One line: the agent's last message on success, the error otherwise. */
  summary: string;
  /** What the user can do about it. */
  advice?: string;
}

export interface OutcomeInput {
  kind: AgentKind;
  /** null when the process was killed or its exit code was lost. */
  exitCode: number | null;
  /** Everything the agent printed (stdout + stderr), including --json / stream-json events. */
  output: string;
  /** codex -o file contents, when there is one. */
  lastMessage?: string;
  /** The runner killed the agent for running too long or going silent. */
  timedOut?: boolean;
  /** Reference time for relative reset times ("try again at 3:28 PM"). */
  now?: Date;
}
