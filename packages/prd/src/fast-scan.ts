import { lineEndFrom } from "./chunks.js";
import type { ItemFacts } from "./records.js";

/**
 * What the line scanner found in a piece, in document order. Lines count from 1 at the piece's
 * first line; offsets are into the whole text. `parent` indexes an earlier task event of the piece.
 */
export type PieceEvent =
  | { kind: "heading"; line: number; text: string }
  | { kind: "task"; facts: ItemFacts; parent: number };

/** A piece the line scanner read: its events, and how many line endings it holds (so nobody counts them again). */
export interface ScannedPiece {
  events: PieceEvent[];
  lineEndings: number;
}

interface OpenItem {
  /** Column (0-based) where the item's content starts: continuation lines need this much indent. */
  contentColumn: number;
  /** "-", "*" or "+" for bullets, "." or ")" for ordered items: a sibling item needs the same. */
  delimiter: number;
  /** Facts when the item is a task; its end is filled in when it closes. */
  facts: ItemFacts | undefined;
  /** Index of the nearest task event among this item and its ancestors, or -1. */
  taskIndex: number;
}

/** A run of characters from a space up (sticky: tried at a line start). */
const PLAIN_RUN = /[^\x00-\x1f]*/y;
const SPACE = 32;
const TAB = 9;
const LF = 10;
const CR = 13;

/**
 * Reads a piece of a PRD (between two chunk cuts, so it starts a new top-level block) without
 * micromark, when every line is of a few plain kinds whose CommonMark/GFM reading is certain:
 * blank lines; ATX headings at column 1; list items (`-`, `*`, `+`, `1.`, `1)`, 1-4 spaces) whose content is
 * a `[ ]`/`[x]`/`[X]` check followed by text or starts like plain text; paragraph lines (continuation,
 * lazy or new) that start like plain text. Indentation is spaces only. Anything else (tabs, block
 * quotes, code, HTML, tables, setext underlines, thematic breaks, link definitions, control
 * characters, an ordered item that could be lazy text) makes it return undefined and the piece goes
 * to micromark.
 * A property test checks it against micromark on random PRDs built from near-misses of these rules.
 * One long function on purpose: it is the hot loop of parsing a long PRD, one pass with its state in
 * locals (README "Long PRDs and speed"); each construct's branch is short and commented.
 */
export function scanSimplePiece(body: string, from: number, to: number): ScannedPiece | undefined {
  if (body.charCodeAt(from) === 0xfeff) return undefined; // micromark would skip it at a chunk start
  const events: PieceEvent[] = [];
  const stack: OpenItem[] = [];
  // The open paragraph, as two locals (not an object per paragraph: a long PRD's parse makes enough garbage).
  let inParagraph = false;
  /** The task whose title paragraph the open one is, if it is one. */
  let titleOf: ItemFacts | undefined;
  let lastEnd = from;
  let lastLine = 1;
  let line = 1;

  const closeItems = (keep: number): void => {
    for (let k = stack.length - 1; k >= keep; k--) {
      const facts = stack[k]!.facts;
      if (facts) {
        facts.endOffset = lastEnd;
        facts.endLine = lastLine;
      }
    }
    stack.length = keep;
  };

  let pos = from;
  while (pos < to) {
    // The line's end, found by the regex engine (compiled at once; a loop per character runs cold in a
    // one-shot CLI): it stops at the first character below a space, a line ending or not.
    PLAIN_RUN.lastIndex = pos;
    PLAIN_RUN.test(body);
    let eol = Math.min(PLAIN_RUN.lastIndex, to);
    const stop = eol < to ? body.charCodeAt(eol) : LF;
    const plainChars = stop === LF || stop === CR; // no tabs or control characters
    if (!plainChars) eol = Math.min(lineEndFrom(body, eol), to);
    const next = eol >= to ? to : body.charCodeAt(eol) === CR && body.charCodeAt(eol + 1) === LF ? eol + 2 : eol + 1;
    let first = pos;
    while (body.charCodeAt(first) === SPACE) first++;
    if (first >= eol || (!plainChars && isBlank(body, first, eol))) {
      inParagraph = false;
      titleOf = undefined;
    } else {
      if (!plainChars) return undefined;
      const indent = first - pos;
      let matched = 0;
      while (matched < stack.length && indent >= stack[matched]!.contentColumn) matched++;
      const relative = indent - (matched > 0 ? stack[matched - 1]!.contentColumn : 0);
      const c = body.charCodeAt(first);
      let marker: number;

      if (relative >= 4) {
        // Indented code cannot interrupt a paragraph: with one open in the innermost item, this continues it.
        if (!inParagraph || matched < stack.length) return undefined;
        if (titleOf) titleOf.titleParagraphEnd = eol;
      } else if ((marker = listMarker(body, first)) > 0) {
        const delimiter = body.charCodeAt(first + marker - 1);
        if (delimiter === 46 || delimiter === 41) {
          // An ordered item starts a new list (one not continuing the first unmatched item's list, "1." after
          // "2.") only with the number 1 when it would interrupt a paragraph; otherwise it is lazy text.
          const sibling = matched < stack.length && stack[matched]!.delimiter === delimiter;
          if (!sibling && inParagraph && (marker !== 2 || c !== 49)) return undefined;
        }
        let content = first + marker;
        while (body.charCodeAt(content) === SPACE) content++;
        if (content - first - marker > 4 || content >= eol) return undefined; // indented code, or an empty item
        const check = taskCheck(body, content, eol);
        if (!check && !startsPlainText(body, content, eol)) return undefined;
        closeItems(matched);
        const parent = stack.at(-1);
        if (parent?.facts && !check) parent.facts.ownBlocks = true;
        let facts: ItemFacts | undefined;
        let taskIndex = parent?.taskIndex ?? -1;
        if (check) {
          facts = {
            checkStart: content + 1,
            checkEnd: content + 2,
            checkClose: content + 3,
            checked: check !== SPACE,
            line,
            startOffset: first,
            startLine: line,
            startColumn: indent + 1,
            endOffset: eol,
            endLine: line,
            titleParagraphEnd: eol,
            ownBlocks: false,
          };
          events.push({ kind: "task", facts, parent: taskIndex });
          taskIndex = events.length - 1;
        }
        stack.push({ contentColumn: indent + (content - first), delimiter, facts, taskIndex });
        inParagraph = true;
        titleOf = facts;
      } else if (c === 35) {
        const text = atxHeadingText(body, first, eol);
        if (indent > 0 || text === undefined) return undefined;
        closeItems(0);
        inParagraph = false;
        titleOf = undefined;
        events.push({ kind: "heading", line, text });
      } else if (startsPlainText(body, first, eol)) {
        if (inParagraph) {
          // Continuation, or a lazy line of the innermost item's paragraph.
          if (titleOf) titleOf.titleParagraphEnd = eol;
        } else {
          closeItems(matched);
          const owner = stack.at(-1);
          if (owner?.facts) owner.facts.ownBlocks = true;
          inParagraph = true;
          titleOf = undefined;
        }
      } else {
        return undefined;
      }
      lastEnd = eol;
      lastLine = line;
    }
    if (next > eol) line++;
    pos = next;
  }
  closeItems(0);
  return { events, lineEndings: line - 1 };
}

/** Width of a list marker ("-", "*", "+", or 1-9 digits and "." or ")") followed by a space at `at`, or 0. */
function listMarker(body: string, at: number): number {
  const c = body.charCodeAt(at);
  if (c === 45 || c === 42 || c === 43) return body.charCodeAt(at + 1) === SPACE ? 1 : 0;
  let i = at;
  while (i - at < 10 && body.charCodeAt(i) >= 48 && body.charCodeAt(i) <= 57) i++;
  if (i === at || i - at > 9) return 0;
  const delimiter = body.charCodeAt(i);
  return (delimiter === 46 || delimiter === 41) && body.charCodeAt(i + 1) === SPACE ? i + 1 - at : 0;
}

/** The checked character of a `[ ] text` / `[x] text` / `[X] text` at `at`, or 0 when it is not one. */
function taskCheck(body: string, at: number, eol: number): number {
  if (body.charCodeAt(at) !== 91 || body.charCodeAt(at + 2) !== 93 || body.charCodeAt(at + 3) !== SPACE) return 0;
  const value = body.charCodeAt(at + 1);
  if (value !== SPACE && value !== 120 && value !== 88) return 0;
  let text = at + 4;
  while (text < eol && body.charCodeAt(text) === SPACE) text++;
  return text < eol ? value : 0; // "- [ ]" with nothing after is not a task
}

/**
 * Whether a line's content (from `at`) can only be paragraph text: it starts with a letter, a
 * non-ASCII character, a digit not opening an ordered list, or punctuation that starts no block.
 */
function startsPlainText(body: string, at: number, eol: number): boolean {
  const c = body.charCodeAt(at);
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122)) return true;
  if (c >= 0x80) return c !== 0xfeff;
  if (c >= 48 && c <= 57) {
    let i = at;
    while (i < eol && body.charCodeAt(i) >= 48 && body.charCodeAt(i) <= 57) i++;
    const after = body.charCodeAt(i);
    return after !== 46 && after !== 41; // "1." and "1)" open ordered lists
  }
  switch (c) {
    case 42: // "*": not a bullet ("* "), not a thematic break ("* * *")
    case 95: // "_": not a thematic break ("___")
      return body.charCodeAt(at + 1) !== SPACE && hasOtherThan(body, at, eol, c);
    case 96: // "`": not a code fence ("```")
      return !(body.charCodeAt(at + 1) === 96 && body.charCodeAt(at + 2) === 96);
    case 33: // !
    case 34: // "
    case 36: // $
    case 37: // %
    case 38: // &
    case 39: // '
    case 40: // (
    case 44: // ,
    case 46: // .
    case 47: // /
    case 58: // :
    case 59: // ;
    case 63: // ?
    case 64: // @
      return true;
    default:
      return false;
  }
}

/** Whether `from`..`to` holds only spaces and tabs. */
function isBlank(body: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = body.charCodeAt(i);
    if (c !== SPACE && c !== TAB) return false;
  }
  return true;
}

function hasOtherThan(body: string, from: number, to: number, marker: number): boolean {
  for (let i = from; i < to; i++) {
    const c = body.charCodeAt(i);
    if (c !== marker && c !== SPACE) return true;
  }
  return false;
}

/**
 * The text of an ATX heading line ("## Text"), whitespace collapsed, or undefined when the line is
 * not a plain one: 1-6 "#", a space, text that neither starts nor ends with "#" (closing sequences).
 */
function atxHeadingText(body: string, at: number, eol: number): string | undefined {
  let i = at;
  while (i < eol && body.charCodeAt(i) === 35) i++;
  if (i - at > 6 || body.charCodeAt(i) !== SPACE) return undefined;
  while (body.charCodeAt(i) === SPACE) i++;
  let end = eol;
  while (end > i && body.charCodeAt(end - 1) === SPACE) end--;
  if (end === i || body.charCodeAt(i) === 35 || body.charCodeAt(end - 1) === 35) return undefined;
  return collapseWhitespace(body.slice(i, end));
}

/** Whitespace runs collapsed to one space, trimmed: how section names are compared and shown. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
