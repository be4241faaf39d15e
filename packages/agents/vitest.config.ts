import { defineConfig } from "vitest/config";

// The end-to-end tests run the real codex / claude CLIs in tmux: generous timeouts, one file at a time.
export default defineConfig({
  test: { testTimeout: 180_000, hookTimeout: 60_000, fileParallelism: false },
});
