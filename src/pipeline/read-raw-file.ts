// Reads a raw file for staging: all its bytes (the table is parsed from them) and their SHA-1.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

/** Above this a file is not staged: its bytes and columns would not fit a worker's memory beside the others'. */
const SIZE_LIMIT = 2 ** 30;

/** Thrown (as this value) for a file over the size limit. */
export const TOO_LARGE = Symbol('too large');

export interface RawFileContent {
  readonly sha1: string;
  readonly bytes: Buffer;
}

/**
 * Synchronous on purpose: it runs on a stage worker's own thread, where libuv's pool would only add round trips.
 * The size discovery saw is read in one call (no fstat, no second read to find the end, as readFileSync makes);
 * a file that has grown since is read again whole.
 */
export async function readRawFile(absPath: string, size: number): Promise<RawFileContent> {
  if (size > SIZE_LIMIT) throw TOO_LARGE;
  // Not through a link: discovery listed a file, and a link put in its place since cannot lead elsewhere.
  const fd = openSync(absPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  let bytes: Buffer;
  try {
    bytes = readWhole(fd, size);
  } finally {
    closeSync(fd);
  }
  return { sha1: createHash('sha1').update(bytes).digest('hex'), bytes };
}

function readWhole(fd: number, expected: number): Buffer {
  // One byte more than expected: reading it means the file grew, and its real size decides.
  let buffer = Buffer.allocUnsafe(expected + 1);
  let length = 0;
  for (;;) {
    const read = readSync(fd, buffer, length, buffer.length - length, length);
    if (read === 0) return buffer.subarray(0, length);
    length += read;
    if (length === buffer.length) {
      const size = Math.max(fstatSync(fd).size, length * 2);
      if (size > SIZE_LIMIT) throw TOO_LARGE;
      const grown = Buffer.allocUnsafe(size + 1);
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
  }
}
