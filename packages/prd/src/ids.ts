import { hash } from "node:crypto";
import type { TaskRecord } from "./records.js";

/** Crockford base32, lowercase: no i, l, o, u, so ids read and type without ambiguity. */
const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const ALPHABET_CODES = [...ALPHABET].map((c) => c.charCodeAt(0));
export const ID_PATTERN = /^[0-9a-hjkmnp-tv-z]{6}$/;
export const ID_EXAMPLE = "k3m9qa";

/** "(after: a1b2c3, Set up CI)": the dependency annotation, anywhere in the item's first paragraph. */
export const AFTER_ANNOTATION = /\(\s*after\s*:([^)]*)\)/gi;

/**
 * The part of a title an id depends on: without "(after: ...)" annotations, whitespace collapsed,
 * Unicode NFC, lowercase. So adding a dependency, re-spacing or re-casing a title keeps its id.
 */
export function titleKey(title: string): string {
  if (!NEEDS_FOLDING.test(title)) return title.toLowerCase(); // most titles: one test instead of four passes
  return title.replace(AFTER_ANNOTATION, " ").normalize("NFC").replace(/\s+/g, " ").trim().toLowerCase();
}

/** What only the full fold changes: "(" (an annotation), non-ASCII (NFC), whitespace other than single inner spaces. */
const NEEDS_FOLDING = /[^\x21-\x7e ]|\(|  |^ | $/;

/** Reads what a person typed as an id the way ids are written: trimmed, lowercase, o->0, i/l->1. */
export function normalizeIdInput(input: string): string {
  return input.trim().toLowerCase().replace(/o/g, "0").replace(/[il]/g, "1");
}

/**
 * Gives every task its id (see README "Task ids"):
 * - a title's first occurrence in document order: hash(title key);
 * - later tasks with the same title key: hash(title key, section, parent's title key, n), n counting
 *   earlier duplicates in that same section and parent;
 * - on the rare hash clash with an earlier task, rehash with a counter until free.
 */
export function assignIds(records: TaskRecord[]): void {
  const keys = records.map((record) => titleKey(record.task.title));
  const seenTitles = new Set<string>();
  const seenContexts = new Map<string, number>();
  const taken = new Set<string>();
  for (let index = 0; index < records.length; index++) {
    const record = records[index]!;
    const key = keys[index]!;
    let hashInput = key;
    if (seenTitles.has(key)) {
      const parentKey = record.parent ? titleKey(record.parent.task.title) : "";
      const context = [key, record.task.section ?? "", parentKey].join("\u0000");
      const n = (seenContexts.get(context) ?? 0) + 1;
      seenContexts.set(context, n);
      hashInput = `${context}\u0000${n}`;
    }
    seenTitles.add(key);
    let id = hashId(hashInput);
    for (let salt = 1; taken.has(id); salt++) id = hashId(`${hashInput}\u0000#${salt}`);
    taken.add(id);
    record.task.id = id;
    if (record.parent) record.task.parentId = record.parent.task.id;
  }
}

function hashId(input: string): string {
  // 6 x 5 bits from the digest's first 4 bytes (the one-shot hash: a third of createHash's time on 10,000 tasks).
  // The digest as a "binary" (latin1) string, one character per byte: no Buffer (slower for its allocations), and no
  // hex text to cut and parse back (hex was ~4 ms more on 10,000 tasks).
  const digest = hash("sha256", input, "binary");
  const bits = ((digest.charCodeAt(0) << 24) | (digest.charCodeAt(1) << 16) | (digest.charCodeAt(2) << 8) | digest.charCodeAt(3)) >>> 0;
  const at = (i: number) => ALPHABET_CODES[(bits >>> (27 - 5 * i)) & 31]!;
  return String.fromCharCode(at(0), at(1), at(2), at(3), at(4), at(5)); // one string, not one per character
}
