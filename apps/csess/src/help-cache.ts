// The help texts scripts/render-help.mjs writes to dist/help.json after the build: each one what
// commander prints at its default width of 80 columns. Read here with node:fs alone, before commander
// (or anything else of csess) is loaded. Nothing here may throw: any doubt is `undefined`, and bin.ts
// then runs commander as before.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** dist/help.json, as scripts/render-help.mjs writes it. */
interface HelpCache {
  /** The help width the texts were rendered at (commander's default when stdout is no terminal). */
  width: number;
  /** Stands for the package's folder in the texts (`csess demo --help` names its PRD file). */
  packageRootMark: string;
  /** `csess --help`, `csess -h`, `csess help` (absent when it could not be cached). */
  root?: string;
  /** `csess <command> --help`, `csess <command> -h`, `csess help <command>`, by command name. */
  commands: Record<string, string>;
}

const HELP_FLAGS = ["--help", "-h"];

/** The program's own help, as opposed to a command's (a name no command can have). */
const PROGRAM = Symbol("program");

/** The help `argv` (process.argv) asks for, exactly as commander would print it, or undefined. */
export function cachedHelp(argv: string[]): string | undefined {
  const command = userArgsFollowScript() ? helpRequest(argv.slice(2)) : undefined;
  if (command === undefined) return undefined;
  const cache = readCache();
  if (cache === undefined || cache.width !== helpWidth()) return undefined;
  const text: unknown = command === PROGRAM ? cache.root : Object.hasOwn(cache.commands, command) ? cache.commands[command] : undefined;
  if (typeof text !== "string") return undefined;
  if (!text.includes(cache.packageRootMark)) return text;
  const root = packageRoot();
  return root === undefined ? undefined : text.replaceAll(cache.packageRootMark, root);
}

/**
 * Whose help the user's arguments ask for: the program's or a command's name (looked up in the cache:
 * an unknown name gets none). Only the plain forms, which the build checks commander prints alike
 * (helpForms in scripts/render-help.mjs); anything more is commander's to parse.
 */
function helpRequest(args: string[]): typeof PROGRAM | string | undefined {
  if (args.length === 1) return HELP_FLAGS.includes(args[0]!) || args[0] === "help" ? PROGRAM : undefined;
  if (args.length !== 2) return undefined;
  if (args[0] === "help") return args[1];
  return HELP_FLAGS.includes(args[1]!) ? args[0] : undefined;
}

/** commander takes the user's arguments from argv[2] on, except under electron or `node -e`/`-p`. */
function userArgsFollowScript(): boolean {
  const evalFlags = ["-e", "--eval", "-p", "--print"];
  return !process.versions.electron && !process.execArgv.some((flag) => evalFlags.includes(flag));
}

/** commander's help width: stdout's columns when it is a terminal that knows them, else 80. */
function helpWidth(): number {
  const { stdout } = process;
  return stdout.isTTY ? (stdout.columns ?? 80) : 80;
}

function readCache(): HelpCache | undefined {
  try {
    const cache = JSON.parse(readFileSync(new URL("./help.json", import.meta.url), "utf8")) as Partial<HelpCache> | null;
    const complete = typeof cache?.width === "number" && typeof cache.packageRootMark === "string" && cache.packageRootMark !== "" &&
      typeof cache.commands === "object" && cache.commands !== null;
    return complete ? (cache as HelpCache) : undefined;
  } catch {
    return undefined; // no cache (a build without it, a source checkout) or a broken one
  }
}

/**
 * The package's folder as src/package-root.ts finds it from dist/: the nearest folder upwards with
 * csess's package.json. undefined where it would fail (commander's path then reports that).
 */
function packageRoot(): string | undefined {
  for (let dir = import.meta.dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (existsSync(file)) {
      try {
        if ((JSON.parse(readFileSync(file, "utf8")) as { name?: unknown }).name === "csess") return dir;
      } catch {
        return undefined;
      }
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}
