// Walks a tar file's 512-byte headers with positional reads, seeking past every entry's contents without reading them.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { SampleProblem } from './sample-types.js';

export interface TarEntry {
  readonly name: string;
  readonly size: number;
  readonly type: string;
  readonly mtime: Date;
  readonly linkname: string | null;
}

interface TarHeaderCodec {
  decode(block: Buffer, filenameEncoding: string, allowUnknownFormat: boolean): TarEntry | null;
  decodePax(content: Buffer): Record<string, string>;
  decodeLongPath(content: Buffer, encoding: string): string;
}

// tar-stream's header codec (checksums, octal and base-256 sizes, ustar prefixes) without its stream,
// which would read every byte of the contents. The package does not export the file, hence the full path.
const require = createRequire(import.meta.url);
const headers = require(path.join(path.dirname(require.resolve('tar-stream')), 'headers.js')) as TarHeaderCodec;

const BLOCK = 512;
const MAX_META_BYTES = 1024 * 1024;
/** Headers read between two yields to the event loop (a signal or a timer gets its turn). */
const HEADERS_PER_TURN = 4096;

/** Calls `onEntry` for each entry, in order; returns the number of entries. Metadata entries (pax, GNU long names) are folded in. */
export async function walkTarHeaders(file: string, onEntry: (entry: TarEntry) => void | Promise<void>): Promise<number> {
  // Synchronous positional reads: one 512-byte pread per entry costs microseconds, where an async read
  // through the thread pool costs tens of them and would make the listing slower than reading the whole file.
  const fd = openSync(file, 'r');
  try {
    const { size: fileSize } = fstatSync(fd);
    const block = Buffer.alloc(BLOCK);
    let offset = 0;
    let count = 0;
    let longName: string | undefined;
    let pax: Record<string, string> | undefined;
    let ended = false;
    while (offset + BLOCK <= fileSize) {
      readExactly(fd, block, offset);
      const header = decodeAt(block, offset);
      if (header === null) {
        ended = true; // a zero block: the end-of-archive marker
        break;
      }
      const contentAt = offset + BLOCK;
      if (contentAt + header.size > fileSize) {
        throw new SampleProblem(`is truncated: the entry ${JSON.stringify(header.name)} at byte ${offset} needs ${header.size} bytes but the file ends first`);
      }
      offset = contentAt + Math.ceil(header.size / BLOCK) * BLOCK;
      if (header.type === 'gnu-long-path') longName = headers.decodeLongPath(readMeta(fd, contentAt, header.size), 'utf-8');
      else if (header.type === 'pax-header') pax = headers.decodePax(readMeta(fd, contentAt, header.size));
      else if (header.type === 'gnu-long-link-path' || header.type === 'pax-global-header') continue;
      else {
        count += 1;
        if (count % HEADERS_PER_TURN === 0) await yieldToEventLoop();
        const waiting = onEntry(withLongFields(header, longName, pax));
        if (waiting) await waiting; // most entries need no await at all
        longName = undefined;
        pax = undefined;
      }
    }
    if (!ended && offset < fileSize) throw new SampleProblem(`is not a complete tar file: it ends inside a header at byte ${offset}`);
    // Every tar writer ends the archive with zero blocks: without them, entries after `offset` were cut off.
    if (!ended) throw new SampleProblem(`is truncated: it ends at byte ${offset} after ${count} ${count === 1 ? 'entry' : 'entries'}, without the end-of-archive blocks`);
    return count;
  } finally {
    closeSync(fd);
  }
}

function decodeAt(block: Buffer, offset: number): TarEntry | null {
  try {
    return headers.decode(block, 'utf-8', true);
  } catch {
    throw new SampleProblem(`is not a valid tar file: the header at byte ${offset} has a wrong checksum (corrupt, or gzip-compressed)`);
  }
}

function withLongFields(header: TarEntry, longName: string | undefined, pax: Record<string, string> | undefined): TarEntry {
  const name = pax?.['path'] ?? longName ?? header.name;
  const size = pax?.['size'] !== undefined ? Number.parseInt(pax['size'], 10) : header.size;
  return { name, size, type: header.type, mtime: header.mtime, linkname: pax?.['linkpath'] ?? header.linkname };
}

function readMeta(fd: number, at: number, size: number): Buffer {
  if (size > MAX_META_BYTES) throw new SampleProblem(`has a metadata entry of ${size} bytes at byte ${at - BLOCK}; more than a tar header needs`);
  const buffer = Buffer.alloc(size);
  readExactly(fd, buffer, at);
  return buffer;
}

function readExactly(fd: number, buffer: Buffer, at: number): void {
  const bytesRead = readSync(fd, buffer, 0, buffer.length, at);
  if (bytesRead !== buffer.length) throw new SampleProblem(`ends in the middle of a header at byte ${at}`);
}
