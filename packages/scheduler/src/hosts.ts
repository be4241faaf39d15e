/** A machine iterations run on, with the most it may run at once (`--host build1:4`). */
export interface HostSlots {
  name: string;
  slots: number;
}

/**
 * Per-host slots under the fleet-wide limit. The scheduler never lets more iterations run than the
 * slots of the hosts still up, so whenever it starts one, some host has room (running < capacity).
 */
export class HostPool {
  private readonly hosts: { name: string; slots: number; running: number; down: boolean }[];

  constructor(hosts: HostSlots[]) {
    const seen = new Set<string>();
    this.hosts = hosts.map((h) => {
      if (typeof h.name !== "string" || h.name === "" || seen.has(h.name)) {
        throw new RangeError(`hosts must have distinct non-empty names, e.g. [{ name: "local", slots: 4 }, { name: "build1", slots: 4 }]; received ${JSON.stringify(h.name)}`);
      }
      if (!Number.isInteger(h.slots) || h.slots < 1) {
        throw new RangeError(`host ${h.name}: slots must be a whole number from 1 up, e.g. 4; received ${String(h.slots)}`);
      }
      seen.add(h.name);
      return { name: h.name, slots: h.slots, running: 0, down: false };
    });
  }

  /** Slots on the hosts still up. */
  capacity(): number {
    return this.hosts.reduce((sum, h) => sum + (h.down ? 0 : h.slots), 0);
  }

  /** The up host with the most room (relative to its slots), earlier hosts first on a tie; undefined when all are full. */
  pick(): string | undefined {
    let best: (typeof this.hosts)[number] | undefined;
    for (const h of this.hosts) {
      if (h.down || h.running >= h.slots) continue;
      if (!best || h.running / h.slots < best.running / best.slots) best = h;
    }
    return best?.name;
  }

  /** Counts an iteration on `name` (a host not in the pool, e.g. from an earlier run's journal, is counted nowhere). */
  started(name: string): void {
    const host = this.hosts.find((h) => h.name === name);
    if (host) host.running++;
  }

  finished(name: string): void {
    const host = this.hosts.find((h) => h.name === name);
    if (host) host.running--;
  }

  /** Takes a host out of the pool for the rest of the run; returns false when it already was. */
  markDown(name: string): boolean {
    const host = this.hosts.find((h) => h.name === name);
    if (!host || host.down) return false;
    host.down = true;
    return true;
  }
}
