/**
 * Reset times as agent CLIs print them:
 *   codex  "... or try again at 3:28 PM."  /  "... try again at Aug 8th, 2026 12:30 PM."
 *   claude "You've hit your 5-hour limit · resets 6:26am (UTC)"  /  "resets 1pm (Europe/Lisbon)"
 *          "Claude AI usage limit reached|1755000000" (epoch seconds)
 * Times without a zone are the machine's local time (the CLI ran on this machine).
 */
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAY_MS = 86_400_000;

interface WallTime {
  year?: number;
  month?: number; // 0-11
  day?: number;
  hour: number;
  minute: number;
}

export function parseResetTime(text: string, now: Date): Date | undefined {
  const epoch = /\|(\d{10,13})\b/.exec(text)?.[1];
  if (epoch) return new Date(epoch.length > 10 ? Number(epoch) : Number(epoch) * 1000);
  const relative = /try again in ((?:[^.\n]|\.(?=\d))+)/i.exec(text)?.[1];
  if (relative) {
    const ms = parseDuration(relative);
    if (ms !== undefined) return new Date(now.getTime() + ms);
  }
  const phrase = /(?:try again at|resets(?: at| on)?)\s+([^\n]*)/i.exec(text)?.[1];
  if (!phrase) return undefined;
  const zone = /\(([A-Za-z_]+(?:\/[A-Za-z_+-]+)*|UTC|GMT)\)/.exec(phrase)?.[1];
  const wall = parseWallTime(phrase);
  if (!wall) return undefined;
  return resolveWallTime(wall, zone && isZone(zone) ? zone : undefined, now);
}

/** "20s", "1.5 seconds", "5 minutes", "2 hours 3 minutes", "3 days" -> ms. */
export function parseDuration(text: string): number | undefined {
  let total = 0;
  let matched = false;
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)\b/gi)) {
    total += Number(m[1]) * unitMs((m[2] ?? "").toLowerCase());
    matched = true;
  }
  return matched ? Math.round(total) : undefined;
}

function unitMs(unit: string): number {
  if (unit === "ms" || unit.startsWith("milli")) return 1;
  if (unit.startsWith("s")) return 1000;
  if (unit.startsWith("m")) return 60_000;
  if (unit.startsWith("h")) return 3_600_000;
  return DAY_MS;
}

function parseWallTime(phrase: string): WallTime | undefined {
  const time = /\b(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\.?(?![a-z])/i.exec(phrase);
  const time24 = time ? undefined : /\b(\d{1,2}):(\d{2})\b/.exec(phrase);
  if (!time && !time24) return undefined;
  let hour = Number((time ?? time24)?.[1]);
  const minute = Number((time ?? time24)?.[2] ?? 0);
  if (time) {
    const pm = (time[3] ?? "").toLowerCase() === "p";
    hour = (hour % 12) + (pm ? 12 : 0);
  }
  if (hour > 23 || minute > 59) return undefined;
  const wall: WallTime = { hour, minute };
  const date = /\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?:,?\s+(\d{4})\b)?/i.exec(phrase);
  if (date) {
    wall.month = MONTHS.indexOf((date[1] ?? "").toLowerCase());
    wall.day = Number(date[2]);
    if (date[3]) wall.year = Number(date[3]);
  }
  return wall;
}

function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Calendar fields of an instant in a zone (undefined: local time). */
function fieldsIn(t: number, zone: string | undefined): { year: number; month: number; day: number } {
  if (!zone) {
    const d = new Date(t);
    return { year: d.getFullYear(), month: d.getMonth(), day: d.getDate() };
  }
  const parts = new Intl.DateTimeFormat("en-US", { timeZone: zone, year: "numeric", month: "numeric", day: "numeric" }).formatToParts(t);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return { year: get("year"), month: get("month") - 1, day: get("day") };
}

/** Offset of a zone from UTC at an instant, in ms (wall clock minus UTC). */
function offsetOf(t: number, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric",
  }).formatToParts(t);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return wall - Math.floor(t / 1000) * 1000;
}

function instant(year: number, month: number, day: number, hour: number, minute: number, zone: string | undefined): number {
  if (!zone) return new Date(year, month, day, hour, minute).getTime();
  const guess = Date.UTC(year, month, day, hour, minute);
  const first = guess - offsetOf(guess, zone);
  return guess - offsetOf(first, zone); // second pass settles DST edges
}

/** A wall time without a date is the next such time; a date without a year is the next such date. */
function resolveWallTime(wall: WallTime, zone: string | undefined, now: Date): Date {
  const today = fieldsIn(now.getTime(), zone);
  const graceMs = 60_000; // "try again at 3:28 PM" printed at 3:28:30 PM still means today
  if (wall.month === undefined || wall.day === undefined) {
    let t = instant(today.year, today.month, today.day, wall.hour, wall.minute, zone);
    if (t < now.getTime() - graceMs) {
      const tomorrow = fieldsIn(t + DAY_MS, zone);
      t = instant(tomorrow.year, tomorrow.month, tomorrow.day, wall.hour, wall.minute, zone);
    }
    return new Date(t);
  }
  let year = wall.year ?? today.year;
  let t = instant(year, wall.month, wall.day, wall.hour, wall.minute, zone);
  if (wall.year === undefined && t < now.getTime() - DAY_MS) {
    year += 1;
    t = instant(year, wall.month, wall.day, wall.hour, wall.minute, zone);
  }
  return new Date(t);
}
