import { randomBytes } from "node:crypto";
import { open, readFile, realpath, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { PrdError } from "./errors.js";
import { setTaskChecked } from "./edit.js";

export interface UpdatePrdOptions {
  /** How many times to re-read and re-apply when someone else changes the file meanwhile (default 5). */
  attempts?: number;
}

/** Test seam: runs after the new content is written to the temporary file, before the final check. */
export interface UpdateHooks {
  beforeCommit?: (attempt: number) => Promise<void> | void;
}

/**
 * Sets one task's checkbox in a PRD file without losing anyone's concurrent edits:
 * read, `setTaskChecked`, write a temporary file next to it (same mode, fsync'd), then, right before
 * renaming it over the PRD, read the PRD again: if its bytes changed, drop the temporary file and
 * start over from the new content (the task is found again by id), up to `attempts` times.
 * Only the one checkbox character differs from what was on disk; BOM and line endings are kept.
 * Calls for the same file from one process run one after another; across processes, hold the
 * repository lock around it (the check and the rename are two steps). Follows a symlinked PRD to
 * its target. Throws `UnknownTaskIdError` when the id is gone,
 * `PrdError` when the file is not UTF-8 or keeps changing.
 */
export async function updatePrdFile(
  prdPath: string,
  taskId: string,
  checked: boolean,
  options: UpdatePrdOptions = {},
): Promise<{ changed: boolean }> {
  return updatePrdFileWithHooks(prdPath, taskId, checked, options, {});
}

// Updates of one file from this process run one at a time: the check-then-rename below is only
// safe against writers that are not racing it through the same window in the same process.
const queues = new Map<string, Promise<unknown>>();

export async function updatePrdFileWithHooks(
  prdPath: string,
  taskId: string,
  checked: boolean,
  options: UpdatePrdOptions,
  hooks: UpdateHooks,
): Promise<{ changed: boolean }> {
  const target = await realpath(prdPath);
  const previous = queues.get(target) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(() => updateOnce(prdPath, target, taskId, checked, options, hooks));
  queues.set(target, run);
  try {
    return await run;
  } finally {
    if (queues.get(target) === run) queues.delete(target);
  }
}

async function updateOnce(
  prdPath: string,
  target: string,
  taskId: string,
  checked: boolean,
  options: UpdatePrdOptions,
  hooks: UpdateHooks,
): Promise<{ changed: boolean }> {
  const attempts = options.attempts ?? 5;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const before = await readFile(target);
    const text = decodeExactly(before, prdPath);
    const updated = setTaskChecked(text, taskId, checked);
    if (updated === text) return { changed: false };
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.csess-${randomBytes(4).toString("hex")}.tmp`);
    try {
      await writeSynced(tmp, updated, (await stat(target)).mode & 0o7777);
      await hooks.beforeCommit?.(attempt);
      if (!before.equals(await readFile(target))) continue; // someone edited it: redo on their text
      await rename(tmp, target);
    } finally {
      await unlink(tmp).catch(() => undefined); // gone after a successful rename
    }
    await syncDirectory(path.dirname(target));
    return { changed: true };
  }
  throw new PrdError(
    `Could not update ${prdPath}: it changed while being updated ${attempts} times in a row. ` +
      `Expected it to stay unchanged for a moment; try again when editors and agents are done saving.`,
  );
}

/** Decodes UTF-8, refusing files that would not survive the round trip byte for byte. */
function decodeExactly(bytes: Buffer, prdPath: string): string {
  const text = bytes.toString("utf8");
  if (!Buffer.from(text, "utf8").equals(bytes)) {
    throw new PrdError(`Cannot update ${prdPath}: it is not valid UTF-8, so rewriting it could change other bytes. Expected a UTF-8 markdown file.`);
  }
  return text;
}

async function writeSynced(file: string, text: string, mode: number): Promise<void> {
  const handle = await open(file, "wx", mode);
  try {
    await handle.writeFile(text, "utf8");
    await handle.chmod(mode); // the umask may have narrowed the mode given to open
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Makes the rename itself durable. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
