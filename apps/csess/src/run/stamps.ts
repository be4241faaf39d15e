import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { isAbsolute, join } from "node:path";
import { runGit } from "@csess/verify";

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
 * Every other hook goes on to the user's own (their `core.hooksPath`, or the repository's hooks).
 */
const USER_HOOKS = [
  "applypatch-msg", "pre-applypatch", "post-applypatch", "pre-commit", "pre-merge-commit", "prepare-commit-msg",
  "commit-msg", "post-commit", "pre-rebase", "post-checkout", "post-merge", "pre-push", "pre-auto-gc",
  "post-rewrite", "sendemail-validate", "post-index-change",
];

export interface Stamps {
  /** Environment for an agent (besides its CSESS_TASK_ID): its git runs csess's hooks. */
  env(base?: NodeJS.ProcessEnv): Record<string, string>;
  /** Where the stamps an ssh host logged for this run are copied (`foreign` reads them too). */
  mirror(host: string): string;
  /** Commits on `branch` (between `base` and its tip) that another task's agent put there, with that task. */
  foreign(taskId: string, branch: string, base: string): Promise<{ by: string; commits: string[] } | undefined>;
}

export async function prepareStamps(runDir: string, repoRoot: string): Promise<Stamps> {
  const hooks = join(runDir, "hooks");
  const log = join(runDir, "ref-updates.log");
  const userHooks = await userHooksDir(repoRoot);
  mkdirSync(hooks, { recursive: true, mode: 0o700 });
  for (const [name, script] of Object.entries(stampHooks(log, userHooks))) writeFileSync(join(hooks, name), script, { mode: 0o755 });
  const mirrors = () => readdirSync(runDir).filter((f) => /^ref-updates\..+\.log$/.test(f)).map((f) => join(runDir, f));
  return {
    env: (base = process.env) => hooksEnv(hooks, base),
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

/** Git configuration (GIT_CONFIG_* variables) making an agent's git use the hooks in `hooks`, after any the user passes in `base`. */
export function hooksEnv(hooks: string, base: NodeJS.ProcessEnv): Record<string, string> {
  // Appended after any GIT_CONFIG_* the user already passes, so theirs still apply.
  const index = Number.parseInt(base.GIT_CONFIG_COUNT ?? "0", 10) || 0;
  return {
    GIT_CONFIG_COUNT: String(index + 1),
    [`GIT_CONFIG_KEY_${index}`]: "core.hooksPath",
    [`GIT_CONFIG_VALUE_${index}`]: hooks,
  };
}

/** The hooks folder's scripts by name: the stamping reference-transaction (into `log`), and the user's hooks chained. */
export function stampHooks(log: string, user: { dir: string; relative: boolean }): Record<string, string> {
  return { "reference-transaction": referenceTransaction(log, user), ...Object.fromEntries(USER_HOOKS.map((name) => [name, chain(name, user)])) };
}

function readUpdates(log: string): Array<{ task: string; old: string; new: string; ref: string }> {
  if (!existsSync(log)) return [];
  return readFileSync(log, "utf8").split("\n").flatMap((line) => {
    const [task, old, next, ref] = line.split(" ");
    return task && old && next && ref ? [{ task, old, new: next, ref }] : [];
  });
}

/** Where the user's hooks are: their `core.hooksPath` (relative ones are relative to each worktree), or `.git/hooks`. */
async function userHooksDir(repoRoot: string): Promise<{ dir: string; relative: boolean }> {
  const configured = (await runGit(repoRoot, ["config", "--get", "core.hooksPath"], { okExitCodes: [1] })).stdout.trim();
  if (configured) return { dir: configured, relative: !isAbsolute(configured) && !configured.startsWith("~") };
  const common = (await runGit(repoRoot, ["rev-parse", "--path-format=absolute", "--git-common-dir"])).stdout.trim();
  return { dir: join(common, "hooks"), relative: false };
}

function quote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

function userHook(name: string, user: { dir: string; relative: boolean }): string {
  // Hooks run at the top of the worktree, so a relative hooksPath (husky's .husky/_) is found from there.
  return user.relative ? `"$PWD"/${quote(`${user.dir}/${name}`)}` : quote(join(user.dir, name));
}

function chain(name: string, user: { dir: string; relative: boolean }): string {
  return `#!/bin/sh\n# csess: runs your own ${name} hook, if you have one.\nhook=${userHook(name, user)}\n[ -x "$hook" ] && exec "$hook" "$@"\nexit 0\n`;
}

function referenceTransaction(log: string, user: { dir: string; relative: boolean }): string {
  return [
    "#!/bin/sh",
    "# csess: stamps every ref update with the task id of the agent whose git made it.",
    `input=$(cat)`,
    `if [ "$1" = committed ] && [ -n "$CSESS_TASK_ID" ]; then`,
    `  printf '%s\\n' "$input" | while read -r old new ref; do [ -n "$ref" ] && printf '%s %s %s %s\\n' "$CSESS_TASK_ID" "$old" "$new" "$ref"; done >> ${quote(log)}`,
    "fi",
    `hook=${userHook("reference-transaction", user)}`,
    `[ -x "$hook" ] && { printf '%s\\n' "$input" | "$hook" "$@"; exit $?; }`,
    "exit 0",
    "",
  ].join("\n");
}
