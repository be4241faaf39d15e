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

describe("commit message words: synonyms, stop words and syntax", () => {
  // Words a task title and a commit message use for the same thing (inflected as people write them).
  const groups = [
    ["add", "create", "implement", "introduce", "build", "make", "new", "write", "setup", "support", "enable", "allow", "provide"],
    ["fix", "repair", "resolve", "correct", "bug", "bugfix", "patch", "hotfix"],
    ["remove", "delete", "drop", "strip", "eliminate", "purge"],
    ["update", "change", "modify", "improve", "tweak", "adjust", "bump", "upgrade", "enhance"],
    ["refactor", "restructure", "reorganize", "cleanup", "clean", "simplify", "tidy"],
    ["endpoint", "api", "route", "handler", "rest"],
    ["test", "spec", "unittest", "e2e", "coverage", "tests"],
    ["doc", "document", "readme", "guide", "docstring"],
    ["login", "signin", "logon"],
    ["registration", "register", "signup", "enroll"],
    ["auth", "authentication", "authn", "oauth"],
    ["config", "configure", "configuration", "setting", "settings", "option", "preference"],
    ["db", "database", "sql", "schema"],
    ["ui", "interface", "frontend", "view", "screen", "page"],
    ["valid", "validate", "validation", "verify", "verification", "check", "sanitize"],
    ["err", "error", "exception", "failure"],
    ["log", "logger", "trace"],
    ["ci", "pipeline", "workflow"],
  ];
  it.each(groups.map((g) => [g[0]!, g.slice(1)] as const))("%s has the same key as %j", (first, others) => {
    const key = [...wordKeys(first)];
    expect(key).toHaveLength(1);
    for (const word of others) expect([...wordKeys(word)], word).toEqual(key);
  });

  it("a setting is configuration, not the verb \"set\"", () => {
    expect([...wordKeys("set up the settings page")].sort()).toEqual(["config", "set", "ui"]);
  });

  it("keeps the groups apart", () => {
    const keys = groups.map((g) => [...wordKeys(g[0]!)][0]);
    expect(new Set(keys).size).toBe(groups.length);
  });
});

describe("commit message words: what counts as a word", () => {
  const keys = (text: string) => [...wordKeys(text)].sort();

  it("drops every stop word", () => {
    const stop =
      "a an the to for of and or in on at by with from into onto as is are be been it its this that these those " +
      "we our you your their so via all any some when should can must will would could may might not no " +
      "do does done also just then than there here up out over more most very per each other such only own same " +
      "wip misc minor small initial first final";
    expect(keys(stop)).toEqual([]);
    expect(keys("The parser")).toEqual(["parser"]);
  });

  it("drops conventional-commit types that say nothing, in any case, and keeps the others and the scope", () => {
    for (const type of ["feat", "feature", "chore", "style", "build", "FEAT"]) expect(keys(`${type}: parser`), type).toEqual(["parser"]);
    expect(keys("feat(auth)!: parser")).toEqual(["auth", "parser"]);
    expect(keys("docs: parser")).toEqual(["doc", "parser"]);
    expect(keys("  style:   parser")).toEqual(["parser"]);
    // Only a leading "type: " followed by a space is a type.
    expect(keys("feat:parser")).toEqual(["feat", "parser"]);
    expect(keys("parser feat: lexer")).toEqual(["feat", "lexer", "parser"]);
  });

  it("reads hyphenated words both ways, links by their text, camelCase as words; drops one-letter words and numbers", () => {
    expect(keys("Sign-up form")).toEqual(["form", "registr", "sign"]);
    expect(keys("[login](https://example.com/page)")).toEqual(["login"]);
    expect(keys("parseConfig")).toEqual(["config", "pars"]);
    expect(keys("x y db v2 2fa 2024 42")).toEqual(["2fa", "db", "v2"]);
  });
});

describe("message scores", () => {
  it("counts action verbs less than content words and scales down messages about other things", () => {
    expect(scoreMatch(wordKeys("Add logout button"), wordKeys("logout button"))).toBe(0.87); // 2 of 2.3
    expect(scoreMatch(wordKeys("Add logout button"), wordKeys("add logout button"))).toBe(1);
    expect(scoreMatch(wordKeys("logout button"), wordKeys("logout button header footer"))).toBe(0.8); // precision 1/2
    expect(scoreMatch(wordKeys("logout button"), wordKeys("logout header"))).toBe(0.4); // half, precision 1/2
    expect(scoreMatch(wordKeys("logout button"), wordKeys("add fix"))).toBe(0);
    expect(scoreMatch(wordKeys("fix the header"), wordKeys("header styles"))).toBe(0.62); // 1 of 1.3, precision 1/2: 0.769 * 0.8 rounded
  });

  it.each(["fix", "remove", "update", "refactor", "set"])("the action verb %j counts less than a content word", (verb) => {
    // "header" is 1 of the title's 1.3: a content word 1, the verb 0.3.
    expect(scoreMatch(wordKeys(`${verb} header`), wordKeys("header"))).toBe(0.77);
    expect(scoreMatch(wordKeys(`${verb} header`), wordKeys(`${verb} header`))).toBe(1);
  });

  it("a task is listed once even when its score rounds to 0 at threshold 0", () => {
    const title = Array.from({ length: 300 }, (_, i) => `w${i}x`).join(" ");
    const matcher = new TaskMatcher([{ id: "t", title }], 0);
    expect(matcher.match("w0x w1x alpha bravo charlie delta echo")).toEqual([{ taskId: "t", score: 0 }]); // 2/300 * (0.6 + 0.4 * 2/7)
  });

  it("a message scoring exactly the default threshold (0.6) still matches", () => {
    const matcher = new TaskMatcher([{ id: "t", title: "alpha bravo charlie delta" }]);
    expect(matcher.match("alpha bravo charlie echo foxtrot golf")).toEqual([{ taskId: "t", score: 0.6 }]);
    expect(matcher.match("alpha bravo echo")).toEqual([]); // 0.5 * (0.6 + 0.4 * 2/3) = 0.43
  });

  it("goes to the best task, or to all tasks tied for best; a custom threshold lets lower scores in", () => {
    const matcher = new TaskMatcher([
      { id: "short", title: "logout button" },
      { id: "long", title: "logout button header" },
      { id: "menu", title: "logout menu" },
    ]);
    expect(matcher.match("logout button")).toEqual([{ taskId: "short", score: 1 }]);
    expect(matcher.match("logout button header")).toEqual([{ taskId: "long", score: 1 }]);
    expect(matcher.match("logout")).toEqual([]);
    const loose = new TaskMatcher([{ id: "a", title: "logout button" }, { id: "b", title: "logout menu" }, { id: "c", title: "logout header bar" }], 0.3);
    expect(loose.match("logout")).toEqual([{ taskId: "a", score: 0.5 }, { taskId: "b", score: 0.5 }]);
  });

  it("a task's action verb in the message adds to its score; a verb alone matches nothing", () => {
    const matcher = new TaskMatcher([{ id: "t", title: "Add logout button" }], 0.1);
    expect(matcher.match("add logout button")).toEqual([{ taskId: "t", score: 1 }]);
    expect(matcher.match("logout button")).toEqual([{ taskId: "t", score: 0.87 }]);
    expect(matcher.match("remove logout button")).toEqual([{ taskId: "t", score: 0.87 }]);
    expect(matcher.match("add")).toEqual([]);
  });

  it("answers the same message the same way every time, whatever the caller did with an earlier answer", () => {
    const matcher = new TaskMatcher([{ id: "t", title: "logout button" }]);
    const first = matcher.match("logout button");
    first[0]!.score = 0;
    first.push({ taskId: "x", score: 1 });
    expect(matcher.match("logout button")).toEqual([{ taskId: "t", score: 1 }]);
    expect(matcher.match("logout button header")).toEqual([{ taskId: "t", score: 0.87 }]);
    expect(matcher.match("logout button")).toEqual([{ taskId: "t", score: 1 }]);
  });
});
