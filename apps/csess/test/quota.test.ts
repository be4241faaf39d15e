// The fleet against a shared quota, with real tmux (private socket) and real git: a custom agent that
// allows one start per 4 s across all its processes (a file lock), answers a start over quota with a
// 429 "try again in Ns" (the time left), and reports its quota the way claude's stream-json does.
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { commitAll, journal, makeRunSandbox, reportOf, type JournalLine, type RunSandbox } from "./run-helpers.js";

let sandbox: RunSandbox | undefined;
afterEach(async () => {
  await sandbox?.cleanup();
  sandbox = undefined;
}, 30_000);

const QUOTA_AGENT = `set -eu
cat > /dev/null
exec 9>"$QUOTA_DIR/lock"
flock 9
now=$(( $(date +%s%N) / 1000000 ))
last=$(cat "$QUOTA_DIR/last" 2>/dev/null || echo 0)
if [ $((now - last)) -lt "$QUOTA_MS" ]; then
  echo "ERROR: exceeded retry limit, last status: 429 Too Many Requests; try again in $(( (QUOTA_MS - (now - last) + 999) / 1000 ))s" >&2
  exit 1
fi
echo "$now" > "$QUOTA_DIR/last"
flock -u 9
echo '{"type":"rate_limit_event","rate_limit_info":{"status":"allowed","utilization":0.5,"rateLimitType":"five_hour"}}'
printf '%s\\n' "$CSESS_TASK_TITLE" > "work-$CSESS_TASK_ID.txt"
git add -A
git commit -q -m "feat: $CSESS_TASK_TITLE" -m "Csess-Task: $CSESS_TASK_ID"
`;

function setup(titles: string[], quotaMs: number): { args: string[] } {
  sandbox = makeRunSandbox(`# Quota\n\n${titles.map((t) => `- [ ] ${t}`).join("\n")}\n`);
  const quotaDir = path.join(sandbox.dir, "quota");
  mkdirSync(quotaDir);
  const agent = path.join(sandbox.dir, "quota-agent.sh");
  writeFileSync(agent, QUOTA_AGENT);
  chmodSync(agent, 0o755);
  Object.assign(sandbox.env, { QUOTA_DIR: quotaDir, QUOTA_MS: String(quotaMs) });
  return { args: ["--agent", "custom", "--agent-cmd", `bash --norc ${agent}`, "--stagger", "0", "--no-notes", "--json", "--slow-start"] };
}

const ms = (e: JournalLine) => Date.parse(e.at);

describe("quota-aware fleet (real tmux, shared quota)", () => {
  it("starts no agent inside a pause, honours 'try again in Ns', and keeps the quota gauge", async () => {
    const { args } = setup(["one", "two", "three", "four"], 4000);
    await commitAll(sandbox!);
    const result = await sandbox!.csess(["run", "PRD.md", ...args, "--parallel", "4"]);
    expect(result.code, result.stderr).toBe(0);
    expect(reportOf(result).totals.verified).toBe(4);
    const events = journal(sandbox!);
    const pauses = events.filter((e) => e.type === "paused");
    const starts = events.filter((e) => e.type === "iteration-started");
    expect(pauses.length, "the quota was hit at least once").toBeGreaterThan(0);
    for (const p of pauses) {
      const inside = starts.filter((s) => ms(s) >= ms(p) && ms(s) < Date.parse(p.until as string));
      expect(inside.map((s) => `${s.taskId} at ${s.at}`), `starts inside the pause ${p.at}..${p.until}`).toEqual([]);
    }
    const first = pauses[0]!;
    expect(Date.parse(first.until as string) - ms(first)).toBeLessThan(4000 * 1.2 + 50); // at most the agent's own 4 s (+20 %), not a 15 s backoff
    expect(events.filter((e) => e.type === "quota").at(-1)).toMatchObject({ provider: "claude", status: "ok", usedPercent: 50 });
    const status = await sandbox!.csess(["status", "--json"]);
    expect((JSON.parse(status.stdout) as { runs: Array<{ quota: unknown }> }).runs.at(-1)?.quota).toMatchObject({ claude: { status: "ok", usedPercent: 50 } });
  }, 180_000);

  it("a landing (here a 3 s check) does not delay an independent task's start", async () => {
    const { args } = setup(["first", "second"], 0);
    await commitAll(sandbox!);
    const result = await sandbox!.csess(["run", "PRD.md", ...args, "--parallel", "1", "--check", "sleep 3"]);
    expect(result.code, result.stderr).toBe(0);
    const events = journal(sandbox!);
    const [first, second] = events.filter((e) => e.type === "iteration-started");
    const firstJudged = events.find((e) => e.type === "evidence" && e.taskId === first!.taskId)!;
    // With one slot, the second agent launched while the first task's check was still running.
    expect(ms(second!)).toBeLessThan(ms(firstJudged));
  }, 180_000);
});
