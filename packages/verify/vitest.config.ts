import { configDefaults, defineConfig } from "vitest/config";

// Explicit limits, far above what these tests take alone, so a loaded 2-core machine does not fail them
// on vitest's 5 s default.
export default defineConfig({
  test: {
    // pnpm mutate's sandboxes (copies of this package) are not this package's tests.
    exclude: [...configDefaults.exclude, ".stryker-tmp/**"],
    // pnpm mutate --tests: only these test files (a mutant they kill is killed by the whole suite too).
    ...(process.env.CSESS_MUTATE_TESTS ? { include: process.env.CSESS_MUTATE_TESTS.split(",") } : {}),
    // Under `pnpm mutate` (nothing else on the machine) a test 20 s late is a mutant that made it hang:
    // it fails there rather than cost Stryker a minute's timeout and a restarted worker.
    testTimeout: process.env.CSESS_MUTATE ? 20_000 : 60_000,
    hookTimeout: 60_000,
  },
});
