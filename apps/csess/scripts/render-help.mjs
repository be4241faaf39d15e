// Build step after tsdown: writes dist/help.json, the help of the program and of every command as
// commander prints it for `csess --help` and `csess <command> --help` with stdout no terminal (80
// columns, no colours). bin.js prints these without loading commander (src/help-cache.ts), also for
// the other forms below, which commander must print alike: the build checks that it does.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { buildProgram } from "../dist/cli.js";

const PACKAGE = path.resolve(import.meta.dirname, "..");
const HELP_WIDTH = 80;
/** Stands for the package's folder, which `csess demo --help` prints and which differs per install. */
const PACKAGE_ROOT_MARK = "\u0000csess-package-root\u0000";

/**
 * The arguments src/help-cache.ts answers from the cache for the program's help (no name) or a command's.
 * @param {string} [name]
 */
function helpForms(name) {
  return name === undefined ? [["--help"], ["-h"], ["help"]] : [[name, "--help"], [name, "-h"], ["help", name]];
}

/**
 * What commander prints for `csess ...args` through its own parse: a fresh program whose every
 * command writes into strings, at commander's default width and without colours (as to a pipe).
 * @param {string[]} args
 */
async function printedHelp(args) {
  const program = buildProgram();
  let stdout = "";
  let stderr = "";
  for (const command of [program, ...program.commands]) {
    command.configureOutput({
      writeOut: (text) => void (stdout += text),
      writeErr: (text) => void (stderr += text),
      getOutHelpWidth: () => undefined,
      getOutHasColors: () => false,
    });
  }
  try {
    await program.parseAsync(args, { from: "user" });
  } catch (error) {
    // The bundled commander's CommanderError, not node_modules' one: known by its code.
    const helpShown = error?.code === "commander.helpDisplayed" || error?.code === "commander.help";
    if (helpShown && error.exitCode === 0 && stderr === "") return { program, text: stdout };
    throw error;
  }
  throw new Error(`render-help: csess ${args.join(" ")} printed no help`);
}

/**
 * The text to cache for the program's help (no name) or a command's, the package's folder replaced by
 * the mark; undefined when it cannot be cached: when it depends on the terminal (colour codes), or when
 * the folder is in the part commander wraps to the width (a folder of another length wraps otherwise).
 * @param {string} [name]
 */
async function cacheableHelp(name) {
  const [args, ...otherForms] = helpForms(name);
  const { program, text } = await printedHelp(args);
  for (const form of otherForms) {
    if ((await printedHelp(form)).text !== text) throw new Error(`render-help: csess ${form.join(" ")} prints other help than csess ${args.join(" ")}; src/help-cache.ts answers both alike`);
  }
  const command = name === undefined ? program : program.commands.find((c) => c.name() === name);
  const why = text.includes("\u001b") ? "has colour codes" : text.includes(PACKAGE_ROOT_MARK) ? "has the package-root mark"
    : command.helpInformation().includes(PACKAGE) ? "wraps the package's folder" : undefined;
  if (why === undefined) return text.replaceAll(PACKAGE, PACKAGE_ROOT_MARK);
  console.warn(`render-help: csess ${args.join(" ")} ${why}; commander prints it at run time`);
  return undefined;
}

const root = await cacheableHelp();
/** @type {Record<string, string>} */
const commands = {};
for (const name of buildProgram().commands.map((command) => command.name())) {
  const text = await cacheableHelp(name);
  if (text !== undefined) commands[name] = text;
}
const cache = { width: HELP_WIDTH, packageRootMark: PACKAGE_ROOT_MARK, root, commands };
writeFileSync(path.join(PACKAGE, "dist", "help.json"), `${JSON.stringify(cache)}\n`);
