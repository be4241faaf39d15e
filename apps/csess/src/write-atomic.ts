import { randomBytes } from "node:crypto";
import { renameSync, writeFileSync } from "node:fs";

/**
 * The app's one way to replace a file others may be reading (daily notes, reports): write a temporary
 * file beside it, then rename it over the file, so a reader sees the old content or the new, never a
 * torn one. (@csess/tmux keeps its own for its state files and the PRD its own checked rename.)
 */
export function writeFileAtomicSync(file: string, content: string): void {
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}
