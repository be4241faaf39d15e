import { parsePrd, type Task } from "@csess/prd";
import { readPrd } from "../prd-file.js";
import { renderTable } from "../table.js";

/** `csess tasks PRD.md`: the checklist with stable ids, as a table or the contract's JSON. */
export async function tasksCommand(prdPath: string, options: { json?: boolean }): Promise<void> {
  const tasks = parsePrd(await readPrd(prdPath)).tasks;
  if (options.json) {
    process.stdout.write(JSON.stringify({ tasks: tasks.map(contractFields) }) + "\n");
    return;
  }
  process.stdout.write(formatTasks(tasks));
}

/** Exactly the contract's fields, in the contract's order; absent parent/section are null so every key is present. */
function contractFields(task: Task) {
  const { id, title, checked, line, depth } = task;
  return { id, title, checked, line, depth, parentId: task.parentId ?? null, section: task.section ?? null };
}

function formatTasks(tasks: Task[]): string {
  if (tasks.length === 0) return "No tasks found (expected GitHub task items such as \"- [ ] Add login\").\n";
  const open = tasks.filter((t) => !t.checked).length;
  const table = renderTable(
    ["ID", "DONE", "LINE", "TASK", "SECTION"],
    tasks.map((t) => [t.id, t.checked ? "[x]" : "[ ]", String(t.line), "  ".repeat(t.depth) + t.title, t.section ?? ""]),
  );
  return `${table}\n${tasks.length} tasks, ${open} open, ${tasks.length - open} done\n`;
}
