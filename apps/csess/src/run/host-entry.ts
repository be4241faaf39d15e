import { UserError } from "../errors.js";

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
