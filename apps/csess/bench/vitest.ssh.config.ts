import { defineConfig } from "vitest/config";

// The ssh fleet benchmark: real sshd servers from fixtures/sshd (TypeScript, hence vitest); not part of `pnpm test`.
export default defineConfig({
  test: { include: ["bench/**/*.ssh-bench.ts"], testTimeout: 900_000, hookTimeout: 120_000, root: "." },
});
