import { configDefaults, defineConfig } from "vitest/config";

// The end-to-end tests run the real codex / claude CLIs in tmux: generous timeouts, one file at a time.
export default defineConfig({
  test: {
    // pnpm mutate's sandboxes (copies of this package) are not this package's tests.
    exclude: [...configDefaults.exclude, ".stryker-tmp/**"],
    // pnpm mutate --tests: only these test files (a mutant they kill is killed by the whole suite too).
    ...(process.env.CSESS_MUTATE_TESTS ? { include: process.env.CSESS_MUTATE_TESTS.split(",") } : {}),
    testTimeout: 180_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
