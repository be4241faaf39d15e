import type { SchedulerTask } from "./types.js";

/** The fields of an `@csess/prd` Task this needs (a prd Task fits as is). */
export interface PrdTaskLike {
  id: string;
  title: string;
  checked?: boolean;
  parentId?: string;
  /** 1-based line of the checkbox; with `text`, used to find a parent's own text. */
  line?: number;
}

const AFTER = /\(after:\s*([^)]*)\)/gi;

/**
 * Ids named in `(after: <id>)` annotations in a task's title: `(after: k3f9)`,
 * `(after: k3f9, p2x1)`; case-insensitive, anywhere in the title, several allowed.
 */
export function parseAfter(title: string): string[] {
  const ids: string[] = [];
  for (const match of title.matchAll(AFTER)) {
    for (const id of match[1]!.split(/[\s,]+/)) if (id !== "" && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

/**
 * Scheduler tasks from PRD tasks:
 * - a nested task runs before its parent (the parent depends on its direct children);
 * - `(after: <id>)` in a title adds that dependency;
 * - a parent with nothing of its own to do is a `group`: no agent runs for it, it is verified when
 *   all its children are. With `prdText`, a parent has its own work when its item holds any text
 *   besides the title line before its first nested task (a second line, a paragraph, a bullet);
 *   without `prdText` every parent is a group;
 * - a checked task is `done`.
 */
export function dependenciesFromPrd(tasks: PrdTaskLike[], prdText?: string): SchedulerTask[] {
  const children = new Map<string, PrdTaskLike[]>();
  for (const task of tasks) {
    if (task.parentId === undefined) continue;
    const list = children.get(task.parentId) ?? [];
    list.push(task);
    children.set(task.parentId, list);
  }
  const lines = prdText?.replace(/^\uFEFF/, "").split(/\r\n|\r|\n/);
  return tasks.map((task) => {
    const kids = children.get(task.id) ?? [];
    const deps = [...kids.map((k) => k.id), ...parseAfter(task.title).filter((id) => !kids.some((k) => k.id === id))];
    const group = kids.length > 0 && !(lines && hasOwnText(task, kids, lines));
    return {
      id: task.id,
      deps,
      ...(group ? { kind: "group" as const } : {}),
      ...(task.checked ? { done: true } : {}),
    };
  });
}

function hasOwnText(task: PrdTaskLike, kids: PrdTaskLike[], lines: string[]): boolean {
  if (task.line === undefined) return false;
  const firstChildLine = Math.min(...kids.map((k) => k.line ?? Number.POSITIVE_INFINITY));
  const end = Math.min(firstChildLine - 1, lines.length);
  const item = lines
    .slice(task.line - 1, end)
    .map((line) => line.replace(/^(\s*>)*\s*/, ""))
    .join("\n")
    // the item's own marker and checkbox on its first line
    .replace(/^(?:[-*+]|\d{1,9}[.)])\s+\[[ \txX]\]/, "");
  const rest = item.replace(task.title, "").replace(AFTER, "");
  return rest.trim() !== "";
}
