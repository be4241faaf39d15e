import { runGit } from "@csess/verify";
import type { RunContext } from "./context.js";
import type { RunState } from "./state.js";

export interface OutsideCommit {
  hash: string;
  author: string;
  subject: string;
}

/**
 * Commits that reached the integration branch during the run without csess making them: an agent
 * committing (or `update-ref`-ing) straight onto the user's branch, or the user's own commits. They
 * are reported, never credited to a task (`csess verify` does not count them either).
 */
export async function findOutsideCommits(ctx: Pick<RunContext, "repoRoot" | "branch" | "state">): Promise<OutsideCommit[]> {
  const made = csessCommits(ctx.state);
  const log = await runGit(ctx.repoRoot, [
    "log", "--first-parent", "--format=%H%x00%an <%ae>%x00%s", `${ctx.state.start.base}..refs/heads/${ctx.branch}`,
  ], { okExitCodes: [128] });
  if (log.exitCode !== 0) return []; // the branch is gone or was rewritten: nothing to attribute
  return log.stdout.split("\n").filter(Boolean).flatMap((line) => {
    const [hash = "", author = "", subject = ""] = line.split("\0");
    return made.has(hash) ? [] : [{ hash, author, subject }];
  });
}

/** What csess itself put on the integration branch: its merge commits and box ticks. */
function csessCommits(state: RunState): Set<string> {
  const made = new Set<string>();
  for (const t of state.tasks.values()) {
    if (t.merge?.commit) made.add(t.merge.commit);
    if (t.ticked?.commit) made.add(t.ticked.commit);
  }
  return made;
}
