import type { Root, RootContent } from "mdast";
import type { PieceEvent, ScannedPiece } from "./fast-scan.js";

/** A piece of the text parsed by micromark: top-level nodes with positions relative to `offset`. */
export interface MicromarkChunk {
  kind: "micromark";
  children: RootContent[];
  /** Offset of the parsed text in the whole text (after a skipped leading U+FEFF). */
  offset: number;
  start: number;
  end: number;
  /** Lines before the chunk. */
  lineDelta: number;
}

/** A piece read by the line scanner. */
export interface ScannedChunk {
  kind: "scanned";
  events: PieceEvent[];
  start: number;
  end: number;
  lineDelta: number;
}

export type Chunk = MicromarkChunk | ScannedChunk;

/**
 * Parses a long PRD in pieces, each cut where a new top-level block must start whatever came
 * before: a line at column 1 after a blank line (it ends paragraphs, tables, indented code, list
 * items and block quotes) that reads the same in any micromark state (`STARTS_BLOCK_ALONE`). micromark slows down more than linearly on big documents (a 10,000-task
 * PRD parses about 4x faster in pieces), and tasks and headings come out the same (the tests compare
 * with a whole-document parse on random PRDs).
 * Blocks that do run on across such a line (fenced code, HTML blocks, front matter) are handled
 * by never cutting inside the front matter and by re-parsing a chunk that ends in code or HTML (also as
 * the last block of its items or quotes) from its last top-level block's first line together with
 * the next chunk.
 * With `scan`, each piece between two cuts is first offered to the line scanner, which reads plain
 * lists, paragraphs and headings without micromark (and declines anything else); declined pieces
 * go to micromark together, up to about `chunkChars` characters at once.
 * Chunks come out one at a time, in order, so the caller consumes each before the next is read: a long
 * PRD's per-task scanner facts then die young instead of being copied by every garbage collection.
 */
export function* parseInChunks(
  body: string,
  parse: (text: string) => Root,
  chunkChars: number,
  scan?: (from: number, to: number) => ScannedPiece | undefined,
): Generator<Chunk, void, undefined> {
  // A second BOM makes micromark's first lines quirky (column counting): keep such a text whole.
  const cuts = body.startsWith("\uFEFF") ? [] : candidateCuts(body);
  /** The first cut after `offset`, or the end of the text. */
  const cutAfter = (offset: number): number => {
    let low = 0;
    let high = cuts.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (cuts[mid]! <= offset) low = mid + 1;
      else high = mid;
    }
    return cuts[low] ?? body.length;
  };
  // Scanner answers by piece start: a piece is offered once, even when a micromark chunk stops before it.
  const scanned = new Map<number, ScannedPiece | undefined>();
  const scanAt = (start: number): ScannedPiece | undefined => {
    if (!scan) return undefined;
    if (!scanned.has(start)) scanned.set(start, scan(start, cutAfter(start)));
    return scanned.get(start);
  };
  let start = 0;
  let lineDelta = 0;
  let minEnd = 0;
  do {
    let end: number;
    const piece = minEnd === 0 ? scanAt(start) : undefined;
    if (piece) {
      scanned.delete(start); // consumed: later pieces start further on
      end = cutAfter(start);
      yield { kind: "scanned", events: piece.events, start, end, lineDelta };
      lineDelta += piece.lineEndings;
    } else {
      // micromark skips a U+FEFF at the start of its input and counts offsets after it (only the
      // first chunk can start with one, when the text has a second BOM).
      const skipped = body.startsWith("\uFEFF", start) ? 1 : 0;
      let want = chunkChars;
      let reach = minEnd;
      let children: RootContent[];
      for (;;) {
        end = cutAfter(Math.max(start, reach - 1));
        while (end < body.length && end - start < want && !scanAt(end)) end = cutAfter(end);
        children = parse(body.slice(start, end)).children;
        minEnd = 0;
        const last = children.at(-1);
        if (end === body.length || !last || !endsInCodeOrHtml(last)) break;
        // The block may run on past `end` (an unclosed fence, an HTML comment with blank lines), or,
        // nested in a list item, end differently at the end of the input than at the next line.
        const blockStart = skipped + last.position!.start.offset! - (last.position!.start.column - 1);
        if (blockStart > 0) {
          children = children.slice(0, -1);
          minEnd = end + 1; // the next chunk starts at that block and reaches past this cut
          end = start + blockStart;
          break;
        }
        want = (end - start) * 2;
        reach = end + 1;
      }
      yield { kind: "micromark", children, offset: start + skipped, start, end, lineDelta };
      lineDelta += countLineEndings(body, start, end);
    }
    start = end;
  } while (start < body.length);
}

/** Whether a block is, or ends in (as the last block of its list items or quotes), code or an HTML block. */
function endsInCodeOrHtml(node: RootContent): boolean {
  let last: RootContent | undefined = node;
  // Only through block containers: a paragraph's last child can be inline HTML, also of type "html".
  while (last && (last.type === "list" || last.type === "listItem" || last.type === "blockquote" || last.type === "footnoteDefinition")) {
    last = last.children.at(-1);
  }
  return last?.type === "code" || last?.type === "html";
}

/**
 * A line that starts the same block whatever micromark's "interrupt" state is (it is not always
 * reset by a blank line: after indented code, "2. a", "-", "<x-y>" or "===" read differently), so
 * a chunk may start with it: a letter or other non-ASCII text (not U+FEFF, which micromark skips at
 * the start), an ATX heading, a block quote, or a non-empty "-", "*", "+", "1." or "1)" item.
 */
const STARTS_BLOCK_ALONE = /(?:[A-Za-z\u0080-\ufefe\uff00-\uffff]|#|>|(?:[-*+]|1[.)])[ \t]+\S)/y;
/** The rest of a line, and a line holding only spaces and tabs (sticky: tried at a line start, no copies). */
const LINE_REST = /[^\r\n]*/y;
const BLANK_LINE = /[ \t]*(?:[\r\n]|$)/y;

function matchesAt(pattern: RegExp, text: string, at: number): boolean {
  pattern.lastIndex = at;
  return pattern.test(text);
}

/** Where the line holding `at` ends (its "\r" or "\n", or the end of the text): found by the regex engine, not a loop per character. */
export function lineEndFrom(text: string, at: number): number {
  matchesAt(LINE_REST, text, at);
  return LINE_REST.lastIndex;
}

/** Starts of lines where a cut is allowed: after a blank line, see `STARTS_BLOCK_ALONE`. */
function candidateCuts(body: string): number[] {
  const cuts: number[] = [];
  const notBefore = frontMatterEnd(body);
  let lineStart = 0;
  let previousBlank = false;
  while (lineStart < body.length) {
    if (previousBlank && lineStart > notBefore && matchesAt(STARTS_BLOCK_ALONE, body, lineStart)) cuts.push(lineStart);
    previousBlank = matchesAt(BLANK_LINE, body, lineStart);
    const lineEnd = lineEndFrom(body, lineStart);
    lineStart = lineEnd + (body.startsWith("\r\n", lineEnd) ? 2 : 1);
  }
  return cuts;
}

/** Where cutting becomes safe when the text opens with a "---" line: after the next "---" line. */
function frontMatterEnd(body: string): number {
  if (!/^---[ \t]*(?:\r\n|\r|\n)/.test(body)) return 0;
  const close = /(?:\r\n|\r|\n)---/g;
  close.lastIndex = 3;
  return close.exec(body)?.index ?? body.length;
}

function countLineEndings(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) count++;
  }
  return count;
}
