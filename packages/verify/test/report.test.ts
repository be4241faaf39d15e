import { describe, expect, it } from "vitest";
import { countVerdicts, renderVerdictsMarkdown, summarizeVerdicts } from "../src/index.js";
import type { TaskVerdict } from "../src/reconcile.js";

// `csess verify --md` / the run's summary line: what a person pastes into a pull request or reads last.
const task = (fields: Partial<TaskVerdict>): TaskVerdict => ({
  id: "k3m9qa", title: "Task", checked: false, verdict: "pending", reason: "not done", commits: [], evidence: null, grade: null, score: null,
  iterations: null, insertions: 0, deletions: 0, branch: null, ...fields,
});

describe("verdict counts and the summary line", () => {
  const tasks = [task({ verdict: "verified" }), task({ verdict: "claimed-unverified" }), task({ verdict: "verified" }), task({ verdict: "skipped" })];

  it("every verdict is counted, zeros included", () => {
    expect(countVerdicts(tasks)).toEqual({
      verified: 2, "claimed-unverified": 1, "done-unclaimed": 0, failed: 0, "rate-limited": 0, conflict: 0, pending: 0, skipped: 1,
    });
  });

  it("the summary names only verdicts that occur, in the contract's order", () => {
    expect(summarizeVerdicts(tasks)).toBe("2 verified, 1 claimed-unverified, 1 skipped");
    expect(summarizeVerdicts([])).toBe("no tasks");
  });
});

describe("renderVerdictsMarkdown", () => {
  it("a heading, the summary and one table row per task; pipes and newlines in text cannot break the table", () => {
    const md = renderVerdictsMarkdown([
      task({ verdict: "verified", title: "Add a | b", reason: "commit evidence\r\non branch", commits: ["0123456789abcdef", "fedcba9876543210"], insertions: 12, deletions: 3 }),
      task({ verdict: "claimed-unverified", title: "Lie", reason: "ticked, no commits" }),
    ], "Run 7");
    expect(md).toBe([
      "### Run 7",
      "",
      "1 verified, 1 claimed-unverified",
      "",
      "| Verdict | Task | Commits | +/− | Reason |",
      "| --- | --- | --- | --- | --- |",
      "| `verified` | Add a \\| b | `0123456` `fedcba9` | +12 −3 | commit evidence on branch |",
      "| `claimed-unverified` | Lie | — |  | ticked, no commits |",
      "",
    ].join("\n"));
    expect(renderVerdictsMarkdown([]).startsWith("### csess verification\n\nno tasks\n")).toBe(true);
  });
});
