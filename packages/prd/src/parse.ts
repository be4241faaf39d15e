import { lineEndFrom, parseInChunks } from "./chunks.js";
import { scanSimplePiece, type PieceEvent } from "./fast-scan.js";
import { assignIds } from "./ids.js";
import { addMdastChunk, parseMarkdown } from "./micromark-parse.js";
import type { Task } from "./model.js";
import type { DocumentSink, HeadingFacts, ItemFacts, ParsedPrd, TaskRecord } from "./records.js";

export type { CheckOffsets, HeadingFacts, ItemFacts, ParsedPrd, TaskRecord } from "./records.js";

/**
 * Collects headings and tasks in document order from both parsers, giving each task its title,
 * section, depth and parent. Tasks never span chunks (a chunk starts a new top-level block), so
 * the parent always comes from the same chunk; sections do carry over.
 */
export class DocumentBuilder implements DocumentSink {
  readonly tasks: TaskRecord[] = [];
  readonly headings: HeadingFacts[] = [];
  readonly frontMatter: ParsedPrd["frontMatter"] = [];

  constructor(private readonly body: string) {}

  heading(line: number, text: string): void {
    this.headings.push({ line, text });
  }

  task(facts: ItemFacts, parent: TaskRecord | undefined): TaskRecord {
    const start = titleStart(this.body, facts.checkClose);
    const end = titleEnd(this.body, start, facts.titleParagraphEnd ?? facts.endOffset);
    const heading = this.headings.at(-1);
    const task: Task = {
      id: "",
      title: this.body.slice(start, end),
      checked: facts.checked,
      line: facts.line,
      depth: parent ? parent.task.depth + 1 : 0,
    };
    if (parent) task.parentId = ""; // placeholder keeping the contract's key order; assignIds fills it
    if (heading?.text) task.section = heading.text;
    const record: TaskRecord = {
      checkStart: facts.checkStart,
      checkEnd: facts.checkEnd,
      checkClose: facts.checkClose,
      checked: facts.checked,
      line: facts.line,
      startOffset: facts.startOffset,
      startLine: facts.startLine,
      startColumn: facts.startColumn,
      endOffset: facts.endOffset,
      endLine: facts.endLine,
      titleParagraphEnd: facts.titleParagraphEnd,
      ownBlocks: facts.ownBlocks,
      task,
      headingIndex: this.headings.length - 1,
      titleEnd: end,
      parent,
    }; // fields listed, not spread: an object spread per task was a fifth of a 10,000-task parse
    this.tasks.push(record);
    return record;
  }

  /** Adds the events of a piece read by the line scanner; its lines count from `firstLine`. */
  addScanned(events: PieceEvent[], firstLine: number): void {
    const records: Array<TaskRecord | undefined> = [];
    const lineBase = firstLine - 1;
    for (const event of events) {
      if (event.kind === "heading") {
        this.heading(event.line + lineBase, event.text);
        records.push(undefined);
        continue;
      }
      const facts = event.facts;
      facts.line += lineBase;
      facts.startLine += lineBase;
      facts.endLine += lineBase;
      records.push(this.task(facts, records[event.parent]));
    }
  }
}

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

export interface ParseOptions {
  /** Largest piece handed to micromark at once (it slows down more than linearly). */
  chunkChars?: number;
  /** Read plain pieces with the line scanner (`fast-scan.ts`); off only to compare against micromark. */
  scan?: boolean;
  /** Counts what each path read, for tests that must know the scanner was used. */
  stats?: { scanned: number; micromark: number };
}

/** Parses without the memo (tests use it to check the memo never lies and to compare the paths). */
export function parseFresh(text: string, options: ParseOptions = {}): ParsedPrd {
  const bom = text.startsWith("\uFEFF") ? "\uFEFF" : "";
  const body = bom ? text.slice(1) : text;
  const builder = new DocumentBuilder(body);
  const scan = options.scan === false ? undefined : (from: number, to: number) => scanSimplePiece(body, from, to);
  for (const chunk of parseInChunks(body, parseMarkdown, options.chunkChars ?? CHUNK_CHARS, scan)) {
    if (chunk.kind === "scanned") builder.addScanned(chunk.events, chunk.lineDelta + 1);
    else addMdastChunk(builder, body, chunk);
    if (options.stats) options.stats[chunk.kind] += chunk.end - chunk.start;
  }
  assignIds(builder.tasks);
  return { bom, body, tasks: builder.tasks, headings: builder.headings, frontMatter: builder.frontMatter };
}

/**
 * Where a task's title starts. The title is the first line of text after "]": the rest of the
 * checkbox line, or, for "- [ ]\n  text", the next line without its container prefix (indent, ">").
 */
function titleStart(body: string, from: number): number {
  let start = skip(body, from, " \t");
  if (body[start] === "\r" || body[start] === "\n") {
    start += body.startsWith("\r\n", start) ? 2 : 1;
    start = skip(body, start, " \t>");
  }
  return start;
}

/** Where the title ends: at the end of its line (within the paragraph), trailing blanks left out. */
function titleEnd(body: string, start: number, paragraphEnd: number): number {
  let end = Math.max(start, Math.min(lineEndFrom(body, start), paragraphEnd));
  while (end > start && (body[end - 1] === " " || body[end - 1] === "\t")) end--;
  return end;
}

function skip(text: string, from: number, chars: string): number {
  let i = from;
  while (i < text.length && chars.includes(text[i]!)) i++;
  return i;
}
