import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

/**
 * node flags that record every module a process loads, ES modules (a loader hook) and require() calls
 * (logged as "require:<request>"), each to a log of its own under `dir`; `loaded()` reads that log.
 */
export function moduleLog(dir: string): { nodeArgs: string[]; loaded(): string[] } {
  const id = Math.random().toString(36).slice(2);
  const log = path.join(dir, `modules-${id}.log`);
  const hooks = path.join(dir, `hooks-${id}.mjs`);
  const register = path.join(dir, `register-${id}.mjs`);
  const requireLog = path.join(dir, `require-log-${id}.cjs`);
  writeFileSync(log, "");
  writeFileSync(hooks, `import { appendFileSync } from "node:fs";\nexport async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + "\\n"); return next(url, context); }\n`);
  writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  writeFileSync(requireLog, `const Module = require("node:module"); const fs = require("node:fs"); const load = Module._load;\nModule._load = function (request, ...rest) { fs.appendFileSync(${JSON.stringify(log)}, "require:" + request + "\\n"); return load.call(this, request, ...rest); };\n`);
  return {
    nodeArgs: ["--require", requireLog, "--import", register],
    loaded: () => readFileSync(log, "utf8").split("\n").filter(Boolean),
  };
}
