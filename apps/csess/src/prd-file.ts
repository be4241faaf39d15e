import { readFile, stat } from "node:fs/promises";
import { UserError } from "./errors.js";

/** Far above any checklist a person keeps (~40,000 tasks); a 50 MB PRD took minutes and ran out of memory. */
export const MAX_PRD_BYTES = 4 * 1024 * 1024;

/**
 * Reads a PRD as UTF-8 text, turning file-system failures and files that are no markdown PRD (too big,
 * binary, not UTF-8: ticking those would rewrite bytes the person wrote) into one-line user errors.
 */
export async function readPrd(prdPath: string, shownAs = prdPath): Promise<string> {
  let bytes: Buffer;
  try {
    const info = await stat(prdPath);
    if (info.isDirectory()) throw new UserError(`cannot read PRD ${shownAs}: it is a directory, expected a markdown file such as ${shownAs.replace(/\/+$/, "")}/PRD.md`);
    // A device or pipe (/dev/zero) would be read forever.
    if (!info.isFile()) throw new UserError(`cannot read PRD ${shownAs}: it is not a regular file (a device, pipe or socket), expected a markdown file such as PRD.md`);
    const size = info.size;
    if (size > MAX_PRD_BYTES) {
      throw new UserError(
        `PRD ${shownAs} is ${mib(size)}; expected a markdown checklist under ${mib(MAX_PRD_BYTES)} ` +
          `(one "- [ ] task" line per task); split it into several PRDs and run them one by one`,
      );
    }
    bytes = await readFile(prdPath);
  } catch (error) {
    if (error instanceof UserError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "no such file" :
      code === "EACCES" ? "permission denied" :
      (error as Error).message;
    throw new UserError(`cannot read PRD ${shownAs}: ${why}`);
  }
  if (bytes.includes(0)) {
    throw new UserError(`${shownAs} looks like a binary file (it contains NUL bytes); expected a markdown PRD with "- [ ] task" items`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const text = bytes.toString("utf8");
    const bad = Buffer.byteLength(text.slice(0, text.indexOf("\uFFFD")));
    const line = text.slice(0, text.indexOf("\uFFFD")).split("\n").length;
    throw new UserError(
      `${shownAs} is not valid UTF-8 (first bad byte at offset ${bad}, line ${line}); expected a UTF-8 markdown file, ` +
        `e.g. convert it with: iconv -f latin1 -t utf-8 ${shownAs} > ${shownAs}.utf8`,
    );
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
