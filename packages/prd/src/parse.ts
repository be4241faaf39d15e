import type { Heading, ListItem, Nodes, Paragraph, RootContent } from "mdast";
import type { CompileContext, Extension as FromMarkdownExtension, Token } from "mdast-util-from-markdown";
import remarkFrontmatter from "remark-frontmatter";
import remarkGfm from "remark-gfm";
import remarkParse from "remark-parse";
import { unified, type Processor } from "unified";
import { parseInChunks } from "./chunks.js";
import { assignIds } from "./ids.js";
import type { Task } from "./model.js";

/** Where the character between a task's brackets is, in the BOM-less text (UTF-16 offsets). */
interface CheckOffsets {
  start: number;
  end: number;
  /** Just after the closing "]". */
  close: number;
}

declare module "mdast" {
  interface ListItemData {
    /** Set by `recordTaskChecks` on list items that are GFM tasks. */
    csessCheck?: CheckOffsets;
  }
}

/** A task with the parse facts the editing and describing code needs. */
export interface TaskRecord {
  task: Task;
  item: ListItem;
  check: CheckOffsets;
  /** Index into `ParsedPrd.headings` of the task's section heading, or -1 before the first heading. */
  headingIndex: number;
  /** Offsets of the title within the BOM-less text. */
  titleEnd: number;
  /** The paragraph holding the checkbox and the title. */
  titleParagraph: Paragraph | undefined;
  /** The nearest enclosing task. */
  parent: TaskRecord | undefined;
}

export interface ParsedPrd {
  /** "\uFEFF" when the file starts with a byte order mark, else "". Offsets exclude it. */
  bom: string;
  /** The text without its BOM; every offset indexes into this. */
  body: string;
  /** The top-level blocks, in order. */
  blocks: RootContent[];
  tasks: TaskRecord[];
  headings: Heading[];
}

/**
 * from-markdown extension: remember where the checkbox value is. mdast only keeps `checked`,
 * and remark-stringify is lossy, so byte-exact edits need the token's own offsets.
 */
const recordTaskChecks: FromMarkdownExtension = {
  enter: {
    taskListCheckValueChecked: recordCheck,
    taskListCheckValueUnchecked: recordCheck,
  },
  exit: { taskListCheck: recordCheckEnd },
};

function recordCheck(this: CompileContext, token: Token): void {
  // Like mdast-util-gfm-task-list-item: the check is always in a paragraph, in a list item.
  const item = this.stack[this.stack.length - 2];
  if (item?.type !== "listItem") return;
  item.data ??= {};
  item.data.csessCheck = { start: token.start.offset, end: token.end.offset, close: token.end.offset + 1 };
}

function recordCheckEnd(this: CompileContext, token: Token): void {
  const item = this.stack[this.stack.length - 2];
  if (item?.type === "listItem" && item.data?.csessCheck) item.data.csessCheck.close = token.end.offset;
}

function remarkRecordTaskChecks(this: Processor): void {
  const data = this.data();
  (data.fromMarkdownExtensions ??= []).push(recordTaskChecks);
}

const processor = unified()
  .use(remarkParse)
  .use(remarkGfm)
  .use(remarkFrontmatter, ["yaml"])
  .use(remarkRecordTaskChecks)
  .freeze();

// One-entry memo: the runner and the benchmark toggle task after task in the same text, and a
// toggle's result is known without re-parsing (see `rememberToggled`).
let memo: { text: string; doc: ParsedPrd } | undefined;

/** Parses a PRD into its tasks (document order) and headings. */
export function parseDocument(text: string): ParsedPrd {
  if (memo?.text === text) return memo.doc;
  const doc = parseFresh(text);
  memo = { text, doc };
  return doc;
}

/**
 * Records the parse of `text` after one checkbox value was swapped for another single character
 * (" " <-> "x"). Such a swap changes nothing else: the check construct wins over link references,
 * so the new text parses to the same tasks with only that one flipped (the tests re-parse to prove it).
 */
export function rememberToggled(previous: ParsedPrd, index: number, body: string, checked: boolean): void {
  const tasks = previous.tasks.slice();
  const old = tasks[index]!;
  tasks[index] = { ...old, task: { ...old.task, checked } };
  memo = { text: previous.bom + body, doc: { ...previous, body, tasks } };
}

/** Chunk size for `parseInChunks`: big enough that per-parse overhead does not matter. */
const CHUNK_CHARS = 4096;

/** Parses without the memo (tests use it to check the memo never lies, and to vary the chunk size). */
export function parseFresh(text: string, chunkChars = CHUNK_CHARS): ParsedPrd {
  const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
  const body = bom ? text.slice(1) : text;
  const blocks: RootContent[] = [];
  const tasks: TaskRecord[] = [];
  const headings: Heading[] = [];
  const open: TaskRecord[] = [];

  const visit = (node: Nodes): void => {
    if (node.type === "heading") headings.push(node);
    const check = node.type === "listItem" && typeof node.checked === "boolean" ? node.data?.csessCheck : undefined;
    if (node.type === "listItem" && check) {
      const record = toRecord(body, node, check, open, headings);
      tasks.push(record);
      open.push(record);
      for (const child of node.children) visit(child);
      open.pop();
      return;
    }
    if ("children" in node) for (const child of node.children) visit(child);
  };
  for (const chunk of parseInChunks(body, (part) => processor.parse(part), chunkChars)) {
    for (const node of chunk.children) shift(node, chunk.offset, chunk.lineDelta);
    for (const node of chunk.children) visit(node);
    blocks.push(...chunk.children);
  }
  assignIds(tasks);
  return { bom, body, blocks, tasks, headings };
}

/** Moves a node (and its descendants) parsed as part of a chunk to its place in the whole text. */
function shift(node: Nodes, offsetDelta: number, lineDelta: number): void {
  if (offsetDelta === 0 && lineDelta === 0) return;
  if ("children" in node) for (const child of node.children) shift(child, offsetDelta, lineDelta);
  const position = node.position;
  if (position) {
    position.start.offset! += offsetDelta;
    position.end.offset! += offsetDelta;
    position.start.line += lineDelta;
    position.end.line += lineDelta;
  }
  const check = node.type === "listItem" ? node.data?.csessCheck : undefined;
  if (check) {
    check.start += offsetDelta;
    check.end += offsetDelta;
    check.close += offsetDelta;
  }
}

function toRecord(body: string, item: ListItem, check: CheckOffsets, open: TaskRecord[], headings: Heading[]): TaskRecord {
  const titleParagraph = item.children.find((child): child is Paragraph => child.type === "paragraph");
  const paragraphEnd = titleParagraph?.position?.end.offset ?? item.position?.end.offset ?? body.length;
  const { start, end } = findTitle(body, check.close, paragraphEnd);
  const parent = open.at(-1);
  const heading = headings.at(-1);
  const task: Task = {
    id: "",
    title: body.slice(start, end),
    checked: item.checked === true,
    line: lineOf(body, check.start, item),
    depth: open.length,
  };
  if (parent) task.parentId = ""; // placeholder keeping the contract's key order; assignIds fills it
  const section = heading ? headingText(body, heading) : undefined;
  if (section) task.section = section;
  return { task, item, check, headingIndex: headings.length - 1, titleEnd: end, titleParagraph, parent };
}

/**
 * The title is the first line of text after "]": the rest of the checkbox line, or, for
 * "- [ ]\n  text", the next line without its container prefix (indent, ">").
 */
function findTitle(body: string, from: number, paragraphEnd: number): { start: number; end: number } {
  let start = skip(body, from, " \t");
  if (body[start] === "\r" || body[start] === "\n") {
    start += body.startsWith("\r\n", start) ? 2 : 1;
    start = skip(body, start, " \t>");
  }
  let end = start;
  while (end < paragraphEnd && body[end] !== "\n" && body[end] !== "\r") end++;
  while (end > start && (body[end - 1] === " " || body[end - 1] === "\t")) end--;
  return { start, end };
}

function skip(text: string, from: number, chars: string): number {
  let i = from;
  while (i < text.length && chars.includes(text[i]!)) i++;
  return i;
}

/** Line of the checkbox: the item's line plus the line endings between the marker and the check. */
function lineOf(body: string, checkOffset: number, item: ListItem): number {
  const start = item.position!.start;
  let line = start.line;
  for (let i = start.offset!; i < checkOffset; i++) {
    const c = body.charCodeAt(i);
    if (c === 10 || (c === 13 && body.charCodeAt(i + 1) !== 10)) line++;
  }
  return line;
}

/** A heading's text as written (inline syntax kept), whitespace runs collapsed. */
export function headingText(body: string, heading: Heading): string {
  const first = heading.children[0]?.position?.start.offset;
  const last = heading.children.at(-1)?.position?.end.offset;
  if (first === undefined || last === undefined) return "";
  return body.slice(first, last).replace(/\s+/g, " ").trim();
}
