import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The csess package's own folder, found upwards from this module: the same answer from `src/`
 * (tests), from the bundle in `dist/`, and from a global npm install. Files that ship with the
 * package (dist/bin.js, demo/, package.json) are found from here, never relative to a source file.
 */
function findPackageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "csess") return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`csess: cannot find its own package.json above ${fileURLToPath(import.meta.url)}; reinstall csess`);
    dir = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot();

/** The built CLI: hooks that run after this process is gone start it again. */
export const BIN = path.join(PACKAGE_ROOT, "dist", "bin.js");

/** The demo's PRD and model-server scenarios, shipped with the package. */
export const DEMO_DIR = path.join(PACKAGE_ROOT, "demo");

/** The version in the package's own package.json ("unknown" if it cannot be read). */
export const VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
})();
