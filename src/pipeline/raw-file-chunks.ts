// Reads a raw file piece by piece into one buffer, hashing its bytes as they come: the caller takes what it can
// use from the front (whole lines) and the rest waits for the next read. A file of any size is held one buffer at
// a time; the buffer grows only for a line longer than it.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, constants, openSync, readSync } from 'node:fs';

export interface RawFileChunks {
  /**
   * The bytes not consumed yet, topped up from the file: `done` when they reach its end. Called again without
   * consuming anything (no whole line in them), the buffer grows.
   */
  fill(): { readonly bytes: Buffer; readonly done: boolean };
  /** Drops the first `count` bytes of what `fill` gave (they have been used). */
  consume(count: number): void;
  /** The SHA-1 of all the file's bytes: once `fill` has said `done`. */
  sha1(): string;
  close(): void;
}

/** Not through a link: discovery listed a file, and a link put in its place since cannot lead elsewhere. */
export function openRawFileChunks(absPath: string, chunkBytes: number): RawFileChunks {
  const fd = openSync(absPath, constants.O_RDONLY | constants.O_NOFOLLOW);
  const hash: Hash = createHash('sha1');
  let buffer = Buffer.allocUnsafe(chunkBytes);
  let filled = 0;
  let position = 0;
  let done = false;
  let digest: string | undefined;
  return {
    fill() {
      if (filled === buffer.length) {
        const grown = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(grown, 0, 0, filled);
        buffer = grown;
      }
      while (!done && filled < buffer.length) {
        const read = readSync(fd, buffer, filled, buffer.length - filled, position);
        if (read === 0) done = true;
        hash.update(buffer.subarray(filled, filled + read));
        filled += read;
        position += read;
      }
      return { bytes: buffer.subarray(0, filled), done };
    },
    consume(count) {
      buffer.copy(buffer, 0, count, filled);
      filled -= count;
    },
    sha1() {
      if (!done) throw new Error('the SHA-1 of a file is known once it has been read to its end');
      return (digest ??= hash.digest('hex'));
    },
    close: () => closeSync(fd),
  };
}

/** The SHA-1 of a file's bytes, read through one buffer of `chunkBytes`. */
export function hashRawFile(absPath: string, chunkBytes: number): string {
  const chunks = openRawFileChunks(absPath, chunkBytes);
  try {
    for (let { bytes, done } = chunks.fill(); ; { bytes, done } = chunks.fill()) {
      chunks.consume(bytes.length);
      if (done) return chunks.sha1();
    }
  } finally {
    chunks.close();
  }
}
