import type { Root, RootContent } from "mdast";

/** Top-level nodes of one chunk, with positions relative to the chunk's start. */
export interface Chunk {
  children: RootContent[];
  /** Offset of the chunk in the whole text. */
  offset: number;
  /** Lines before the chunk. */
  lineDelta: number;
}

/**
 * Parses a long PRD in pieces of about `chunkChars` characters, each cut where a new top-level block
 * must start whatever came before: a line at column 1 after a blank line (it ends paragraphs,
 * tables, indented code, list items and block quotes). micromark slows down more than linearly on
 * big documents (a 10,000-task PRD parses about 4x faster in pieces), and tasks and headings come
 * out the same (the tests compare with a whole-document parse on random PRDs).
 * Blocks that do run on across such a line (fenced code, HTML blocks, front matter) are handled
 * by never cutting inside the front matter and by re-parsing a chunk that ends in code or HTML from
 * that block's first line together with the next chunk.
 */
export function parseInChunks(body: string, parse: (text: string) => Root, chunkChars: number): Chunk[] {
  // A second BOM makes micromark's first lines quirky (column counting): keep such a text whole.
  const cuts = body.startsWith("\uFEFF") ? [] : candidateCuts(body);
  const chunks: Chunk[] = [];
  let start = 0;
  let lineDelta = 0;
  let minEnd = 0;
  let cutIndex = 0;
  do {
    // micromark skips a U+FEFF at the start of its input and counts offsets after it (only the
    // first chunk can start with one, when the text has a second BOM).
    const skipped = body.startsWith("\uFEFF", start) ? 1 : 0;
    let want = chunkChars;
    let end: number;
    let children: RootContent[];
    for (;;) {
      while (cutIndex < cuts.length && cuts[cutIndex]! < Math.max(start + want, minEnd)) cutIndex++;
      end = cuts[cutIndex] ?? body.length;
      children = parse(body.slice(start, end)).children;
      minEnd = 0;
      const last = children.at(-1);
      if (end === body.length || !last || (last.type !== "code" && last.type !== "html")) break;
      // The block may run on past `end` (an unclosed fence, an HTML comment with blank lines).
      const blockStart = skipped + last.position!.start.offset! - (last.position!.start.column - 1);
      if (blockStart > 0) {
        children = children.slice(0, -1);
        minEnd = end + 1; // the next chunk starts at that block and reaches past this cut
        end = start + blockStart;
        break;
      }
      want = (end - start) * 2;
    }
    chunks.push({ children, offset: start + skipped, lineDelta });
    lineDelta += countLineEndings(body, start, end);
    start = end;
  } while (start < body.length);
  return chunks;
}

/** Starts of lines where a cut is allowed: after a blank line, at a non-space character. */
function candidateCuts(body: string): number[] {
  const cuts: number[] = [];
  const notBefore = frontMatterEnd(body);
  let lineStart = 0;
  let previousBlank = false;
  while (lineStart < body.length) {
    let lineEnd = lineStart;
    while (lineEnd < body.length && body[lineEnd] !== "\n" && body[lineEnd] !== "\r") lineEnd++;
    const first = body.charCodeAt(lineStart);
    // not space/tab/line ending, not a BOM-like U+FEFF (micromark would skip it), not a "---" fence
    const startsBlock = first !== 32 && first !== 9 && first !== 10 && first !== 13 && first !== 0xfeff;
    if (previousBlank && startsBlock && lineStart > notBefore && !body.startsWith("---", lineStart)) cuts.push(lineStart);
    previousBlank = /^[ \t]*$/.test(body.slice(lineStart, lineEnd));
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
