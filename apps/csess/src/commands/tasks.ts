import { parsePrd, type Task } from "@csess/prd";
import { readPrd } from "../prd-file.js";
import { renderTable } from "../table.js";

/** `csess tasks PRD.md`: the checklist with stable ids, as a table or the contract's JSON. */
export async function tasksCommand(prdPath: string, options: { json?: boolean }): Promise<void> {
  const tasks = parsePrd(await readPrd(prdPath)).tasks;
  // Each piece written as it was built, never glued to the next first: on a 10,000-task PRD that is a
  // megabyte, and a glued string is copied once more before it reaches stdout.
  if (options.json) {
    process.stdout.write(JSON.stringify({ tasks: tasks.map(contractFields) }));
    process.stdout.write("\n");
    return;
  }
  if (tasks.length === 0) {
    process.stdout.write("No tasks found (expected GitHub task items such as \"- [ ] Add login\").\n");
    return;
  }
  process.stdout.write(tasksTable(tasks));
  const open = tasks.filter((t) => !t.checked).length;
  process.stdout.write(`\n${tasks.length} tasks, ${open} open, ${tasks.length - open} done\n`);
}

/** Exactly the contract's fields, in the contract's order; absent parent/section are null so every key is present. */
function contractFields(task: Task) {
  const { id, title, checked, line, depth } = task;
  return { id, title, checked, line, depth, parentId: task.parentId ?? null, section: task.section ?? null };
}

function tasksTable(tasks: Task[]): string {
  return renderTable(
    ["ID", "DONE", "LINE", "TASK", "SECTION"],
    tasks.map((t) => [t.id, t.checked ? "[x]" : "[ ]", String(t.line), "  ".repeat(t.depth) + t.title, t.section ?? ""]),
  );
}
