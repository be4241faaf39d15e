import { createRequire } from "node:module";
import { defineConfig, type UserConfig } from "tsdown";

const resolve = createRequire(import.meta.url).resolve;

// One installable package: the CLI and the @csess/* workspace packages bundled into dist/, every
// third-party package but one left as a real dependency in package.json. The one is commander: every
// command parses its flags with it, and loaded from node_modules (CommonJS, resolved and scanned for
// exports) it was a third of `csess --help`'s start-up (about 9 ms of 30 over bare node). Its MIT licence
// is copied beside the bundle by the build. `onlyBundle` makes the build fail when a workspace package
// starts using a dependency this package.json does not declare.
const common: UserConfig = {
  format: "esm",
  platform: "node",
  target: "node20.19",
  fixedExtension: false,
  dts: false,
  deps: { onlyBundle: ["commander"] },
};

export default defineConfig([
  {
    ...common,
    // The session launcher (a perl script tmux runs) is copied beside the bundle by the build script.
    entry: {
      bin: "src/bin.ts",
      // Its own file (bin.js imports it only when the help cache does not answer) and what
      // scripts/render-help.mjs imports to render every command's help at build time.
      cli: "src/cli.ts",
    },
    clean: true,
  },
  {
    ...common,
    // What csess copies to ssh hosts (and runs there with their node): the remote CLI, self-contained in
    // its own folder with the launcher beside it, which @csess/tmux finds as `remote/` beside its bundled code.
    entry: { "remote-cli": resolve("@csess/tmux/remote-cli") },
    outDir: "dist/remote",
    clean: false,
  },
]);
