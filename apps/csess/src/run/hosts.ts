import type { HostSlots } from "@csess/scheduler";
import { SshTmux, type Executor, type Tmux } from "@csess/tmux";
import { join } from "node:path";
import type { RunConfig } from "./settings.js";
import { LOCAL } from "./host-entry.js";
import type { Stamps } from "./stamps.js";
import { RemoteWorkspace } from "./workspace.js";

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
