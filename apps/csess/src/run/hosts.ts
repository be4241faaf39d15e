import type { HostSlots } from "@csess/scheduler";
import { SshTmux, type Executor, type Tmux } from "@csess/tmux";
import { join } from "node:path";
import { UserError } from "../errors.js";
import type { RunConfig } from "./config.js";
import type { Stamps } from "./stamps.js";
import { RemoteWorkspace } from "./workspace.js";

/** This machine, as a host name (`--host local:4`). */
export const LOCAL = "local";
/** Slots of a host given without `:N`. */
export const DEFAULT_SLOTS = 3;

/** One machine of the fleet, as the run's config keeps it (journaled, so `resume` finds the same hosts). */
export interface HostConfig {
  /** `local`, or an OpenSSH destination (a ~/.ssh/config alias, host, user@host). */
  host: string;
  slots: number;
  /** csess's directory on the host (default `.csess-remote` in the login directory). */
  dir?: string;
}

const EXAMPLE = `e.g. --host local:2 --host build1:4, or in csess.config.json "hosts": ["build1:4", {"host": "me@build2", "slots": 2, "dir": "/srv/csess"}]`;

/** `DEST[:SLOTS]`, or `{ host, slots?, dir? }` from a config file. */
export function parseHostEntry(value: unknown, where: string): HostConfig {
  if (typeof value === "string") {
    const match = /^([^\s:/-][^\s:]*?)(?::(\d+))?$/.exec(value);
    const slots = match?.[2] === undefined ? DEFAULT_SLOTS : Number(match[2]);
    if (!match?.[1] || slots < 1 || slots > 64) throw new UserError(`${where}: expected DEST or DEST:SLOTS (SLOTS 1-64), ${EXAMPLE}; received ${JSON.stringify(value)}`);
    return { host: match[1], slots };
  }
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const { host, slots, dir, ...rest } = value as Record<string, unknown>;
    const ok = typeof host === "string" && /^[^\s:/-][^\s:]*$/.test(host) && Object.keys(rest).length === 0 &&
      (slots === undefined || (Number.isInteger(slots) && (slots as number) >= 1 && (slots as number) <= 64)) &&
      (dir === undefined || (typeof dir === "string" && dir !== ""));
    if (ok) return { host: host as string, slots: (slots as number | undefined) ?? DEFAULT_SLOTS, ...(dir === undefined ? {} : { dir: dir as string }) };
  }
  throw new UserError(`${where}: expected a host such as "build1:4" or {"host": "build1", "slots": 4, "dir": "/srv/csess"}, ${EXAMPLE}; received ${JSON.stringify(value)}`);
}

/** The run's machines: an executor and, for ssh hosts, a git workspace per host. */
export class Fleet {
  private readonly remotes = new Map<string, { executor: SshTmux; workspace: RemoteWorkspace }>();

  constructor(
    readonly local: Tmux,
    private readonly config: Pick<RunConfig, "hosts" | "sshConfig" | "hostTimeoutSeconds" | "sshReuse">,
    private readonly repoRoot: string,
    private readonly run: { id: string; stamps: Stamps },
  ) {}

  /** Slots per host for the scheduler; undefined without `--host` (everything runs here). */
  slots(): HostSlots[] | undefined {
    return this.config.hosts?.map((h) => ({ name: h.host, slots: h.slots }));
  }

  /** The executor of a host (this machine for undefined or `local`). */
  executor(host: string | undefined): Executor {
    return host === undefined || host === LOCAL ? this.local : this.remote(host).executor;
  }

  /** The git workspace of an ssh host; undefined for this machine. */
  workspace(host: string | undefined): RemoteWorkspace | undefined {
    return host === undefined || host === LOCAL ? undefined : this.remote(host).workspace;
  }

  private remote(host: string): { executor: SshTmux; workspace: RemoteWorkspace } {
    let found = this.remotes.get(host);
    if (!found) {
      const dir = this.config.hosts?.find((h) => h.host === host)?.dir;
      const executor = new SshTmux({
        host,
        home: this.local.home,
        ...(this.config.sshConfig ? { configFile: this.config.sshConfig } : {}),
        ...(this.config.sshReuse === false ? {} : { controlDir: join(this.local.home, "ssh") }),
        ...(dir ? { workDir: dir } : {}),
        unreachableAfterMs: (this.config.hostTimeoutSeconds ?? 60) * 1000,
      });
      found = { executor, workspace: new RemoteWorkspace(executor, this.repoRoot, this.run) };
      this.remotes.set(host, found);
    }
    return found;
  }
}
