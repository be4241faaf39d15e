import type { Heading, ListItem, Nodes, Paragraph, Root } from "mdast";
import type { CompileContext, Extension as FromMarkdownExtension, Token } from "mdast-util-from-markdown";
import { createRequire } from "node:module";
import type { Processor } from "unified";
import type { MicromarkChunk } from "./chunks.js";
import { collapseWhitespace } from "./fast-scan.js";
import type { CheckOffsets, DocumentSink, ItemFacts, TaskRecord } from "./records.js";

declare module "mdast" {
  interface ListItemData {
    /** Set by `recordTaskChecks` on list items that are GFM tasks. */
    csessCheck?: CheckOffsets;
  }
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

/**
 * unified, remark and micromark take about 100 ms to load (hundreds of small modules), and most PRDs
 * never need them: the line scanner reads them. So they are loaded on the first piece the scanner
 * declines, synchronously (parsePrd is synchronous) with require() of ES modules, which Node has
 * without a flag from 20.19 and 22.12 on.
 */
function loadProcessor() {
  const load = createRequire(import.meta.url);
  try {
    const { unified } = load("unified") as typeof import("unified");
    return unified()
      .use((load("remark-parse") as typeof import("remark-parse")).default)
      .use((load("remark-gfm") as typeof import("remark-gfm")).default)
      .use((load("remark-frontmatter") as typeof import("remark-frontmatter")).default, ["yaml"])
      .use(remarkRecordTaskChecks)
      .freeze();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_REQUIRE_ESM") throw error;
    throw new Error(`reading this PRD needs the markdown parser, which needs Node ^20.19 or >= 22.12 (this is ${process.version}): ${(error as Error).message}`);
  }
}

let processor: ReturnType<typeof loadProcessor> | undefined;

/** The mdast of a piece of markdown, as GitHub reads it (GFM, YAML front matter). */
export function parseMarkdown(text: string): Root {
  processor ??= loadProcessor();
  return processor.parse(text);
}

/** Adds the headings, tasks and front matter of a chunk parsed by micromark, at their place in the whole text. */
export function addMdastChunk(builder: DocumentSink, body: string, chunk: MicromarkChunk): void {
  const { offset, lineDelta } = chunk;
  const open: TaskRecord[] = [];
  const visit = (node: Nodes): void => {
    if (node.type === "heading") builder.heading(node.position!.start.line + lineDelta, headingText(body, node, offset));
    if (node.type === "yaml") {
      builder.frontMatter.push({ startLine: node.position!.start.line + lineDelta, endLine: node.position!.end.line + lineDelta });
    }
    const check = node.type === "listItem" && typeof node.checked === "boolean" ? node.data?.csessCheck : undefined;
    if (node.type === "listItem" && check) {
      const record = builder.task(itemFacts(body, node, check, offset, lineDelta), open.at(-1));
      open.push(record);
      for (const child of node.children) visit(child);
      open.pop();
      return;
    }
    if ("children" in node) for (const child of node.children) visit(child);
  };
  for (const node of chunk.children) visit(node);
}

function itemFacts(body: string, item: ListItem, check: CheckOffsets, offset: number, lineDelta: number): ItemFacts {
  const { start, end } = item.position!;
  const titleParagraph = item.children.find((child): child is Paragraph => child.type === "paragraph");
  return {
    checkStart: check.start + offset,
    checkEnd: check.end + offset,
    checkClose: check.close + offset,
    checked: item.checked === true,
    line: lineOf(body, start.offset! + offset, check.start + offset, start.line + lineDelta),
    startOffset: start.offset! + offset,
    startLine: start.line + lineDelta,
    startColumn: start.column,
    endOffset: end.offset! + offset,
    endLine: end.line + lineDelta,
    titleParagraphEnd: titleParagraph ? titleParagraph.position!.end.offset! + offset : undefined,
    ownBlocks: item.children.some((child) => {
      if (child === titleParagraph) return false;
      if (child.type !== "list") return true;
      return child.children.some((nested) => typeof nested.checked !== "boolean" || !nested.data?.csessCheck);
    }),
  };
}

/** Line of the checkbox: the item's line plus the line endings between the marker and the check. */
function lineOf(body: string, itemOffset: number, checkOffset: number, itemLine: number): number {
  let line = itemLine;
  for (let i = itemOffset; i < checkOffset; i++) {
    const c = body.charCodeAt(i);
    if (c === 10 || (c === 13 && body.charCodeAt(i + 1) !== 10)) line++;
  }
  return line;
}

/** A heading's text as written (inline syntax kept), whitespace runs collapsed. */
function headingText(body: string, heading: Heading, offset: number): string {
  const first = heading.children[0]?.position?.start.offset;
  const last = heading.children.at(-1)?.position?.end.offset;
  if (first === undefined || last === undefined) return "";
  return collapseWhitespace(body.slice(first + offset, last + offset));
}
