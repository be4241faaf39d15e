// What the two parsers (the line scanner and micromark) report and what the rest of the package reads:
// types only, kept apart from parse.ts so the parsers need not import the module that calls them.
import type { Task } from "./model.js";

/** Where the character between a task's brackets is, in the BOM-less text (UTF-16 offsets). */
export interface CheckOffsets {
  start: number;
  end: number;
  /** Just after the closing "]". */
  close: number;
}

/**
 * What either parser reports about one task list item (offsets into the BOM-less text). Flat, not
 * nested objects: a 10,000-task parse makes one object per task fewer for each level left out.
 */
export interface ItemFacts {
  /** The checkbox: see `CheckOffsets`. */
  checkStart: number;
  checkEnd: number;
  checkClose: number;
  checked: boolean;
  /** 1-based line of the checkbox. */
  line: number;
  /** The list item's start (its marker): offset, 1-based line and column. */
  startOffset: number;
  startLine: number;
  startColumn: number;
  /** The list item's end (end of its last non-blank line): offset and 1-based line. */
  endOffset: number;
  endLine: number;
  /** End of the paragraph holding the checkbox and the title. */
  titleParagraphEnd: number | undefined;
  /** The item holds blocks besides its title paragraph and lists of tasks (more paragraphs, code, plain bullets). */
  ownBlocks: boolean;
}

/** A task with the parse facts the editing and describing code needs. */
export interface TaskRecord extends ItemFacts {
  task: Task;
  /** Index into `ParsedPrd.headings` of the task's section heading, or -1 before the first heading. */
  headingIndex: number;
  /** Offset just after the title within the BOM-less text. */
  titleEnd: number;
  /** The nearest enclosing task. */
  parent: TaskRecord | undefined;
}

export interface HeadingFacts {
  /** 1-based line the heading starts on. */
  line: number;
  /** Its text as written (inline syntax kept), whitespace runs collapsed. */
  text: string;
}

export interface ParsedPrd {
  /** "\uFEFF" when the file starts with a byte order mark, else "". Offsets exclude it. */
  bom: string;
  /** The text without its BOM; every offset indexes into this. */
  body: string;
  tasks: TaskRecord[];
  headings: HeadingFacts[];
  /** First and last line of the YAML front matter, if any. */
  frontMatter: Array<{ startLine: number; endLine: number }>;
}

/** What a parser reports into (parse.ts's DocumentBuilder): headings, front matter and tasks in order. */
export interface DocumentSink {
  readonly frontMatter: ParsedPrd["frontMatter"];
  heading(line: number, text: string): void;
  task(facts: ItemFacts, parent: TaskRecord | undefined): TaskRecord;
}
