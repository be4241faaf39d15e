import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Builds dist/launcher.js first: tmux runs the compiled launcher, even when the tests import src.
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
