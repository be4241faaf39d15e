import { createRequire } from "node:module";
import { defineConfig } from "tsdown";

// One installable package: the CLI and the @csess/* workspace packages bundled into dist/, every
// third-party package left as a real dependency in package.json. an empty `onlyBundle` makes the build fail
// when a workspace package starts using a dependency this package.json does not declare.
export default defineConfig({
  entry: {
    bin: "src/bin.ts",
    // tmux runs the launcher as its own process: it must be a file beside the bundle.
    launcher: createRequire(import.meta.url).resolve("@csess/tmux/launcher"),
  },
  format: "esm",
  platform: "node",
  target: "node20.19",
  fixedExtension: false,
  dts: false,
  clean: true,
  deps: { onlyBundle: [] },
});
