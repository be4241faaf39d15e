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

// Every synonym the matcher knows, written as people write it (each stems to an entry of match.ts's table).
const SYNONYM_GROUPS = [
  ["add", "create", "implement", "introduce", "build", "make", "new", "write", "setup", "support", "enable", "allow", "provide"],
  ["fix", "repair", "resolve", "correct", "bug", "bugfix", "patch", "hotfix"],
  ["remove", "delete", "drop", "strip", "eliminate", "purge"],
  ["update", "change", "modify", "improve", "tweak", "adjust", "bump", "upgrade", "enhance"],
  ["refactor", "restructure", "reorganize", "cleanup", "clean", "simplify", "tidy"],
  ["endpoint", "api", "route", "handler", "rest"],
  ["test", "spec", "unittest", "e2e", "coverage"],
  ["doc", "document", "readme", "guide", "docstring"],
  ["login", "signin", "logon"],
  ["registration", "register", "signup", "enrol"],
  ["auth", "authentication", "authn", "oauth"],
  ["config", "configure", "setting", "settings", "option", "preference"],
  ["db", "database", "sql", "schema"],
  ["ui", "interface", "frontend", "view", "screen", "page"],
  ["valid", "verify", "verification", "check", "sanitize"],
  ["err", "error", "exception", "failure"],
  ["log", "logger", "trace"],
  ["ci", "pipeline", "workflow"],
];

describe("words that mean the same thing", () => {
  it.each(SYNONYM_GROUPS.map((words) => [words[0]!, words.slice(1)] as const))(
    "a commit saying any synonym of %s matches a task saying it",
    (word, synonyms) => {
      for (const synonym of synonyms) expect({ synonym, keys: wordKeys(synonym) }).toEqual({ synonym, keys: wordKeys(word) });
    },
  );

  it("keeps the groups apart (a word of one group is no evidence for another)", () => {
    const keys = SYNONYM_GROUPS.map((words) => [...wordKeys(words[0]!)].join());
    expect(new Set(keys).size).toBe(SYNONYM_GROUPS.length);
  });

  it("reads 'setting(s)' as configuration, not as the verb 'set' the stemmer makes of it", () => {
    expect(wordKeys("settings")).not.toEqual(wordKeys("set"));
    expect(wordKeys("setting")).not.toEqual(wordKeys("set"));
  });

  it.each(["add", "fix", "remove", "update", "refactor", "set"])(
    "a commit that shares only the action verb '%s' with a task is no evidence for it",
    (verb) => {
      expect(scoreMatch(wordKeys(`${verb} the parser`), wordKeys(`${verb} the docs`))).toBe(0);
      expect(best(`${verb} things`)).toEqual([]);
    },
  );

  it.each(["feat", "feature", "chore", "style", "build"])(
    "a '%s:' prefix says nothing about the subject: the commit scores as its subject alone",
    (type) => {
      const task = wordKeys("Add the login endpoint");
      expect(scoreMatch(task, wordKeys(`${type}: login endpoint`))).toBe(scoreMatch(task, wordKeys("login endpoint")));
      expect(scoreMatch(task, wordKeys(`${type}(auth): login endpoint`))).toBe(scoreMatch(task, wordKeys("auth login endpoint")));
    },
  );

  it.each(["wip", "misc"])("'%s: ...' drops the word like any stop word", (type) => {
    expect(wordKeys(`${type}: login endpoint`)).toEqual(wordKeys("login endpoint"));
  });
});

describe("what counts as a word of a subject", () => {
  it("drops common words, whichever line of the stop-word list they are on", () => {
    expect(wordKeys("There is more to do here, and only then the parser")).toEqual(wordKeys("parser"));
  });

  it("drops bare numbers but keeps words with digits", () => {
    expect([...wordKeys("Fix issue 42 with oauth2 and 2fa")].sort()).toEqual(["2fa", "fix", "issu", "oauth2"]);
  });

  it("reads a conventional-commit type only at the start of the subject", () => {
    expect(wordKeys("Fix the header style: darker colors")).toContain("style");
  });
});
