import { defineConfig } from "vitest/config";

// The simulation benchmark: virtual time, so it takes seconds; not part of `pnpm test`.
export default defineConfig({
  test: { include: ["bench/**/*.sim.ts"], testTimeout: 600_000, root: "." },
});
