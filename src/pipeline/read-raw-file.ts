// Reads a raw file for staging: its content hash, and its bytes (only the head of a very large file).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';

/** Files up to this size are read whole (one read serves both the hash and the header). */
const WHOLE_FILE_LIMIT = 32 * 1024 * 1024;
const HEAD_BYTES = 1024 * 1024;
const TAIL_BYTES = 64 * 1024;

export interface RawFileContent {
  readonly sha1: string;
  /** The whole file, or its first MiB when it is larger than the limit. */
  readonly bytes: Buffer;
  /** The file's last bytes (at least its last line), for the last value of the time column. */
  readonly tail: Buffer;
}

export async function readRawFile(absPath: string, size: number): Promise<RawFileContent> {
  if (size <= WHOLE_FILE_LIMIT) {
    const bytes = await readFile(absPath);
    return { sha1: createHash('sha1').update(bytes).digest('hex'), bytes, tail: bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)) };
  }
  const handle = await open(absPath, 'r');
  const buffer = Buffer.alloc(HEAD_BYTES);
  const tail = Buffer.alloc(TAIL_BYTES);
  let bytesRead: number;
  try {
    ({ bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0));
    await handle.read(tail, 0, TAIL_BYTES, size - TAIL_BYTES);
  } finally {
    await handle.close();
  }
  // End the head on a whole line, so a cut can never fall inside a multi-byte character.
  const head = buffer.subarray(0, buffer.lastIndexOf(0x0a, bytesRead - 1) + 1);
  const hash = createHash('sha1');
  for await (const chunk of createReadStream(absPath)) hash.update(chunk as Buffer);
  return { sha1: hash.digest('hex'), bytes: head, tail };
}
