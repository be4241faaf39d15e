import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { addedToPath, agentPathAdditions, extendAgentPath } from "../src/agent-path.js";
import { formatDoctor, runDoctor } from "../src/commands/doctor.js";

// The macOS rule runs here on Linux with platform "darwin": /usr/local/bin exists on this machine
// (the real folder is checked), /opt/homebrew/bin does not.
describe("agents' PATH on macOS", () => {
  it("appends /opt/homebrew/bin and /usr/local/bin when they exist and are missing, once", () => {
    const env: NodeJS.ProcessEnv = { PATH: "/usr/bin:/bin" };
    extendAgentPath(env, "darwin");
    const expected = ["/opt/homebrew/bin", "/usr/local/bin"].filter((dir) => existsSync(dir));
    expect(env.PATH).toBe(["/usr/bin", "/bin", ...expected].join(":"));
    extendAgentPath(env, "darwin");
    expect(env.PATH).toBe(["/usr/bin", "/bin", ...expected].join(":"));
    expect(agentPathAdditions({ PATH: "/usr/local/bin:/opt/homebrew/bin" }, "darwin")).toEqual([]);
  }, 10_000);

  it("changes nothing on Linux", () => {
    const env: NodeJS.ProcessEnv = { PATH: "/usr/bin" };
    extendAgentPath(env, "linux");
    expect(env.PATH).toBe("/usr/bin");
  }, 10_000);

  it("doctor says which folders csess added", async () => {
    addedToPath.length = 0;
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH!.split(":").filter((d) => d !== "/usr/local/bin").join(":") };
    extendAgentPath(env, "darwin");
    const report = await runDoctor(env, "custom");
    if (existsSync("/usr/local/bin")) {
      expect(report.pathAdded.map((a) => a.dir)).toContain("/usr/local/bin");
      expect(formatDoctor(report)).toMatch(/added by csess: \/usr\/local\/bin \(macOS: /);
    }
    addedToPath.length = 0;
  }, 30_000);
});
