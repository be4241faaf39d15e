import { accessSync, constants, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { hooksDir, runGit } from "@csess/verify";

/**
 * Cross-task isolation: which task's agent moved which branch.
 *
 * Every agent runs with git configured (through `GIT_CONFIG_COUNT`/`KEY`/`VALUE` in its environment,
 * which codex, claude and custom agents all pass on to the git they run) to use csess's hooks folder.
 * Its `reference-transaction` hook appends `<task> <old> <new> <ref>` for every ref update git
 * commits, with the task id of the agent whose environment ran git. A commit on task A's branch
 * stamped by task B's agent is B's work in the wrong place: it does not verify A.
 *
 * What it cannot catch: an agent that clears those variables, runs git with its own `core.hooksPath`,
 * writes objects and refs without git, or edits the log. That needs a sandbox (see README).
 * The user's own hooks (their `core.hooksPath`, or the repository's hooks) that exist when the run starts
 * are chained: csess's folder holds a script for each that runs it. A hook the user does not have gets
 * no script, so git starts no process for it (about six per agent commit); one added mid-run is run
 * from the next run on.
 */
const USER_HOOKS = [
  "applypatch-msg", "pre-applypatch", "post-applypatch", "pre-commit", "pre-merge-commit", "prepare-commit-msg",
  "commit-msg", "post-commit", "pre-rebase", "post-checkout", "post-merge", "pre-push", "pre-auto-gc",
  "post-rewrite", "sendemail-validate", "post-index-change",
];

export interface Stamps {
  /** Environment for an agent (besides its CSESS_TASK_ID): its git runs csess's hooks (see `agentGitEnv`). */
  env(base?: NodeJS.ProcessEnv): Record<string, string>;
  /** Where the stamps an ssh host logged for this run are copied (`foreign` reads them too). */
  mirror(host: string): string;
  /** Commits on `branch` (between `base` and its tip) that another task's agent put there, with that task. */
  foreign(taskId: string, branch: string, base: string): Promise<{ by: string; commits: string[] } | undefined>;
}

/** Where the user's hooks are (a relative `dir` is relative to each worktree), and which of them exist. */
export interface UserHooks {
  dir: string;
  relative: boolean;
  names: readonly string[];
}

export async function prepareStamps(runDir: string, repoRoot: string): Promise<Stamps> {
  const hooks = join(runDir, "hooks");
  const log = join(runDir, "ref-updates.log");
  const userHooks = await findUserHooks(repoRoot);
  mkdirSync(hooks, { recursive: true, mode: 0o700 });
  for (const [name, script] of Object.entries(stampHooks(log, userHooks))) writeFileSync(join(hooks, name), script, { mode: 0o755 });
  const mirrors = () => readdirSync(runDir).filter((f) => /^ref-updates\..+\.log$/.test(f)).map((f) => join(runDir, f));
  return {
    env: (base = process.env) => agentGitEnv(hooks, base),
    mirror: (host) => join(runDir, `ref-updates.${host.replace(/[^A-Za-z0-9._-]/g, "_")}.log`),
    async foreign(taskId, branch, base) {
      const updates = [log, ...mirrors()].flatMap(readUpdates).filter((u) => u.ref === `refs/heads/${branch}` && u.task !== taskId);
      for (const update of updates) {
        const range = /^0+$/.test(update.old) ? [update.new, `^${base}`] : [update.new, `^${update.old}`];
        const listed = await runGit(repoRoot, ["rev-list", ...range], { okExitCodes: [128] });
        const commits = listed.stdout.split("\n").filter(Boolean);
        if (commits.length > 0) return { by: update.task, commits };
      }
      return undefined;
    },
  };
}

/**
 * Git configuration (GIT_CONFIG_* variables) for an agent's git: csess's hooks in `hooks`, and no automatic
 * maintenance after each commit (`git maintenance run --auto`: one more process per agent commit, and
 * several agents committing at once would start git's gc side by side; csess runs it after landings).
 * Appended after any GIT_CONFIG_* the user already passes in `base`, so theirs still apply but for these two keys.
 */
export function agentGitEnv(hooks: string, base: NodeJS.ProcessEnv): Record<string, string> {
  const first = Number.parseInt(base.GIT_CONFIG_COUNT ?? "0", 10) || 0;
  const settings = [["core.hooksPath", hooks], ["maintenance.auto", "false"]];
  return Object.fromEntries([
    ["GIT_CONFIG_COUNT", String(first + settings.length)],
    ...settings.flatMap(([key, value], i) => [[`GIT_CONFIG_KEY_${first + i}`, key], [`GIT_CONFIG_VALUE_${first + i}`, value]]),
  ]);
}

/** The hooks folder's scripts by name: the stamping reference-transaction (into `log`), and the user's hooks chained. */
export function stampHooks(log: string, user: UserHooks): Record<string, string> {
  const chained = USER_HOOKS.filter((name) => user.names.includes(name));
  return { "reference-transaction": referenceTransaction(log, user), ...Object.fromEntries(chained.map((name) => [name, chain(name, user)])) };
}

function readUpdates(log: string): Array<{ task: string; old: string; new: string; ref: string }> {
  if (!existsSync(log)) return [];
  return readFileSync(log, "utf8").split("\n").flatMap((line) => {
    const [task, old, next, ref] = line.split(" ");
    return task && old && next && ref ? [{ task, old, new: next, ref }] : [];
  });
}

/** The user's hooks (where git looks for them: verify's `hooksDir`) and the names of those git would run (executable files). */
async function findUserHooks(repoRoot: string): Promise<UserHooks> {
  const where = await hooksDir(repoRoot);
  const found = resolve(repoRoot, where.dir); // a relative folder is looked for in the main checkout
  const names = ["reference-transaction", ...USER_HOOKS].filter((name) => executable(join(found, name)));
  return { ...where, names };
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function userHook(name: string, user: UserHooks): string {
  // Hooks run at the top of the worktree, so a relative hooksPath (husky's .husky/_) is found from there.
  return user.relative ? `"$PWD"/${quote(`${user.dir}/${name}`)}` : quote(join(user.dir, name));
}

function chain(name: string, user: UserHooks): string {
  return `#!/bin/sh\n# csess: runs your own ${name} hook.\nhook=${userHook(name, user)}\n[ -x "$hook" ] && exec "$hook" "$@"\nexit 0\n`;
}

/**
 * Read with the shell's own `read`, not `cat`, and stamped in the same loop: no process but the shell.
 * Without a user hook, a phase other than `committed` exits unread (git ignores the broken pipe).
 */
function referenceTransaction(log: string, user: UserHooks): string {
  const stamp = `[ -n "$ref" ] && [ "$1" = committed ] && [ -n "$CSESS_TASK_ID" ] && printf '%s %s %s %s\\n' "$CSESS_TASK_ID" "$old" "$new" "$ref" >> ${quote(log)}`;
  const head = ["#!/bin/sh", "# csess: stamps every ref update with the task id of the agent whose git made it."];
  if (!user.names.includes("reference-transaction")) {
    return [...head, `[ "$1" = committed ] && [ -n "$CSESS_TASK_ID" ] || exit 0`, `while read -r old new ref; do ${stamp}; done`, "exit 0", ""].join("\n");
  }
  return [
    ...head,
    "input=",
    // git's lines are `<old> <new> <ref>` (a ref name has no spaces), so they are put back together as read.
    `while read -r old new ref; do input="$input$old $new $ref\n"; ${stamp}; done`,
    `hook=${userHook("reference-transaction", user)}`,
    `[ -x "$hook" ] && { printf '%s' "$input" | "$hook" "$@"; exit $?; }`,
    "exit 0",
    "",
  ].join("\n");
}
