import { configDefaults, defineConfig } from "vitest/config";

// Explicit limits, far above what these tests take alone, so a loaded 2-core machine does not fail them
// on vitest's 5 s default.
export default defineConfig({
  test: {
    // pnpm mutate's sandboxes (copies of this package) are not this package's tests.
    exclude: [...configDefaults.exclude, ".stryker-tmp/**"],
    // pnpm mutate --tests: only these test files (a mutant they kill is killed by the whole suite too).
    ...(process.env.CSESS_MUTATE_TESTS ? { include: process.env.CSESS_MUTATE_TESTS.split(",") } : {}),
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
