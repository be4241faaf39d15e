import { watch } from "node:fs";
import { open } from "node:fs/promises";

const CHUNK = 64 * 1024;

/** The last `lines` lines of a file's first `end` bytes (reading backwards in chunks, so a huge log costs little). */
export async function readLastLines(file: string, lines: number, end?: number): Promise<string> {
  if (lines <= 0) return "";
  const handle = await open(file, "r").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (!handle) return "";
  try {
    let start = end ?? (await handle.stat()).size;
    let buffer = Buffer.alloc(0);
    // One newline more than wanted, not counting a final newline that ends the last line.
    const wanted = () => countNewlines(buffer, buffer.at(-1) === 0x0a ? buffer.length - 1 : buffer.length) >= lines;
    while (start > 0 && !wanted()) {
      const length = Math.min(CHUNK, start);
      start -= length;
      const chunk = Buffer.alloc(length);
      await handle.read(chunk, 0, length, start);
      buffer = Buffer.concat([chunk, buffer]);
    }
    const text = buffer.toString("utf8");
    const body = text.endsWith("\n") ? text.slice(0, -1) : text;
    const kept = body.split("\n").slice(-lines).join("\n");
    return text.endsWith("\n") ? kept + "\n" : kept;
  } finally {
    await handle.close();
  }
}

function countNewlines(buffer: Buffer, end: number): number {
  let count = 0;
  for (let i = 0; i < end; i++) if (buffer[i] === 0x0a) count++;
  return count;
}

/**
 * Calls `onOutput` with every byte appended to `file` from `offset` on, as it is written (fs.watch),
 * until `until` settles; then delivers the rest and returns what `until` returned.
 */
export async function followFile<T>(
  file: string,
  offset: number,
  onOutput: (chunk: Buffer) => void,
  until: Promise<T>,
): Promise<T> {
  let position = offset;
  let reading = Promise.resolve();
  const readNew = () => {
    reading = reading.catch(() => undefined).then(async () => {
      const handle = await open(file, "r");
      try {
        const { size } = await handle.stat();
        while (position < size) {
          const chunk = Buffer.alloc(Math.min(CHUNK, size - position));
          const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
          if (bytesRead === 0) break;
          position += bytesRead;
          onOutput(chunk.subarray(0, bytesRead));
        }
      } finally {
        await handle.close();
      }
    });
    return reading;
  };
  const watcher = watch(file, () => void readNew().catch(() => undefined));
  try {
    await readNew();
    const result = await until;
    await readNew();
    return result;
  } finally {
    watcher.close();
  }
}
