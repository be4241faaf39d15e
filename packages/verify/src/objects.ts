import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { checkoutDirs, GitCoprocess, gitOut, lineAnswer, runGitScript, type AnswerParser } from "./git.js";

/** One entry of a tree: mode as git stores it ("100644", "40000"...), object id, and name (its bytes as latin1). */
export interface RawTreeEntry {
  mode: string;
  oid: string;
  name: string;
}

/** A tree entry to put at a path, or null to have none there. */
export type PathEntry = { mode: string; oid: string } | null;

/**
 * Git's object store for one batch of plumbing work: trees read by one `git cat-file --batch`, trees
 * written by one `git mktree -z --batch`, commits by one `git hash-object -t commit --stdin-paths`
 * (made as `git commit-tree` makes them), the three started together when it opens. Files it writes
 * (contents, commit objects) go to a private folder in the git directory, removed afterwards; no index
 * or working tree is touched.
 */
export class ObjectStore {
  private readonly coprocesses = new Map<string, GitCoprocess>();
  /** The trees written here, by id: read back without asking git (a chain's ticks edit its last tree). */
  private readonly writtenTrees = new Map<string, RawTreeEntry[]>();
  private written = 0;

  private constructor(readonly root: string, private readonly dir: string) {}

  /** Runs `fn` with a store for `root`, and closes it (and removes its folder) afterwards. */
  static async with<T>(root: string, fn: (store: ObjectStore) => Promise<T>): Promise<T> {
    const store = new ObjectStore(root, await mkdtemp(join((await checkoutDirs(root)).gitDir, "csess-scratch-")));
    try {
      // Every use reads a tree, writes one and commits: the three start together, not one after another.
      for (const args of [READ_OBJECTS, WRITE_TREES, WRITE_COMMITS]) store.coprocess(args);
      return await fn(store);
    } finally {
      await Promise.all([...store.coprocesses.values()].map((c) => c.close())); // (never rejects: a git that failed said so to its question)
      await rm(store.dir, { recursive: true, force: true });
    }
  }

  /** The entries of a tree. */
  async readTree(tree: string): Promise<RawTreeEntry[]> {
    const known = this.writtenTrees.get(tree);
    if (known) return [...known];
    const object = await this.coprocess(READ_OBJECTS).ask(`${tree}\n`, batchAnswer);
    if (object?.type !== "tree") throw new Error(`git cat-file --batch: ${tree} is not a tree in ${this.root}${object ? ` (a ${object.type})` : ""}; the repository may be damaged (git fsck says more)`);
    return parseTree(object.content, object.oid.length / 2);
  }

  /** The tree of a commit. */
  async treeOf(commit: string): Promise<string> {
    const found = await this.commitAt(commit);
    if (found === null) throw new Error(`git cat-file --batch: ${commit} is not a commit in ${this.root}`);
    return found.tree;
  }

  /** The commit a revision (e.g. `refs/heads/main`) names now and its tree; null when it names none. */
  async commitAt(rev: string): Promise<{ commit: string; tree: string } | null> {
    const object = await this.coprocess(READ_OBJECTS).ask(`${rev}\n`, batchAnswer);
    if (object?.type !== "commit") return null;
    // A commit object starts with its tree.
    const tree = /^tree ([0-9a-f]{40,64})\n/.exec(object.content.toString("latin1", 0, 80))?.[1];
    if (tree === undefined) throw new Error(`git cat-file --batch: commit ${object.oid} names no tree in ${this.root}; the repository may be damaged (git fsck says more)`);
    return { commit: object.oid, tree };
  }

  /** The content of a blob, as UTF-8 text. */
  async readText(blob: string): Promise<string> {
    const object = await this.coprocess(READ_OBJECTS).ask(`${blob}\n`, batchAnswer);
    if (object?.type !== "blob") throw new Error(`git cat-file --batch: ${blob} is not a blob in ${this.root}${object ? ` (a ${object.type})` : ""}; the repository may be damaged (git fsck says more)`);
    return object.content.toString("utf8");
  }

  /** Writes a tree of these entries (git sorts them) and returns its id. */
  async writeTree(entries: RawTreeEntry[]): Promise<string> {
    // -z: names as they are (no quoting); an empty entry ends the tree.
    const lines = entries.map((e) => `${e.mode} ${typeOfMode(e.mode)} ${e.oid}\t${e.name}\0`).join("");
    const tree = await this.coprocess(WRITE_TREES).ask(Buffer.from(`${lines}\0`, "latin1"), lineAnswer);
    this.writtenTrees.set(tree, [...entries]);
    return tree;
  }

  /** Writes the contents as blobs (no filters), in one process; returns their ids in order. */
  async writeBlobs(contents: string[]): Promise<string[]> {
    if (contents.length === 0) return [];
    const names = await Promise.all(contents.map((content) => this.file(content)));
    const out = await gitOut(this.dir, ["hash-object", "-w", "--no-filters", "--stdin-paths"], { input: names.map((n) => `${n}\n`).join("") });
    return out.split("\n");
  }

  /** Writes a commit of `tree` on `parents` with `message`, as `git commit-tree` makes it; returns its id. */
  async writeCommit(commit: { tree: string; parents: string[]; message: string }): Promise<string> {
    const identity = await identityOf(this.root);
    const header = [`tree ${commit.tree}`, ...commit.parents.map((p) => `parent ${p}`), `author ${identity.author()}`, `committer ${identity.committer()}`];
    if (identity.encoding) header.push(`encoding ${identity.encoding}`);
    const name = await this.file(`${header.join("\n")}\n\n${commit.message}`);
    return this.coprocess(WRITE_COMMITS).ask(`${name}\n`, lineAnswer);
  }

  /**
   * The tree `tree` with the entries at some paths put in place (`edits`: path -> entry, or null for
   * none), the trees on the way rebuilt; null for a tree left empty below the root. Paths use "/".
   */
  async editTree(tree: string | null, edits: ReadonlyMap<string, PathEntry>): Promise<string | null> {
    return this.edit(tree, [...edits].map(([path, entry]) => ({ names: path.split("/").map(latin1), entry })), true);
  }

  /** The entry at `path` in `tree` (null when there is none). */
  async entryAt(tree: string, path: string): Promise<PathEntry> {
    let entry: RawTreeEntry | undefined = { mode: "40000", oid: tree, name: "" };
    for (const name of path.split("/").map(latin1)) {
      if (entry?.mode !== "40000") return null;
      entry = (await this.readTree(entry.oid)).find((e) => e.name === name);
    }
    return entry ? { mode: entry.mode, oid: entry.oid } : null;
  }

  private async edit(tree: string | null, edits: Array<{ names: string[]; entry: PathEntry }>, isRoot = false): Promise<string | null> {
    const entries = new Map((tree === null ? [] : await this.readTree(tree)).map((e) => [e.name, e]));
    for (const name of new Set(edits.map((e) => e.names[0]!))) {
      const here = edits.filter((e) => e.names[0] === name);
      const own = here.findLast((e) => e.names.length === 1);
      const below = here.filter((e) => e.names.length > 1).map((e) => ({ names: e.names.slice(1), entry: e.entry }));
      let entry = own === undefined ? entries.get(name) : own.entry && { ...own.entry, name };
      if (below.length > 0) {
        const sub = await this.edit(entry?.mode === "40000" ? entry.oid : null, below);
        entry = sub === null ? undefined : { mode: "40000", oid: sub, name };
      }
      if (entry) entries.set(name, entry);
      else entries.delete(name);
    }
    if (entries.size === 0 && !isRoot) return null; // git keeps no empty folders
    return this.writeTree([...entries.values()]);
  }

  private coprocess(args: string[]): GitCoprocess {
    const key = args.join(" ");
    let running = this.coprocesses.get(key);
    // In the folder: hash-object reads the paths it is given from there.
    if (!running) this.coprocesses.set(key, (running = new GitCoprocess(args === WRITE_COMMITS ? this.dir : this.root, args)));
    return running;
  }

  /** Writes `content` to a new file in the folder; returns its name there. */
  private async file(content: string): Promise<string> {
    const name = `o${this.written++}`;
    await writeFile(join(this.dir, name), content);
    return name;
  }
}

const READ_OBJECTS = ["cat-file", "--batch"];
const WRITE_TREES = ["mktree", "-z", "--batch"];
const WRITE_COMMITS = ["hash-object", "-w", "-t", "commit", "--stdin-paths"];

/** A name's UTF-8 bytes as latin1 (how tree entries hold names here). */
function latin1(name: string): string {
  return Buffer.from(name, "utf8").toString("latin1");
}

function typeOfMode(mode: string): string {
  return mode === "40000" ? "tree" : mode === "160000" ? "commit" : "blob"; // (modes as trees hold them: a folder is "40000")
}

/** The entries of a raw tree object ("<mode> <name>\0<hash bytes>", repeated). */
export function parseTree(tree: Buffer, hashBytes: number): RawTreeEntry[] {
  const entries: RawTreeEntry[] = [];
  let at = 0;
  while (at < tree.length) {
    const space = tree.indexOf(32, at);
    const nul = tree.indexOf(0, space);
    if (space === -1 || nul === -1) throw new Error("git cat-file --batch: a tree object that does not parse; the repository may be damaged (git fsck says more)");
    entries.push({ mode: tree.toString("latin1", at, space), name: tree.toString("latin1", space + 1, nul), oid: tree.toString("hex", nul + 1, nul + 1 + hashBytes) });
    at = nul + 1 + hashBytes;
  }
  return entries;
}

/** An object as `git cat-file --batch` gives it. */
export interface BatchObject {
  oid: string;
  type: string;
  content: Buffer;
}

/** One answer of `git cat-file --batch`: the object, or undefined for a name it could not find ("<name> missing"). */
export const batchAnswer: AnswerParser<BatchObject | undefined> = (output) => {
  const headerEnd = output.indexOf(10);
  if (headerEnd === -1) return undefined;
  const header = /^([0-9a-f]{40,64}) (\w+) (\d+)$/.exec(output.toString("latin1", 0, headerEnd));
  if (!header) return { value: undefined, length: headerEnd + 1 };
  const end = headerEnd + 1 + Number(header[3]);
  if (output.length < end + 1) return undefined;
  return { value: { oid: header[1]!, type: header[2]!, content: output.subarray(headerEnd + 1, end) }, length: end + 1 };
};

interface Identity {
  author: () => string;
  committer: () => string;
  /** The commit encoding the user set (i18n.commitEncoding), when it is not UTF-8: git names it in each commit. */
  encoding?: string;
}

/**
 * Asks git who commits in `root` (as `git commit-tree` would: the identity every merge and tick commit is
 * made with), and keeps the answer for them; throws git's own error when nobody is set. A runner asks at
 * its start: a run that could land nothing stops before any agent works, and its first landing waits for
 * nothing more.
 */
export async function checkCommitIdentity(root: string): Promise<void> {
  await identityOf(root);
}

/**
 * Who commits, as `git commit-tree` would say it (`git var`, which fails as commit-tree does when no
 * identity is set), asked once per repository and environment; the time is taken at each commit
 * unless GIT_AUTHOR_DATE / GIT_COMMITTER_DATE fix it.
 */
const identities = new Map<string, Promise<Identity>>();
function identityOf(root: string): Promise<Identity> {
  const env = ["NAME", "EMAIL", "DATE"].flatMap((k) => [process.env[`GIT_AUTHOR_${k}`], process.env[`GIT_COMMITTER_${k}`]]);
  const key = JSON.stringify([root, env, process.env.EMAIL, process.env.GIT_CONFIG_GLOBAL, process.env.GIT_CONFIG_NOSYSTEM, process.env.HOME]);
  let identity = identities.get(key);
  if (!identity) {
    identity = readIdentity(root);
    identity.catch(() => identities.delete(key));
    identities.set(key, identity);
  }
  return identity;
}

async function readIdentity(root: string): Promise<Identity> {
  const script = 'git var GIT_AUTHOR_IDENT && git var GIT_COMMITTER_IDENT && { git config --get i18n.commitencoding || [ $? -eq 1 ]; }';
  const [author = "", committer = "", encoding = ""] = (await runGitScript(root, "read the commit identity", script, [])).stdout.split("\n");
  return {
    author: stamped(author, process.env.GIT_AUTHOR_DATE),
    committer: stamped(committer, process.env.GIT_COMMITTER_DATE),
    ...(encoding && !/^utf-?8$/i.test(encoding) ? { encoding } : {}),
  };
}

/**
 * "Name <email> <seconds> <zone>" with the time now, unless `fixed` (git's answer then holds it). The
 * zone stays git's own reading (node cannot read every TZ git can, e.g. "XST+3:30").
 */
function stamped(ident: string, fixed: string | undefined): () => string {
  if (fixed !== undefined) return () => ident;
  const [, who, zone] = /^(.*) \d+ ([+-]\d{4})$/.exec(ident) ?? [];
  if (who === undefined) throw new Error(`git var: an identity csess cannot read: ${JSON.stringify(ident)} (expected "Name <email> <seconds> <zone>")`);
  return () => `${who} ${Math.floor(Date.now() / 1000)} ${zone}`;
}
