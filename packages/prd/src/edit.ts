import { PrdError } from "./errors.js";
import { findTaskIndex, unknownTaskId } from "./lookup.js";
import type { Task } from "./model.js";
import { parseDocument, rememberToggled } from "./parse.js";

/** Parses a PRD: its GFM task items in document order, with stable ids. */
export function parsePrd(text: string): { tasks: Task[] } {
  return { tasks: parseDocument(text).tasks.map((record) => ({ ...record.task })) };
}

/**
 * Returns `text` with the task's checkbox set: exactly one character changes (" " or tab -> "x",
 * "x"/"X" -> " "), or none when the box is already in that state (an "X" stays "X").
 * Everything else, BOM and line endings included, is kept byte for byte.
 * Throws `UnknownTaskIdError` for an id the PRD does not contain.
 */
export function setTaskChecked(text: string, taskId: string, checked: boolean): string {
  const doc = parseDocument(text);
  const tasks = doc.tasks.map((record) => record.task);
  const index = findTaskIndex(tasks, taskId);
  if (index < 0) throw unknownTaskId(tasks, taskId);
  const record = doc.tasks[index]!;
  if (record.task.checked === checked) return text;
  const { checkStart: start, checkEnd: end } = record;
  if (end - start !== 1 || /[\r\n]/.test(doc.body[start]!)) {
    // GitHub accepts "[" and "]" on different lines; ticking that would join the lines.
    throw new PrdError(
      `Cannot tick task ${record.task.id} "${record.task.title}" (line ${record.task.line}): its "[" and "]" are on ` +
        `different lines. Expected a checkbox on one line, e.g. "- [ ] ${record.task.title}".`,
    );
  }
  const body = doc.body.slice(0, start) + (checked ? "x" : " ") + doc.body.slice(end);
  rememberToggled(doc, index, body, checked);
  return doc.bom + body;
}
