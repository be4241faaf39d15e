import { dirname, resolve } from "node:path";
import { UserError } from "../errors.js";
import { defaultNotesPattern } from "../notes.js";
import { parseHostEntry } from "./host-entry.js";
import { DEFAULTS, type AgentKind, type RunConfig } from "./settings.js";


const CONFIG_FILES = [
  "package.json",
  ".csessrc",
  ".csessrc.json",
  "csess.config.json",
];

/** The keys a config file may hold, with the check each value must pass. */
const KEYS: Record<keyof RunConfig, (v: unknown) => boolean> = {
  agent: (v) => v === "codex" || v === "claude" || v === "custom",
  agentCmd: (v) => typeof v === "string" && v.trim() !== "",
  agentArgs: (v) => Array.isArray(v) && v.every((a) => typeof a === "string"),
  model: (v) => typeof v === "string",
  parallel: (v) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 64,
  staggerSeconds: (v) => typeof v === "number" && v >= 0,
  maxIterations: (v) => Number.isInteger(v) && (v as number) >= 1,
  timeoutMinutes: (v) => typeof v === "number" && v > 0,
  stallMinutes: (v) => typeof v === "number" && v > 0,
  check: (v) => typeof v === "string",
  into: (v) => typeof v === "string" && v !== "",
  commit: (v) => typeof v === "boolean",
  notes: (v) => v === false || (typeof v === "string" && v !== ""),
  notify: (v) => v === false || (typeof v === "string" && v.trim() !== ""),
  onUsageLimit: (v) => v === "wait" || v === "stop",
  provider: (v) => isObject(v) && typeof v.baseUrl === "string" && /^https?:\/\//.test(v.baseUrl),
  agentEnv: (v) => isObject(v) && Object.values(v).every((x) => typeof x === "string"),
  adaptive: (v) => typeof v === "boolean",
  hosts: (v) => Array.isArray(v) && v.length > 0,
  sshConfig: (v) => typeof v === "string" && v !== "",
  hostTimeoutSeconds: (v) => typeof v === "number" && v > 0,
  sshReuse: (v) => typeof v === "boolean",
  slowStart: (v) => typeof v === "boolean",
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Finds csess.config.json / .csessrc / package.json#csess from `dir` upwards to the repo root. */
export async function loadConfigFile(dir: string, stopDir: string): Promise<{ config: Partial<RunConfig>; file?: string }> {
  // Loaded here, not at start-up: `csess --help` and the other commands never read a config file.
  const { cosmiconfig } = await import("cosmiconfig");
  const explorer = cosmiconfig("csess", { searchPlaces: CONFIG_FILES, stopDir, searchStrategy: "global" });
  let found;
  try {
    found = await explorer.search(dir);
  } catch (error) {
    throw new UserError(`cannot read csess config: ${oneLine((error as Error).message)}`);
  }
  if (!found || found.isEmpty) return { config: {} };
  return { config: validateConfig(found.config, found.filepath), file: found.filepath };
}

/** cosmiconfig's parse errors span lines with a code frame: keep the file and the parser's reason. */
function oneLine(message: string): string {
  const lines = message.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !/^(>|\||\d+ \|)/.test(l));
  const file = /^JSON Error in (.+?):?$/.exec(lines[0] ?? "")?.[1];
  if (!file) return lines.join(" ");
  const reason = (lines[1] ?? "").replace(/ while parsing .*$/, "");
  return `${file} is not valid JSON (${reason}); expected a JSON object such as {"parallel": 4, "agent": "claude"}`;
}

/** The known key a misspelt one was probably meant to be. */
function closestKey(key: string): string | undefined {
  const known = Object.keys(KEYS);
  return known.find((k) => k.toLowerCase() === key.toLowerCase()) ?? known.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

function validateConfig(raw: unknown, source: string): Partial<RunConfig> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new UserError(`${source}: expected a JSON object such as {"parallel": 4, "agent": "claude"}, received ${JSON.stringify(raw)}`);
  }
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const check = KEYS[key as keyof RunConfig];
    if (!check) {
      const guess = closestKey(key);
      throw new UserError(
        `${source}: unknown setting "${key}"${guess ? ` (did you mean "${guess}"?)` : ""}; expected one of ${Object.keys(KEYS).join(", ")}`,
      );
    }
    if (!check(value)) {
      throw new UserError(
        `${source}: invalid value for "${key}": ${JSON.stringify(value)} (default is ${JSON.stringify(DEFAULTS[key as keyof typeof DEFAULTS] ?? null)})`,
      );
    }
    config[key] =
      key === "hosts" ? (value as unknown[]).map((h) => parseHostEntry(h, `${source}: hosts`)) :
      key === "sshConfig" ? resolve(dirname(source), value as string) :
      value;
  }
  return config as Partial<RunConfig>;
}

/** Command-line flags as commander parses them for `csess run`. */
export interface RunFlags {
  agent?: string;
  agentCmd?: string;
  agentArg?: string[];
  model?: string;
  parallel?: string;
  stagger?: string;
  maxIterations?: string;
  timeout?: string;
  stall?: string;
  check?: string;
  into?: string;
  commit?: boolean;
  notes?: string | boolean;
  notify?: string | false;
  onUsageLimit?: string;
  adapt?: boolean;
  host?: string[];
  sshConfig?: string;
  hostTimeout?: string;
  sshReuse?: boolean;
  slowStart?: boolean;
}

function number(flag: string, value: string | undefined, integer: boolean, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min) {
    throw new UserError(
      `--${flag}: expected ${integer ? "a whole number" : "a number"} >= ${min}, e.g. --${flag} ${Math.max(min, 1) * 3}; received "${value}"`,
    );
  }
  return n;
}

/** Defaults < config file < flags. */
export function mergeConfig(file: Partial<RunConfig>, flags: RunFlags): RunConfig {
  const fromFlags: Partial<RunConfig> = {};
  if (flags.agent !== undefined) {
    if (!KEYS.agent(flags.agent)) {
      throw new UserError(`--agent: expected codex, claude or custom (with --agent-cmd "..."); received "${flags.agent}"`);
    }
    fromFlags.agent = flags.agent as AgentKind;
  }
  if (flags.agentCmd !== undefined) fromFlags.agentCmd = flags.agentCmd;
  if (flags.agentArg?.length) fromFlags.agentArgs = flags.agentArg;
  if (flags.model !== undefined) fromFlags.model = flags.model;
  const set = <K extends keyof RunConfig>(key: K, value: RunConfig[K] | undefined) => {
    if (value !== undefined) fromFlags[key] = value;
  };
  set("parallel", number("parallel", flags.parallel, true, 1));
  set("staggerSeconds", number("stagger", flags.stagger, false, 0));
  set("maxIterations", number("max-iterations", flags.maxIterations, true, 1));
  set("timeoutMinutes", number("timeout", flags.timeout, false, 0.01));
  set("stallMinutes", number("stall", flags.stall, false, 0.01));
  set("check", flags.check);
  set("into", flags.into);
  if (flags.commit === false) fromFlags.commit = false;
  if (flags.notes === false) fromFlags.notes = false;
  else if (typeof flags.notes === "string") fromFlags.notes = flags.notes;
  if (flags.notify !== undefined) fromFlags.notify = flags.notify;
  if (flags.adapt === false) fromFlags.adaptive = false;
  if (flags.host?.length) fromFlags.hosts = flags.host.map((h) => parseHostEntry(h, "--host"));
  set("sshConfig", flags.sshConfig === undefined ? undefined : resolve(flags.sshConfig));
  set("hostTimeoutSeconds", number("host-timeout", flags.hostTimeout, false, 1));
  if (flags.sshReuse === false) fromFlags.sshReuse = false;
  if (flags.slowStart !== undefined) fromFlags.slowStart = flags.slowStart;
  if (flags.onUsageLimit !== undefined) {
    if (!KEYS.onUsageLimit(flags.onUsageLimit)) {
      throw new UserError(`--on-usage-limit: expected wait or stop; received "${flags.onUsageLimit}"`);
    }
    fromFlags.onUsageLimit = flags.onUsageLimit as "wait" | "stop";
  }
  // $CSESS_NOTES (a path pattern, or "off") sets the notes default for runs and `csess exec` alike.
  const fromEnv: Partial<RunConfig> = process.env.CSESS_NOTES ? { notes: process.env.CSESS_NOTES === "off" ? false : process.env.CSESS_NOTES } : {};
  const config: RunConfig = { ...DEFAULTS, notes: defaultNotesPattern(), ...fromEnv, ...file, ...fromFlags };
  // With hosts, --parallel is the fleet's total; unset, it is the sum of their slots.
  if (config.hosts && file.parallel === undefined && fromFlags.parallel === undefined) {
    config.parallel = Math.min(64, config.hosts.reduce((sum, h) => sum + h.slots, 0));
  }
  if (config.agent === "custom" && !config.agentCmd) {
    throw new UserError(
      `--agent custom needs the command to run, e.g. --agent custom --agent-cmd "./my-agent.sh"; received no --agent-cmd`,
    );
  }
  if (config.agent !== "custom" && config.agentCmd && fromFlags.agentCmd !== undefined) {
    throw new UserError(`--agent-cmd is only used with --agent custom; received --agent ${config.agent}`);
  }
  return config;
}
