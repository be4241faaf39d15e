// --host / hosts: parsing and the fleet's parallel default (pure functions, no processes).
import { describe, expect, it } from "vitest";
import { mergeConfig } from "../src/run/config.js";
import { parseHostEntry } from "../src/run/host-entry.js";

describe("hosts", () => {
  it("parses DEST[:SLOTS] and config objects", () => {
    expect(parseHostEntry("build1:4", "--host")).toEqual({ host: "build1", slots: 4 });
    expect(parseHostEntry("me@build2.example.com", "--host")).toEqual({ host: "me@build2.example.com", slots: 3 });
    expect(parseHostEntry("local:2", "--host")).toEqual({ host: "local", slots: 2 });
    expect(parseHostEntry({ host: "b3", slots: 2, dir: "/srv/csess" }, "hosts")).toEqual({ host: "b3", slots: 2, dir: "/srv/csess" });
  }, 5_000);

  it("rejects what ssh would misread, with an example", () => {
    for (const bad of ["build1:x", "build1:0", "-oProxyCommand=x", "ssh://h:22", "two words", "", { host: "h", slots: 0 }, { host: "h", extra: 1 }]) {
      expect(() => parseHostEntry(bad, "--host"), JSON.stringify(bad)).toThrow(/--host: expected .*e\.g\. --host local:2 --host build1:4.*received/);
    }
  }, 5_000);

  it("--parallel defaults to the sum of the slots, and an explicit one stays the total", () => {
    expect(mergeConfig({}, { host: ["local:2", "build1:4"] }).parallel).toBe(6);
    expect(mergeConfig({}, { host: ["local:2", "build1:4"], parallel: "3" }).parallel).toBe(3);
    expect(mergeConfig({}, {}).hosts).toBeUndefined();
  }, 5_000);
});
