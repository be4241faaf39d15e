/** One checklist item of a PRD: exactly the contract's fields (see DESIGN.md, "@csess/prd API"). */
export interface Task {
  /** Stable, typeable id (6 characters, e.g. "k3m9qa"); see README "Task ids". */
  id: string;
  /** First line of the item's text, markdown inline syntax kept as written. */
  title: string;
  checked: boolean;
  /** 1-based line of the checkbox. */
  line: number;
  /** 0 for top-level tasks, 1 for a task nested in a task, ... */
  depth: number;
  /** Id of the nearest enclosing task, if any. */
  parentId?: string;
  /** Text of the nearest heading above, if any. */
  section?: string;
}

/** What the runner needs beyond the contract to schedule a task and prompt an agent for it. */
export interface TaskDetail extends Task {
  /** Ids of the tasks nested directly in this one, in document order. */
  childIds: string[];
  /** The list item's own markdown source (its lines, including nested items), "\n" line endings. */
  body: string;
  /**
   * Whether the item has content of its own beyond its title line and its child task items
   * (more lines, paragraphs, code, non-task bullets). A parent without own text is the sum of its children.
   */
  ownText: boolean;
  /** Ids of the tasks this one must wait for, from "(after: <id or title>, ...)" in its text. */
  after: string[];
  /** The task's section: its heading and the section's non-task text, "\n" line endings. */
  sectionText: string;
}
