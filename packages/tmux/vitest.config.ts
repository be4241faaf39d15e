import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Builds dist/ first: ssh hosts get the compiled remote CLI and the launcher, even when the tests import src.
    globalSetup: ["./test/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
