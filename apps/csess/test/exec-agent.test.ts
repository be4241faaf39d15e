// `csess exec --agent codex "task text"`: the REAL codex CLI (devDependency @openai/codex 0.169.0) in a
// real tmux session, pointed at the scripted model server through its own CODEX_HOME config (no
// network, no API key). Checks the flags this version accepts, the prompt fed on stdin (never in
// argv), a readable (not JSON) log and the recorded exit code.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startModelServer, type ModelServer } from "@csess/model-server";
import { makeCliSandbox, type CliSandbox } from "./tmux-helpers.js";

const LOCAL_BIN = path.resolve(import.meta.dirname, "../node_modules/.bin");
let box: CliSandbox;
let server: ModelServer;

beforeEach(async () => {
  box = await makeCliSandbox();
  server = await startModelServer({ scenarios: {}, defaultScenario: "no-op" });
  const codexHome = path.join(box.dir, "codex-home");
  await mkdir(codexHome, { recursive: true });
  await writeFile(path.join(codexHome, "config.toml"), [
    'model = "gpt-5.1-codex"',
    'model_provider = "scripted"',
    "[model_providers.scripted]",
    'name = "scripted"',
    `base_url = "${server.openaiBaseUrl}"`,
    'wire_api = "responses"',
    'env_key = "CSESS_TEST_KEY"',
    "request_max_retries = 0",
    "stream_max_retries = 0",
    "",
  ].join("\n"));
  Object.assign(process.env, { CODEX_HOME: codexHome, CSESS_TEST_KEY: "scripted", PATH: `${LOCAL_BIN}:${process.env.PATH}` });
});
afterEach(async () => {
  await box.cleanup();
  await server.close();
  delete process.env.CODEX_HOME;
  delete process.env.CSESS_TEST_KEY;
});

describe("csess exec --agent", () => {
  it("runs one codex task with the flags codex 0.169 accepts, the text on stdin only, and a readable log", async () => {
    const text = "Say hello; don't run `rm -rf /` $(whoami)";
    const started = await box.csess("exec", "--agent", "codex", "--name", "hello", "--cwd", box.dir, "--no-notify", "--json", text);
    expect(started.code, started.stderr).toBe(0);
    const { stateDir, logFile } = JSON.parse(started.stdout) as { stateDir: string; logFile: string };
    expect(await box.tmux.waitForExit("hello")).toMatchObject({ state: "exited", exitCode: 0 });

    const status = JSON.parse((await box.csess("status", "--json")).stdout) as { sessions: Array<{ name: string; command: string }> };
    const command = status.sessions.find((s) => s.name === "hello")!.command;
    expect(command).toMatch(/codex exec --dangerously-bypass-approvals-and-sandbox -C \S+ -o \S+ --skip-git-repo-check -$/);
    expect(command).not.toContain("--full-auto");
    expect(command).not.toContain("--json");
    expect(command).not.toContain("hello;");
    expect(await readFile(path.join(stateDir, "prompt.md"), "utf8")).toBe(`${text}\n`);
    const log = await readFile(logFile, "utf8");
    expect(log).not.toMatch(/^\{"type"/m); // people read this log: codex's text output, not JSON events
    expect(server.requests.length).toBeGreaterThan(0);
  }, 120_000);

  it("refuses other agents, an empty task and --model without --agent, naming what to use", async () => {
    expect(await box.csess("exec", "--agent", "custom", "x")).toMatchObject({ code: 2, stderr: expect.stringContaining("expected codex or claude (any other command: csess exec -- CMD...)") });
    expect(await box.csess("exec", "--agent", "codex", " ")).toMatchObject({ code: 2, stderr: expect.stringContaining('give the task text, e.g. csess exec --agent codex "Fix the login bug"') });
    expect(await box.csess("exec", "--model", "m", "--", "true")).toMatchObject({ code: 2, stderr: expect.stringContaining("--model is for --agent codex|claude") });
  }, 30_000);
});
