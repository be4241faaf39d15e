import { execFileSync } from "node:child_process";
import { copyFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

export default function setup(): void {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  execFileSync(process.execPath, [tsc, "-p", "tsconfig.build.json"], {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    stdio: "inherit",
  });
  // As the build does: ssh hosts get dist/ (remote-cli.js beside the launcher).
  copyFileSync(new URL("../src/launcher.pl", import.meta.url), new URL("../dist/launcher.pl", import.meta.url));
}
