import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The csess package's own folder and manifest, found upwards from this module: the same answer from
 * `src/` (tests), from the bundle in `dist/`, and from a global npm install. Files that ship with the
 * package (dist/bin.js, demo/, package.json) are found from here, never relative to a source file.
 */
function findPackage(): { root: string; manifest: { name?: string; version?: string } } {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, "package.json");
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (manifest.name === "csess") return { root: dir, manifest };
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`csess: cannot find its own package.json above ${fileURLToPath(import.meta.url)}; reinstall csess`);
    dir = parent;
  }
}

const found = findPackage();

export const PACKAGE_ROOT = found.root;

/** The built CLI: hooks that run after this process is gone start it again. */
export const BIN = path.join(PACKAGE_ROOT, "dist", "bin.js");

/** The demo's PRD and model-server scenarios, shipped with the package. */
export const DEMO_DIR = path.join(PACKAGE_ROOT, "demo");

/** The version in the package's own package.json ("unknown" when it has none). */
export const VERSION: string = found.manifest.version ?? "unknown";
