import { configDefaults, defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

// `pnpm mutate` runs the tests once per mutant: all but the end-to-end runs of the real codex / claude
// CLIs against the model server (minutes each; they stay in `pnpm test`).
export default mergeConfig(base, defineConfig({
  test: { exclude: [...configDefaults.exclude, "test/*-e2e.test.ts"] },
}));
