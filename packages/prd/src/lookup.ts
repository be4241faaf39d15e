import { UnknownTaskIdError } from "./errors.js";
import { ID_EXAMPLE, normalizeIdInput, titleKey } from "./ids.js";
import type { Task } from "./model.js";

/** Index of the task with this id (typed loosely: case and o/0, i/l/1 are forgiven), or -1. */
export function findTaskIndex(tasks: readonly Task[], taskId: string): number {
  const wanted = normalizeIdInput(taskId);
  return tasks.findIndex((task) => task.id === wanted);
}

/** The task with this id (typed loosely), or an `UnknownTaskIdError` naming the nearest tasks. */
export function findTask(tasks: readonly Task[], taskId: string): Task {
  const task = tasks[findTaskIndex(tasks, taskId)];
  if (!task) throw unknownTaskId(tasks, taskId);
  return task;
}

/** The error for an id the PRD lacks: names it, lists the nearest ids and titles, shows a valid id. */
export function unknownTaskId(tasks: readonly Task[], taskId: string): UnknownTaskIdError {
  const suggestions = nearestTasks(tasks, taskId).map((task) => `${task.id} "${task.title}"`);
  const lines = [
    `Unknown task id "${taskId}": no task in the PRD has it.`,
    `Expected a task id as listed by \`csess tasks PRD.md\`: ${tasks.length ? "" : "(this PRD has no tasks) "}` +
      `6 characters from 0-9 and a-z, e.g. "${tasks[0]?.id ?? ID_EXAMPLE}".`,
  ];
  if (suggestions.length) lines.push(`Nearest matches: ${suggestions.join(", ")}.`);
  return new UnknownTaskIdError(taskId, suggestions, lines.join("\n"));
}

/** Up to 5 tasks whose id is within 2 edits of the input, or whose title contains it or is close to it. */
export function nearestTasks(tasks: readonly Task[], input: string): Task[] {
  const id = normalizeIdInput(input);
  const text = titleKey(input);
  const scored: Array<{ task: Task; score: number }> = [];
  for (const task of tasks) {
    const byId = editDistance(id, task.id);
    const key = titleKey(task.title);
    const byTitle = text.length >= 3 && key.includes(text) ? 0.5 : editDistance(text, key);
    const score = Math.min(byId <= 2 ? byId : Infinity, byTitle <= Math.max(2, key.length / 4) ? byTitle : Infinity);
    if (score !== Infinity) scored.push({ task, score });
  }
  return scored.sort((a, b) => a.score - b.score).slice(0, 5).map((entry) => entry.task);
}

/** Levenshtein distance; inputs are ids and titles, so the quadratic cost is tiny. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return Infinity;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
