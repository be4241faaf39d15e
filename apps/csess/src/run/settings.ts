// The run settings: their shape and the defaults (light: `csess run --help` shows the defaults without loading the runner).
import type { ProviderEndpoint } from "@csess/agents";
import type { HostConfig } from "./host-entry.js";

export type AgentKind = "codex" | "claude" | "custom";

/** Everything `csess run` can be told, after defaults, config file and flags are merged. */
export interface RunConfig {
  agent: AgentKind;
  agentCmd?: string;
  /** Extra arguments appended to the agent CLI (e.g. ["-c", "model_reasoning_effort=low"]). */
  agentArgs: string[];
  model?: string;
  parallel: number;
  staggerSeconds: number;
  maxIterations: number;
  timeoutMinutes: number;
  stallMinutes: number;
  check?: string;
  /** Integration branch; default: the branch checked out when the run starts. */
  into?: string;
  /** Commit the checkbox ticks on the integration branch (false: leave them uncommitted). */
  commit: boolean;
  /** Daily notes file pattern (absolute, or relative to the repo root), or false to keep no notes. */
  notes: string | false;
  /** Completion hook (shell command, gets CSESS_* variables) after each task and at the end; false: none. Default openclaw / notify-send when installed. */
  notify?: string | false;
  /** What to do when a usage limit resets further away than 15 minutes. */
  onUsageLimit: "wait" | "stop";
  /** A custom model endpoint (codex: a Responses API provider; claude: ANTHROPIC_BASE_URL). */
  provider?: ProviderEndpoint;
  /** Extra environment for the agent sessions (e.g. CODEX_HOME), on top of csess's own. */
  agentEnv: Record<string, string>;
  /** false: no fleet-wide pause or concurrency cut on rate limits (a benchmark baseline; hidden --no-adapt). */
  adaptive: boolean;
  /** Machines to run on (`--host`, `hosts:`); none: this machine only, `parallel` slots. */
  hosts?: HostConfig[];
  /** ssh config file passed as `ssh -F` to every ssh call (`--ssh-config`). */
  sshConfig?: string;
  /** A host that does not answer for this long has its tasks requeued on the others (`--host-timeout`). */
  hostTimeoutSeconds: number;
  /** false: no ssh connection reuse (a benchmark baseline; hidden --no-ssh-reuse). */
  sshReuse: boolean;
  /**
   * Start with one agent and add more while starts go clean (finds a tight quota without a burst).
   * Default: on for codex and claude (a shared provider quota), off for custom agents.
   */
  slowStart?: boolean;
}

/** The run settings when neither a flag nor a config file gives one (also shown in `csess run --help`). */
export const DEFAULTS: Omit<RunConfig, "notes"> = {
  agent: "codex",
  agentArgs: [],
  parallel: 3,
  staggerSeconds: 5,
  maxIterations: 3,
  timeoutMinutes: 60,
  stallMinutes: 10,
  commit: true,
  onUsageLimit: "wait",
  agentEnv: {},
  adaptive: true,
  hostTimeoutSeconds: 60,
  sshReuse: true,
};
