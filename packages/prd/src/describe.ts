import { PrdError } from "./errors.js";
import { AFTER_ANNOTATION, normalizeIdInput, titleKey } from "./ids.js";
import { nearestTasks } from "./lookup.js";
import type { Task, TaskDetail } from "./model.js";
import { parseDocument, type ParsedPrd, type TaskRecord } from "./parse.js";

/**
 * Parses a PRD into tasks with what the runner needs to schedule and prompt them: children,
 * the item's source, whether it has text of its own, "(after: ...)" dependencies and its section.
 * Throws `PrdError` for a dependency that names no task (or names the task itself).
 */
export function describeTasks(text: string): TaskDetail[] {
  return describeParsed(parseDocument(text));
}

export function describeParsed(doc: ParsedPrd): TaskDetail[] {
  const lines = splitLines(doc.body);
  const sections = sectionTexts(doc, lines);
  const tasks = doc.tasks.map((record) => record.task);
  const resolve = refResolver(tasks);
  const children = new Map<string, string[]>();
  for (const task of tasks) if (task.parentId) pushTo(children, task.parentId, task.id);
  return doc.tasks.map((record) => ({
    ...record.task,
    childIds: children.get(record.task.id) ?? [],
    body: itemSource(doc.body, record),
    ownText: hasOwnText(doc.body, record),
    after: afterRefs(titleParagraphSource(doc.body, record)).map((ref) => resolve(record.task, ref)),
    sectionText: sections[record.headingIndex + 1]!,
  }));
}

/** The refs of every "(after: a, b)" annotation in a piece of text. */
export function afterRefs(text: string): string[] {
  const refs: string[] = [];
  for (const match of text.matchAll(AFTER_ANNOTATION)) {
    for (const ref of match[1]!.split(",")) if (ref.trim()) refs.push(ref.trim());
  }
  return refs;
}

/** Maps a ref to a task id: an id (typed loosely) first, else an exact title (case and spacing aside). */
function refResolver(tasks: Task[]): (task: Task, ref: string) => string {
  const ids = new Set(tasks.map((task) => task.id));
  const byTitle = new Map<string, Task[]>();
  for (const task of tasks) pushTo(byTitle, titleKey(task.title), task);
  return (task, ref) => {
    const asId = normalizeIdInput(ref);
    const matches = ids.has(asId) ? [asId] : (byTitle.get(titleKey(ref)) ?? []).map((t) => t.id);
    const where = `Task ${task.id} "${task.title}" (line ${task.line}) has "(after: ${ref})"`;
    const example = `Expected task ids or exact titles, comma-separated, e.g. "(after: ${tasks.find((t) => t !== task)?.id ?? "k3m9qa"})".`;
    if (matches.length > 1) {
      throw new PrdError(`${where}, but ${matches.length} tasks have that title (${matches.join(", ")}). ${example.replace(" or exact titles", "")}`);
    }
    const id = matches[0];
    if (id === undefined) {
      const near = nearestTasks(tasks, ref).map((t) => `${t.id} "${t.title}"`);
      throw new PrdError(`${where}, but no task has that id or title. ${example}${near.length ? ` Nearest: ${near.join(", ")}.` : ""}`);
    }
    if (id === task.id) throw new PrdError(`${where}: a task cannot wait for itself. ${example}`);
    return id;
  };
}

function pushTo<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function splitLines(body: string): string[] {
  return body.split(/\r\n|\r|\n/);
}

/** The item's lines, "\n"-joined, continuation lines dedented by the item's own indent. */
function itemSource(body: string, record: TaskRecord): string {
  const indent = record.startColumn - 1;
  const [first = "", ...rest] = splitLines(body.slice(record.startOffset, record.endOffset));
  const dedent = new RegExp(`^[ \\t>]{0,${indent}}`);
  return [first, ...rest.map((line) => line.replace(dedent, ""))].join("\n");
}

function titleParagraphSource(body: string, record: TaskRecord): string {
  return record.titleParagraphEnd === undefined ? "" : body.slice(record.checkClose, record.titleParagraphEnd);
}

/** Own text: more lines after the title (annotations aside), other blocks, or non-task bullets. */
function hasOwnText(body: string, record: TaskRecord): boolean {
  const paragraphEnd = record.titleParagraphEnd ?? record.titleEnd;
  if (body.slice(record.titleEnd, paragraphEnd).replace(AFTER_ANNOTATION, "").trim()) return true;
  return record.ownBlocks;
}

/**
 * Per section (index 0: text before the first heading), its lines without task items and front
 * matter, blank-line runs collapsed: the context an agent needs about the part of the PRD it works in.
 */
function sectionTexts(doc: ParsedPrd, lines: string[]): string[] {
  const hidden = new Uint8Array(lines.length + 1);
  const hide = (startLine: number, endLine: number) => {
    for (let line = startLine; line <= endLine; line++) hidden[line - 1] = 1;
  };
  for (const record of doc.tasks) hide(record.startLine, record.endLine);
  for (const range of doc.frontMatter) hide(range.startLine, range.endLine);
  const starts = [1, ...doc.headings.map((heading) => heading.line)];
  return starts.map((from, i) => {
    const to = (starts[i + 1] ?? lines.length + 1) - 1;
    const kept: string[] = [];
    for (let line = from; line <= to; line++) {
      if (hidden[line - 1]) continue;
      const textLine = lines[line - 1]!.trimEnd();
      if (textLine === "" && (kept.length === 0 || kept.at(-1) === "")) continue;
      kept.push(textLine);
    }
    while (kept.at(-1) === "") kept.pop();
    return kept.join("\n");
  });
}
