import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Explicit limits, far above what these tests take alone (real tmux, git and agent CLIs), so a loaded
    // machine does not fail them on vitest's 5 s default; the long end-to-end tests set their own.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two files at a time even on 2 cores (vitest's default there is 1): the tests mostly wait on
    // agents, tmux and git, and every file has its own temp dirs, tmux sockets and CSESS_HOME.
    maxWorkers: 2,
  },
});
