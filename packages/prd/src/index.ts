// Placeholder until the parser lands (issue #2): the contract's types only.
export interface Task {
  id: string;
  title: string;
  checked: boolean;
  line: number;
  depth: number;
  parentId?: string;
  section?: string;
}
export function parsePrd(_text: string): { tasks: Task[] } {
  throw new Error("not implemented yet");
}
export function setTaskChecked(_text: string, _taskId: string, _checked: boolean): string {
  throw new Error("not implemented yet");
}
