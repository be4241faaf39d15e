// @ts-check
// The per-task floor of `csess run`, measured in the same run as the benchmark it stands beside: what
// one task costs done by hand with bare commands, one task after another: tmux new-session, git
// worktree add, merge --no-ff, the tick commit, worktree remove + branch -D, and one `node -e 0`
// (the agent's own commit is the agent's time, not timed).
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { makeSandbox, mean } from "./lib.mjs";

/**
 * @param {number} [tasks] how many tasks to land by hand (their mean is the floor)
 * @returns {{ perTaskMs: number, landingMs: number, tasks: number }} landing = merge + tick + removal
 */
export function perTaskFloor(tasks = 8) {
  const prd = ["# Floor", "", ...Array.from({ length: tasks }, (_, i) => `- [ ] Add module ${i + 1}`), ""].join("\n");
  const box = makeSandbox(prd);
  const socket = String(box.env.CSESS_TMUX_SOCKET);
  /** @type {{ total: number, landing: number }[]} */
  const times = [];
  try {
    for (let i = 0; i < tasks; i++) {
      const branch = `floor-${i}`;
      const worktree = path.join(box.dir, `wt-${i}`);
      const timed = (/** @type {() => void} */ step) => {
        const t0 = performance.now();
        step();
        return performance.now() - t0;
      };
      const start = timed(() => {
        execFileSync("tmux", ["-S", socket, "new-session", "-d", "-s", branch, "true"], { env: box.env });
        box.git("worktree", "add", "-q", "-b", branch, worktree, "main");
      });
      writeFileSync(path.join(worktree, `module-${i}.txt`), `module ${i}\n`);
      execFileSync("git", ["add", "-A"], { cwd: worktree, env: box.env });
      execFileSync("git", ["commit", "-q", "-m", `Add module ${i + 1}`], { cwd: worktree, env: box.env });
      const landing = timed(() => {
        box.git("merge", "--no-ff", "-q", "-m", `Merge ${branch}`, branch);
        const file = path.join(box.repo, "PRD.md");
        writeFileSync(file, readFileSync(file, "utf8").replace(`- [ ] Add module ${i + 1}\n`, `- [x] Add module ${i + 1}\n`));
        box.git("commit", "-q", "-am", `Tick: Add module ${i + 1}`);
        box.git("worktree", "remove", worktree);
        box.git("branch", "-q", "-D", branch);
      });
      const nodeStart = timed(() => execFileSync(process.execPath, ["-e", "0"]));
      times.push({ total: start + landing + nodeStart, landing });
    }
    return { perTaskMs: mean(times.map((t) => t.total)), landingMs: mean(times.map((t) => t.landing)), tasks };
  } finally {
    box.cleanup();
  }
}

/**
 * `run`'s result beside the floor measured on both sides of it, the mean of the two: the shared
 * machine's speed drifts within a minute (a floor taken only before a run once came out at half the
 * run's own speed, or double it).
 * @template T
 * @param {() => Promise<T>} run
 * @returns {Promise<{ result: T, floor: ReturnType<typeof perTaskFloor> }>}
 */
export async function floorAround(run) {
  const before = perTaskFloor();
  const result = await run();
  const after = perTaskFloor();
  const floor = {
    perTaskMs: (before.perTaskMs + after.perTaskMs) / 2,
    landingMs: (before.landingMs + after.landingMs) / 2,
    tasks: before.tasks + after.tasks,
  };
  return { result, floor };
}
