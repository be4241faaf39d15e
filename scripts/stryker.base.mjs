// Shared StrykerJS settings for `pnpm mutate` (scripts/mutate.mjs). Each package's stryker.config.mjs
// calls this with what differs (which tests are fast enough to run once per mutant).
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
/** @param {Partial<import("@stryker-mutator/api/core").PartialStrykerOptions>} overrides */
export function strykerConfig(overrides = {}) {
  return {
    packageManager: "pnpm",
    testRunner: "vitest",
    // Stryker looks for its plugins beside its own files; with pnpm they sit in the root node_modules.
    plugins: ["@stryker-mutator/vitest-runner", "@stryker-mutator/typescript-checker"].map((name) => require.resolve(name)),
    checkers: ["typescript"],
    tsconfigFile: "tsconfig.json",
    // Only the tests that reach a mutant run against it; the first failing test ends its run.
    coverageAnalysis: "perTest",
    mutate: ["src/**/*.ts", "!src/index.ts"],
    reporters: ["progress", "json"],
    jsonReporter: { fileName: "reports/mutation/mutation.json" },
    // Mutants and tests unchanged since the last run keep their result (reports/ is git-ignored).
    incremental: true,
    incrementalFile: "reports/stryker-incremental.json",
    // A 2-core machine shared with others: two processes, which Stryker splits into a TypeScript checker and
    // one test runner (MUTATE_CONCURRENCY=4: two of each, for a machine with nothing else running).
    concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 2),
    // A mutant that makes a test hang is "timeout" (detected); this is on top of the test's own time (generous: the machine is shared).
    timeoutMS: 5_000,
    tempDirName: ".stryker-tmp",
    cleanTempDir: "always",
    ...overrides,
  };
}
