import { describe, expect, it } from "vitest";
import { parseDuration, parseResetTime } from "../src/index.js";

// When a usage limit resets decides how long csess holds an agent back: too early and it burns a start
// on a certain failure, too late and the run sits idle. Local times are built with the Date constructor,
// so these tests hold in any machine time zone.
const NOW = new Date(2026, 10, 21, 14, 0, 0); // 21 Nov 2026 14:00 local time
const iso = (d: Date | undefined) => d?.toISOString();
const local = (...fields: [number, number, number, number, number]) => new Date(...fields).toISOString();

describe("parseDuration", () => {
  it.each([
    ["250ms", 250],
    ["2 milliseconds", 2],
    ["1 millisecond", 1],
    ["20s", 20_000],
    ["1 sec", 1000],
    ["3 secs", 3000],
    ["1 second", 1000],
    ["2 seconds", 2000],
    ["5m", 300_000],
    ["1 min", 60_000],
    ["5 mins", 300_000],
    ["1 minute", 60_000],
    ["12 minutes", 720_000],
    ["2h", 7_200_000],
    ["1 hr", 3_600_000],
    ["2 hrs", 7_200_000],
    ["1 hour", 3_600_000],
    ["3 hours", 10_800_000],
    ["3d", 259_200_000],
    ["1 day", 86_400_000],
    ["2 days", 172_800_000],
    ["1.5 hours", 5_400_000],
    ["1.25 hours", 4_500_000],
    ["2 hours 30 minutes", 9_000_000],
    ["5 MINUTES", 300_000],
    ["0.5s", 500],
  ])("%s = %d ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it("text without a number and a unit is no duration", () => {
    expect(parseDuration("a moment")).toBeUndefined();
    expect(parseDuration("5 apples")).toBeUndefined();
    expect(parseDuration("10x")).toBeUndefined();
  });
});

describe("parseResetTime", () => {
  it("'try again in <duration>' counts from now", () => {
    expect(iso(parseResetTime("Rate limited. Please try again in 2 hours 3 minutes.", NOW))).toBe(new Date(NOW.getTime() + 123 * 60_000).toISOString());
  });

  it("an epoch after '|' in seconds or in milliseconds", () => {
    expect(iso(parseResetTime("limit reached|1755000000", NOW))).toBe(new Date(1755000000 * 1000).toISOString());
    expect(iso(parseResetTime("limit reached|1755000000123", NOW))).toBe(new Date(1755000000123).toISOString());
  });

  it("12-hour and 24-hour clock times", () => {
    expect(iso(parseResetTime("try again at 11:30 PM.", NOW))).toBe(local(2026, 10, 21, 23, 30));
    expect(iso(parseResetTime("resets 3pm", NOW))).toBe(local(2026, 10, 21, 15, 0));
    expect(iso(parseResetTime("resets at 17:45", NOW))).toBe(local(2026, 10, 21, 17, 45));
    expect(iso(parseResetTime("resets at 23:59", NOW))).toBe(local(2026, 10, 21, 23, 59));
    expect(iso(parseResetTime("resets at 12:59 pm", NOW))).toBe(local(2026, 10, 22, 12, 59));
    expect(iso(parseResetTime("resets at 9:05 a.m.", NOW))).toBe(local(2026, 10, 22, 9, 5));
  });

  it("no time, or an impossible one, is no reset time", () => {
    expect(parseResetTime("resets soon", NOW)).toBeUndefined();
    expect(parseResetTime("resets at 24:00", NOW)).toBeUndefined();
    expect(parseResetTime("resets at 12:60", NOW)).toBeUndefined();
    expect(parseResetTime("You've hit your limit", NOW)).toBeUndefined();
  });

  it("a time a minute ago is still today (the CLI printed it as the minute turned); earlier means tomorrow", () => {
    expect(iso(parseResetTime("try again at 1:59 PM", NOW))).toBe(local(2026, 10, 21, 13, 59));
    expect(iso(parseResetTime("try again at 1:58 PM", NOW))).toBe(local(2026, 10, 22, 13, 58));
    const halfPast = new Date(2026, 10, 21, 14, 0, 30);
    expect(iso(parseResetTime("try again at 2:00 PM", halfPast))).toBe(local(2026, 10, 21, 14, 0));
  });

  it.each(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].map((m, i) => [m, i] as const))(
    "a date in %s with a year",
    (month, index) => {
      expect(iso(parseResetTime(`try again at ${month} 5th, 2027 3:00 PM.`, NOW))).toBe(local(2027, index, 5, 15, 0));
    },
  );

  it("dates as the CLIs write them: full month names, ordinals, with or without a comma before the year", () => {
    expect(iso(parseResetTime("try again at August 18th, 2027 12:30 PM.", NOW))).toBe(local(2027, 7, 18, 12, 30));
    expect(iso(parseResetTime("try again at Aug 1st 2027 9:00 AM", NOW))).toBe(local(2027, 7, 1, 9, 0));
    expect(iso(parseResetTime("try again at Aug 2nd, 2027 9:00 AM", NOW))).toBe(local(2027, 7, 2, 9, 0));
    expect(iso(parseResetTime("try again at Aug 3rd, 2027 9:00 AM", NOW))).toBe(local(2027, 7, 3, 9, 0));
    expect(iso(parseResetTime("try again at Aug. 8, 2027 9:00 AM", NOW))).toBe(local(2027, 7, 8, 9, 0));
    expect(iso(parseResetTime("resets on Aug  8 2027 9:00 AM", NOW))).toBe(local(2027, 7, 8, 9, 0));
    // A year that is not the next such date's: only read from the text, with or without a comma, one space or more.
    expect(iso(parseResetTime("try again at Jan 5 2028 3:00 PM", NOW))).toBe(local(2028, 0, 5, 15, 0));
    expect(iso(parseResetTime("resets on Jan  5  2028 3pm", NOW))).toBe(local(2028, 0, 5, 15, 0));
  });

  it("a date without a year is the next such date: this year unless it was more than a day ago", () => {
    expect(iso(parseResetTime("resets Jan 5 3pm", NOW))).toBe(local(2027, 0, 5, 15, 0));
    expect(iso(parseResetTime("resets Nov 21 3pm", NOW))).toBe(local(2026, 10, 21, 15, 0));
    expect(iso(parseResetTime("resets Nov 20 2pm", NOW))).toBe(local(2026, 10, 20, 14, 0)); // exactly a day ago
    expect(iso(parseResetTime("resets Nov 20 1pm", NOW))).toBe(local(2027, 10, 20, 13, 0));
  });

  it("a time in a named zone is that zone's wall time, on that zone's date", () => {
    expect(iso(parseResetTime("resets 6:26am (UTC)", new Date("2026-07-10T05:00:00Z")))).toBe("2026-07-10T06:26:00.000Z");
    expect(iso(parseResetTime("resets 9am (America/Argentina/Buenos_Aires)", new Date("2026-07-10T05:00:00Z")))).toBe("2026-07-10T12:00:00.000Z");
    // 23:30 UTC is already 08:30 tomorrow in Tokyo: 7am there has passed, so it is 7am the day after.
    expect(iso(parseResetTime("resets 7am (Asia/Tokyo)", new Date("2026-07-10T23:30:00Z")))).toBe("2026-07-11T22:00:00.000Z");
  });

  it("a wall time just before a zone's autumn clock change resolves to the right instant", () => {
    // Lisbon leaves summer time at 01:00 UTC on 25 Oct 2026; 00:30 that night is still summer time (UTC+1).
    expect(iso(parseResetTime("resets 12:30am (Europe/Lisbon)", new Date("2026-10-24T23:00:00Z")))).toBe("2026-10-24T23:30:00.000Z");
  });

  it("an unknown zone name is ignored: the time is local", () => {
    expect(iso(parseResetTime("resets 3pm (Mars/Olympus)", NOW))).toBe(local(2026, 10, 21, 15, 0));
  });
});
