// Reads a raw file for staging whole: all its bytes (the table is parsed from them) and their SHA-1. Files too
// large to hold are streamed instead (stage-streamed-file.ts); this is the path of the many small ones.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';

export interface RawFileContent {
  readonly sha1: string;
  /** The file's bytes: a view of the reading buffer when one was given, valid until its next read. */
  readonly bytes: Buffer;
}

/**
 * One buffer that a stage worker reads file after file into, instead of a fresh allocation per file (which costs
 * far more than the read). It grows to the largest file read, up to `keepBytes`; a larger file gets a buffer of
 * its own.
 */
export class ReadBuffer {
  private buffer = Buffer.allocUnsafeSlow(0);
  constructor(private readonly keepBytes: number) {}
  /** A buffer of at least `size` bytes, this one's when it may keep that many. */
  take(size: number): Buffer {
    if (size > this.keepBytes) return Buffer.allocUnsafe(size);
    if (this.buffer.length < size) this.buffer = Buffer.allocUnsafeSlow(Math.min(this.keepBytes, Math.max(size, this.buffer.length * 2)));
    return this.buffer;
  }
}

/**
 * Synchronous on purpose: it runs on a stage worker's own thread, where libuv's pool would only add round trips.
 * The size discovery saw is read in one call (no fstat, no second read to find the end, as readFileSync makes);
 * a file that has grown since is read again whole.
 */
export async function readRawFile(absPath: string, size: number, into?: ReadBuffer): Promise<RawFileContent> {
  // Not through a link: discovery listed a file, and a link put in its place since cannot lead elsewhere.
  const fd = openSync(absPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  let bytes: Buffer;
  try {
    bytes = readWhole(fd, size, into);
  } finally {
    closeSync(fd);
  }
  return { sha1: createHash('sha1').update(bytes).digest('hex'), bytes };
}

function readWhole(fd: number, expected: number, into: ReadBuffer | undefined): Buffer {
  // One byte more than expected: reading it means the file grew, and its real size decides.
  let buffer = into?.take(expected + 1) ?? Buffer.allocUnsafe(expected + 1);
  let length = 0;
  for (;;) {
    const read = readSync(fd, buffer, length, buffer.length - length, length);
    length += read;
    // A regular file reads short only at its end: the size discovery saw, read short, needs no read of nothing.
    if (read === 0 || (length === expected && length < buffer.length)) return buffer.subarray(0, length);
    if (length === buffer.length) {
      const size = Math.max(fstatSync(fd).size, length * 2);
      const grown = Buffer.allocUnsafe(size + 1);
      buffer.copy(grown, 0, 0, length);
      buffer = grown;
    }
  }
}
