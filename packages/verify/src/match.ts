import { stemmer } from "stemmer";

/** Below this a commit message is not evidence for a task at all. */
export const MESSAGE_MATCH_THRESHOLD = 0.6;

const STOPWORDS = new Set(
  ("a an the to for of and or in on at by with from into onto as is are be been it its this that these those " +
    "we our you your their so via all any some when should can must will would could may might not no " +
    "do does done also just then than there here up out over more most very per each other such only own same " +
    "wip misc minor small initial first final").split(" "),
);

/**
 * Words (after stemming) that mean the same thing in a task title and a commit message, folded to
 * one key (the group's first word). The first five groups are action verbs, which count less (GENERIC).
 */
const SYNONYMS: string[][] = [
  ["add", "creat", "implement", "introduc", "build", "make", "new", "write", "setup", "support", "enabl", "allow", "provid"],
  ["fix", "repair", "resolv", "correct", "bug", "bugfix", "patch", "hotfix"],
  ["remov", "delet", "drop", "strip", "elimin", "purg"],
  ["updat", "chang", "modifi", "improv", "tweak", "adjust", "bump", "upgrad", "enhanc"],
  ["refactor", "restructur", "reorgan", "cleanup", "clean", "simplifi", "tidi"],
  ["endpoint", "api", "rout", "handler", "rest"],
  ["test", "spec", "unittest", "e2e", "coverag"],
  ["doc", "document", "readm", "guid", "docstr"],
  ["login", "signin", "logon"],
  ["registr", "regist", "signup", "enrol"],
  ["auth", "authent", "authn", "oauth"],
  ["config", "configur", "setting", "option", "prefer"],
  ["db", "databas", "sql", "schema"],
  ["ui", "interfac", "frontend", "view", "screen", "page"],
  ["valid", "verifi", "verif", "check", "sanit"],
  ["err", "error", "except", "failur"],
  ["log", "logger", "trace"],
  ["ci", "pipelin", "workflow"],
];
/** Action verbs (the keys of the first five groups, and "set"): they count less than content words. */
const GENERIC = new Set(["add", "fix", "remov", "updat", "refactor", "set"]);
/**
 * Conventional-commit types that say nothing about the subject ("feat: ..."); others ("test:", "docs:") do.
 * "wip" and "misc" need no entry: they are stop words.
 */
const EMPTY_TYPES = new Set(["feat", "feature", "chore", "style", "build"]);
const CANONICAL = new Map<string, string>();
for (const group of SYNONYMS) for (const word of group) CANONICAL.set(word, group[0] ?? word);

/** Words the stemmer folds into a word of another meaning ("setting" into "set") or mangles ("e2e" into "e2"). */
const STEM_EXCEPTIONS = new Map([["setting", "setting"], ["settings", "setting"], ["e2e", "e2e"]]);
const stems = new Map<string, string>(STEM_EXCEPTIONS);

/** Canonical word keys of a text: markdown and conventional-commit syntax dropped, stemmed, synonyms folded. */
export function wordKeys(text: string): Set<string> {
  const plain = text
    .replace(/^\s*(\w+)(?:\(([^)]*)\))?!?:\s+/, (_m, type: string, scope?: string) =>
      `${EMPTY_TYPES.has(type.toLowerCase()) ? "" : type} ${scope ?? ""} `,
    ) // "feat(api): "
    .replace(/\b([a-z]+)-([a-z]+)\b/gi, "$1-$2 $1$2") // "sign-up" also as "signup"
    .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1") // [text](url)
    .replace(/([a-z])([A-Z])/g, "$1 $2") // camelCase
    .toLowerCase();
  const keys = new Set<string>();
  for (const word of plain.split(/[^a-z0-9]+/)) {
    if (word.length < 2 || STOPWORDS.has(word) || /^\d+$/.test(word)) continue;
    let stem = stems.get(word);
    if (stem === undefined) {
      stem = stemmer(word);
      stems.set(word, stem);
    }
    keys.add(CANONICAL.get(stem) ?? stem);
  }
  return keys;
}

function weight(key: string): number {
  return GENERIC.has(key) ? 0.3 : 1;
}

/**
 * How well a commit message describes a task, 0..1: the share of the task's words the message has
 * (action verbs count less), scaled down when much of the message is about other things. Zero unless
 * at least one content word (not an action verb) is shared.
 */
export function scoreMatch(taskWords: ReadonlySet<string>, messageWords: ReadonlySet<string>): number {
  let total = 0;
  let covered = 0;
  let shared = 0;
  for (const key of taskWords) {
    total += weight(key);
    if (messageWords.has(key)) {
      covered += weight(key);
      if (weight(key) === 1) shared++;
    }
  }
  let messageContent = 0;
  for (const key of messageWords) if (weight(key) === 1) messageContent++;
  return combine(covered, total, shared, messageContent);
}

function combine(covered: number, total: number, shared: number, messageContent: number): number {
  if (shared === 0 || total === 0) return 0;
  // Short task titles match many messages by one word: a message mostly about other things counts less.
  const precision = messageContent === 0 ? 1 : shared / messageContent;
  return Math.round((covered / total) * (0.6 + 0.4 * precision) * 100) / 100;
}

export interface MessageMatch {
  taskId: string;
  score: number;
}

/**
 * Matches commit subjects against many task titles quickly: an index from content word to tasks, so a
 * subject is scored only against the tasks it shares a content word with, by counting along the
 * index. Each message goes to its best task(s) at or above the threshold.
 */
export class TaskMatcher {
  private readonly tasks: Array<{ id: string; keys: Set<string>; total: number }>;
  private readonly byKey = new Map<string, number[]>();
  private readonly shared: Uint16Array;
  /** Answers by message: histories repeat subjects ("wip", "fix typo", merges), each is scored once. */
  private readonly memo = new Map<string, MessageMatch[]>();

  constructor(tasks: ReadonlyArray<{ id: string; title: string }>, private readonly threshold = MESSAGE_MATCH_THRESHOLD) {
    this.tasks = tasks.map((t) => {
      const keys = wordKeys(t.title);
      let total = 0;
      for (const key of keys) total += weight(key);
      return { id: t.id, keys, total };
    });
    this.shared = new Uint16Array(tasks.length);
    this.tasks.forEach(({ keys }, index) => {
      for (const key of keys) {
        if (weight(key) < 1) continue;
        const list = this.byKey.get(key);
        if (list) list.push(index);
        else this.byKey.set(key, [index]);
      }
    });
  }

  match(message: string): MessageMatch[] {
    let best = this.memo.get(message);
    if (best === undefined) {
      best = this.score(message);
      this.memo.set(message, best);
    }
    return best.map((m) => ({ ...m }));
  }

  private score(message: string): MessageMatch[] {
    const content: string[] = [];
    const verbs: string[] = [];
    for (const key of wordKeys(message)) (weight(key) === 1 ? content : verbs).push(key);
    const touched: number[] = [];
    for (const key of content) {
      for (const index of this.byKey.get(key) ?? []) {
        if (this.shared[index] === 0) touched.push(index);
        this.shared[index]!++;
      }
    }
    let best: MessageMatch[] = [];
    let bestScore = this.threshold;
    for (const index of touched) {
      const task = this.tasks[index]!;
      const shared = this.shared[index]!;
      this.shared[index] = 0;
      let covered = shared;
      for (const verb of verbs) if (task.keys.has(verb)) covered += weight(verb);
      const score = combine(covered, task.total, shared, content.length);
      if (score > bestScore) {
        bestScore = score;
        best = [{ taskId: task.id, score }];
      } else if (score === bestScore) best.push({ taskId: task.id, score });
    }
    return best;
  }
}
