import { defineConfig } from "vitest/config";

// Every test's time limit is chosen here, never vitest's 5 s default: the suites run on a 2-core machine
// shared with other test runs, so the limits check behaviour, not speed.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
