// The help cache (dist/help.json, read by bin.js before commander loads): every help form it answers
// prints what commander prints, byte for byte, from an install in another folder too; it loads nothing
// but bin.js; and every other invocation (more arguments, an unknown command, a terminal that is not
// 80 columns wide, no or a broken cache) is commander's.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { buildProgram } from "../src/cli.js";
import { moduleLog } from "./module-log.js";
import { CLI } from "./run-helpers.js";

const PACKAGE = fileURLToPath(new URL("..", import.meta.url));
const COMMANDS = buildProgram().commands.map((command) => command.name());
const TIMEOUT = 60_000;

const dir = mkdtempSync(path.join(os.tmpdir(), "csess-help-cache-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, CSESS_HOME: path.join(dir, "home") };

/** The built package as another install: another folder (of another length), the same files. */
const INSTALL = path.join(dir, "elsewhere", "lib", "node_modules", "csess");
mkdirSync(INSTALL, { recursive: true });
cpSync(path.join(PACKAGE, "dist"), path.join(INSTALL, "dist"), { recursive: true });
cpSync(path.join(PACKAGE, "package.json"), path.join(INSTALL, "package.json"));
symlinkSync(path.join(PACKAGE, "node_modules"), path.join(INSTALL, "node_modules"));
const INSTALLED_BIN = path.join(INSTALL, "dist", "bin.js");
const INSTALLED_CACHE = path.join(INSTALL, "dist", "help.json");

/** A fake terminal of that many columns for stdout: what node sets up when stdout is a TTY. */
function ttyPreload(columns: number): string[] {
  const file = path.join(dir, `tty-${columns}.mjs`);
  writeFileSync(file, `Object.defineProperty(process.stdout, "isTTY", { value: true });\nObject.defineProperty(process.stdout, "columns", { value: ${columns} });\n`);
  return ["--import", file];
}

function csess(bin: string, args: string[], nodeArgs: string[] = []) {
  const r = spawnSync(process.execPath, [...nodeArgs, bin, ...args], { cwd: dir, env, encoding: "utf8", timeout: TIMEOUT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** What commander itself prints: the same install with its help.json moved away for the call. */
function commanderOutput(args: string[], nodeArgs: string[] = []) {
  const away = `${INSTALLED_CACHE}.away`;
  renameSync(INSTALLED_CACHE, away);
  try {
    return csess(INSTALLED_BIN, args, nodeArgs);
  } finally {
    renameSync(away, INSTALLED_CACHE);
  }
}

/** Runs the built bin recording what it loads; says whether commander's module (dist/cli.js) was among it. */
function loadsCommander(args: string[], nodeArgs: string[] = []) {
  const log = moduleLog(dir);
  const r = csess(CLI, args, [...log.nodeArgs, ...nodeArgs]);
  const cli = pathToFileURL(path.join(PACKAGE, "dist", "cli.js")).href;
  return { ...r, loaded: log.loaded(), commander: log.loaded().includes(cli) };
}

const forms = (command: string | undefined) => (command === undefined ? [["--help"], ["-h"], ["help"]] : [[command, "--help"], [command, "-h"], ["help", command]]);

describe("help cache", () => {
  it("holds the program's help and every command's, hidden ones too", () => {
    const cache = JSON.parse(readFileSync(path.join(PACKAGE, "dist", "help.json"), "utf8")) as { root?: string; commands: Record<string, string> };
    expect(typeof cache.root).toBe("string");
    expect(Object.keys(cache.commands).sort()).toEqual([...COMMANDS].sort());
    expect(COMMANDS).toContain("_session-ended");
  });

  const programAndCommands = [{ name: "(program)", command: undefined }, ...COMMANDS.map((command) => ({ name: command, command }))];
  it.each(programAndCommands)("csess $name: --help, -h and help print what commander prints, byte for byte, from another folder", ({ command }) => {
    const expected = commanderOutput(forms(command)[0]!);
    expect(expected).toMatchObject({ code: 0, stderr: "" });
    for (const args of forms(command)) {
      expect(csess(INSTALLED_BIN, args), args.join(" ")).toEqual(expected);
      expect(commanderOutput(args), args.join(" ")).toEqual(expected);
    }
  }, TIMEOUT);

  it("csess demo --help names the PRD in the folder it is installed in", () => {
    expect(csess(INSTALLED_BIN, ["demo", "--help"]).stdout).toContain(`(${path.join(INSTALL, "demo", "PRD.md")})`);
  }, TIMEOUT);

  const helpForms = [["--help"], ["-h"], ["help"], ["run", "--help"], ["help", "demo"], ["_session-ended", "-h"]];
  it.each(helpForms.map((args) => ({ args })))("csess $args loads bin.js and node's own modules, nothing else", ({ args }) => {
    const r = loadsCommander(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.loaded.filter((m) => !m.startsWith("node:"))).toEqual([pathToFileURL(CLI).href]);
  }, TIMEOUT);

  it("a terminal 80 columns wide is answered from the cache", () => {
    const r = loadsCommander(["--help"], ttyPreload(80));
    expect(r.commander).toBe(false);
    expect(r.stdout).toBe(csess(CLI, ["--help"]).stdout);
  }, TIMEOUT);
});

describe("everything else is commander's", () => {
  const otherForms = [
    ["nosuch", "--help"], ["help", "nosuch"], ["help", "help"], ["help", "--help"], ["--help", "--help"], ["-h", "run"],
    ["run", "--help", "extra"], ["run", "extra", "--help"], ["--no-color", "--help"], ["help", "run", "extra"], ["constructor", "--help"],
  ];
  it.each(otherForms.map((args) => ({ args })))("csess $args", ({ args }) => {
    const r = loadsCommander(args);
    expect(r.commander, r.stderr).toBe(true);
    expect(csess(INSTALLED_BIN, args)).toEqual(commanderOutput(args));
  }, TIMEOUT);

  it.each([100, 60])("a terminal %i columns wide: commander wraps the help to it", (columns) => {
    const r = loadsCommander(["run", "--help"], ttyPreload(columns));
    expect(r.commander).toBe(true);
    expect(r.stdout).not.toBe(csess(CLI, ["run", "--help"]).stdout);
    expect(csess(INSTALLED_BIN, ["run", "--help"], ttyPreload(columns))).toEqual(commanderOutput(["run", "--help"], ttyPreload(columns)));
  }, TIMEOUT);

  it("a help.json that is not the cache's is left to commander", () => {
    const saved = readFileSync(INSTALLED_CACHE, "utf8");
    try {
      for (const broken of ["{", "null", '{"width":80,"packageRootMark":"x","root":1,"commands":{}}']) {
        writeFileSync(INSTALLED_CACHE, broken);
        const r = csess(INSTALLED_BIN, ["--help"]);
        expect(r, broken).toEqual({ code: 0, stderr: "", stdout: csess(CLI, ["--help"]).stdout });
      }
    } finally {
      writeFileSync(INSTALLED_CACHE, saved);
    }
  }, TIMEOUT);
});
