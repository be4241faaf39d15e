import { describe, expect, it } from "vitest";
import { TaskMatcher, scoreMatch, wordKeys } from "../src/match.js";

const titles = [
  "Create the login API endpoint",
  "Write tests for the login endpoint",
  "Add a logout button to the header",
  "Set up CI with GitHub Actions",
  "Fix crash when the config file is missing",
  "Remove the deprecated v1 routes",
  "Document the CLI flags in the README",
  "Validate email addresses on signup",
];
const matcher = new TaskMatcher(titles.map((title, i) => ({ id: `t${i}`, title })));
const best = (message: string) => matcher.match(message).map((m) => titles[Number(m.taskId.slice(1))]);

describe("commit message matching (weak evidence)", () => {
  it.each([
    ["feat: add login endpoint", "Create the login API endpoint"],
    ["feat(auth): login API", "Create the login API endpoint"],
    ["test: cover login endpoint", "Write tests for the login endpoint"],
    ["feat: add logout button", "Add a logout button to the header"],
    ["ci: add GitHub Actions workflow", "Set up CI with GitHub Actions"],
    ["fix: handle missing config file", "Fix crash when the config file is missing"],
    ["chore: remove deprecated v1 routes", "Remove the deprecated v1 routes"],
    ["docs: document CLI flags", "Document the CLI flags in the README"],
    ["Validate emails at sign-up", "Validate email addresses on signup"],
  ])("%s -> %s", (message, title) => {
    expect(best(message)).toEqual([title]);
  });

  it.each(["fix typo", "wip", "Merge branch 'main'", "bump deps", "refactor: extract header component", "ci: fix flaky test"])(
    "%s matches nothing",
    (message) => {
      expect(best(message)).toEqual([]);
    },
  );

  it("scores a full match 1 and needs a shared content word, not just a verb", () => {
    expect(scoreMatch(wordKeys("Create the login API endpoint"), wordKeys("feat: add login endpoint"))).toBe(1);
    expect(scoreMatch(wordKeys("Create the login API endpoint"), wordKeys("Add things"))).toBe(0);
  });

  it("folds markdown, camelCase and stems", () => {
    expect([...wordKeys("Add `parseConfig` to [the docs](http://x)")].sort()).toEqual(["add", "config", "doc", "pars"]);
  });
});
