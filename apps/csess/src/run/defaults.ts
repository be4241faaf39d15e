import type { RunConfig } from "./config.js";

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
