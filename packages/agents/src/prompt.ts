/** The task an iteration works on, as the prompt describes it. */
export interface PromptTask {
  id: string;
  title: string;
  /** The item's sub-items and continuation lines, as written in the PRD. */
  body?: string;
  /** The text of the PRD section around the task (heading and neighbouring items). */
  sectionText?: string;
  /** 1-based line of the task's checkbox in the PRD. */
  line?: number;
}

export interface PromptInput {
  task: PromptTask;
  /** The PRD path inside the worktree, as the agent should open it (relative to the worktree). */
  prdPath: string;
  runId: string;
  iteration: number;
  maxIterations: number;
  /** What earlier iterations left: their last messages, failure summaries, notes files. Oldest first. */
  notes?: string[];
  /** A command that must pass before the task counts as done. */
  checkCommand?: string;
}

/** Keeps a header value on one line: the header lines are parsed (e.g. by the scripted model server). */
function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, " ").trim();
}

/**
 * Builds the prompt of one Ralph-loop iteration. The first lines are a fixed header
 * (`Task id:`, `Task:`, `PRD:`, `Checkbox line:`, `Run:`) that tools may parse; task text is copied
 * verbatim below it. The caller writes the result to a file and feeds it on stdin: never put it on a
 * command line.
 */
export function buildPrompt(input: PromptInput): string {
  const { task, prdPath } = input;
  const out: string[] = [
    `You are working on one task from a PRD checklist, in a git worktree of your own. csess runs you in a loop: each iteration starts fresh, so everything you need is below, in the files, and in git history.`,
    "",
    `Task id: ${task.id}`,
    `Task: ${oneLine(task.title)}`,
    `PRD: ${prdPath}`,
  ];
  if (task.line !== undefined) out.push(`Checkbox line: ${task.line}`);
  out.push(`Run: ${input.runId}, iteration ${input.iteration} of ${input.maxIterations}`, "", "## The task", "", task.title);
  if (task.body?.trim()) out.push("", task.body);
  if (task.sectionText?.trim()) {
    out.push("", `## Its section of ${prdPath}`, "", task.sectionText);
  }
  const notes = (input.notes ?? []).filter((n) => n.trim() !== "");
  if (notes.length > 0) {
    out.push("", "## What earlier iterations left", "");
    notes.forEach((note, i) => out.push(`### Note ${i + 1}`, "", note.trimEnd(), ""));
    out.push("Continue from there: check `git log` and the working tree before redoing anything.");
  }
  if (input.checkCommand) {
    out.push("", "## Check", "", `This check must pass: run \`${input.checkCommand}\` and make it pass before you commit.`);
  }
  out.push(
    "",
    "## When you are done",
    "",
    "1. Do the work in this worktree only, and commit it with git. End every commit message with this trailer line:",
    "",
    `   Csess-Task: ${task.id}`,
    "",
    `2. In the same worktree, tick this task's checkbox in ${prdPath} (change \`[ ]\` to \`[x]\` on ${task.line !== undefined ? `line ${task.line}` : "the task's line"}; change nothing else in that file) and commit that too, with the same trailer.`,
    "3. Tick the box only when the work is done and committed: csess checks git, not the checkbox.",
    "4. If you cannot finish, leave the box unticked, commit what is useful, and say in your final message what is left and why; the next iteration reads it.",
    "",
  );
  return out.join("\n");
}
