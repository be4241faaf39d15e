import { realpathSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve } from "node:path";
import { probeAgent, type AgentProbe } from "@csess/agents";
import { run, which } from "@csess/agents/exec";
import { describeTasks, PrdError, type TaskDetail } from "@csess/prd";
import type { SchedulerTask } from "@csess/scheduler";
import { checkCommitIdentity, GitCommandError, openRepo, RepoError, runGit, type RepoInfo } from "@csess/verify";
import { UserError } from "../errors.js";
import { readPrd } from "../prd-file.js";
import type { AgentKind, RunConfig } from "./settings.js";
import type { PlannedTask } from "./events.js";

export interface PreparedPrd {
  repo: RepoInfo & { branch: string; head: string };
  prdAbs: string;
  /** Relative to the repo root, forward slashes. */
  prdPath: string;
  text: string;
  details: TaskDetail[];
  warnings: string[];
}

/** Finds the repo around the PRD and checks everything a run needs before anything starts. */
export async function preparePrd(prdArg: string, cwd: string, into?: string): Promise<PreparedPrd> {
  const text = await readPrd(resolve(cwd, prdArg), prdArg);
  const prdAbs = realpathSync(resolve(cwd, prdArg));
  let repo: RepoInfo;
  try {
    repo = await openRepo(dirname(prdAbs), { requireCommits: true, requireBranch: into === undefined });
  } catch (error) {
    // Said better here, where the PRD and --into are known; other RepoErrors reach the CLI's edge as they are.
    if (error instanceof RepoError && error.code === "not-a-repo") {
      throw new UserError(
        `the PRD ${prdArg} is in ${dirname(prdAbs)}, which is not inside a git repository; expected a PRD committed in the repository ` +
          `its tasks change (e.g. git init && git add PRD.md && git commit -m "Add PRD")`,
      );
    }
    if (error instanceof RepoError && error.code === "detached-head") throw new UserError(error.message.replace(/\)$/, ", or pass --into BRANCH)"));
    throw error;
  }
  const prdPath = relative(repo.root, prdAbs).split("\\").join("/");
  if (prdPath.startsWith("..") || isAbsolute(prdPath)) {
    throw new UserError(`${prdArg} is outside the git repository ${repo.root}; put the PRD in the repository it describes`);
  }
  const warnings: string[] = [];
  const branch = into ?? repo.branch!;
  // Three questions side by side; without --into the branch is the checked-out one, whose commit openRepo read.
  const [tracked, modified, head] = await Promise.all([
    runGit(repo.root, ["--literal-pathspecs", "ls-files", "--error-unmatch", "--", prdPath], { okExitCodes: [1] }),
    runGit(repo.root, ["--literal-pathspecs", "diff", "--quiet", "HEAD", "--", prdPath], { okExitCodes: [1] }),
    into === undefined ? repo.head! : runGit(repo.root, ["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`], { okExitCodes: [1] }).then((r) => r.stdout.trim()),
  ]);
  if (tracked.exitCode !== 0) {
    throw new UserError(
      `${prdPath} is not committed; agents work in git worktrees made from your commits, so commit it first (git add ${prdPath} && git commit -m "Add PRD")`,
    );
  }
  if (modified.exitCode === 1) {
    warnings.push(`${prdPath} has uncommitted changes: agents see the committed version; csess ticks your working copy`);
  }
  let details: TaskDetail[];
  try {
    details = describeTasks(text);
  } catch (error) {
    if (error instanceof PrdError) throw new UserError(`${prdPath}: ${error.message}`);
    throw error;
  }
  if (!head) throw new UserError(`--into ${branch}: no such branch in ${repo.root}`);
  return { repo: { ...repo, branch, head }, prdAbs, prdPath, text, details, warnings };
}

/** The tasks a run plans: every unchecked task, with its dependencies among them. */
export function planTasks(details: TaskDetail[]): PlannedTask[] {
  const open = details.filter((d) => !d.checked);
  const openIds = new Set(open.map((d) => d.id));
  return open.map((d) => {
    const children = d.childIds.filter((id) => openIds.has(id));
    return {
      id: d.id,
      title: d.title,
      line: d.line,
      depth: d.depth,
      parentId: d.parentId,
      section: d.section,
      // A parent with nothing of its own to do is the sum of its children (see README "Dependencies").
      group: d.childIds.length > 0 && !d.ownText,
      deps: [...new Set([...children, ...d.after.filter((id) => openIds.has(id))])],
      checkedAtStart: false,
    };
  });
}

export function schedulerTasks(tasks: PlannedTask[]): SchedulerTask[] {
  return tasks.map((t) => ({ id: t.id, deps: t.deps, kind: t.group ? "group" : "agent" }));
}

/**
 * Git knows who commits in the repository: csess makes the merge and tick commits as the user, so without
 * an identity no task could land. Refused before anything starts (and the answer is kept for the landings).
 */
export async function checkCommitter(root: string): Promise<void> {
  try {
    await checkCommitIdentity(root);
  } catch (error) {
    if (!(error instanceof GitCommandError)) throw error;
    const said = error.stderr.split("\n").filter((l) => l.startsWith("fatal: ")).at(-1)?.slice("fatal: ".length) ?? error.message;
    throw new UserError(
      `git cannot say who commits in ${root} (${said}); csess makes the merge and tick commits as you: ` +
        `set it first, e.g. git config --global user.name "Your Name" && git config --global user.email you@example.com`,
    );
  }
}

/** The agent CLI, found and probed; a missing binary is a setup error before anything starts. */
export async function probe(config: RunConfig, env: NodeJS.ProcessEnv): Promise<AgentProbe> {
  const kind: AgentKind = config.agent;
  const found = await probeAgent(kind, { env });
  if (!found.found) throw new UserError(`${kind}: ${found.error ?? "not found"} (csess doctor shows what is missing)`);
  if (kind === "custom" && config.agentCmd) await checkAgentCommand(config.agentCmd, env);
  return found;
}

/**
 * A custom command whose program does not exist would fail every task at its first start: refuse it
 * before anything starts. Only a plain first word is checked (a name on PATH, a builtin or an absolute
 * path); relative paths resolve in the task's worktree and shell syntax is left to the shell.
 */
async function checkAgentCommand(command: string, env: NodeJS.ProcessEnv): Promise<void> {
  const program = command.trim().split(/\s+/)[0] ?? "";
  if (!/^[A-Za-z0-9_./+-]+$/.test(program) || (program.includes("/") && !isAbsolute(program))) return;
  if (which(program, env)) return;
  // Not a program on PATH: it may still be a shell builtin, which only the shell can say.
  const { code } = await run("sh", ["-c", 'command -v -- "$1"', "sh", program], env, 0, "ignore");
  if (code !== 0 && code !== null) {
    throw new UserError(
      `--agent-cmd: ${program} was not found ${program.includes("/") ? "" : "on PATH "}(expected a program csess can run, ` +
        `e.g. --agent-cmd "./scripts/agent.sh" or --agent-cmd "my-agent --yes"); received --agent-cmd ${JSON.stringify(command)}`,
    );
  }
}
