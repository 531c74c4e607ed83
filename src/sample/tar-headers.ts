// Walks a tar file's 512-byte headers with positional reads, seeking past every entry's contents without reading them.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Header, Pax, type HeaderData } from 'tar';
import { SampleProblem } from './sample-types.js';

export interface TarEntry {
  readonly name: string;
  readonly size: number;
  readonly type: string;
  readonly mtime: Date;
  readonly linkname: string | null;
}

// node-tar's public header codec (`Header`: checksums, octal and base-256 numbers, ustar prefixes; `Pax`: extended
// headers), pinned exactly in package.json, without its stream, which would read every byte of the contents.
// The listing keeps the type words it always printed.
const TYPE_WORDS: Readonly<Record<string, string>> = {
  '0': 'file',
  '7': 'contiguous-file',
  '1': 'link',
  '2': 'symlink',
  '3': 'character-device',
  '4': 'block-device',
  '5': 'directory',
  '6': 'fifo',
  x: 'pax-header',
  g: 'pax-global-header',
  L: 'gnu-long-path',
  K: 'gnu-long-link-path',
};

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
    // What pax and GNU long-name entries say about the next entry; node-tar applies it when it decodes that header.
    let pending: HeaderData | undefined;
    let ended = false;
    while (offset + BLOCK <= fileSize) {
      readExactly(fd, block, offset);
      const header = decodeAt(block, offset, pending);
      if (header === null) {
        ended = true; // a zero block: the end-of-archive marker
        break;
      }
      const contentAt = offset + BLOCK;
      if (contentAt + header.size > fileSize) {
        throw new SampleProblem(`is truncated: the entry ${JSON.stringify(header.name)} at byte ${offset} needs ${header.size} bytes but the file ends first`);
      }
      offset = contentAt + Math.ceil(header.size / BLOCK) * BLOCK;
      if (header.type === 'gnu-long-path') pending = { ...pending, path: metaText(fd, contentAt, header.size) };
      else if (header.type === 'gnu-long-link-path') pending = { ...pending, linkpath: metaText(fd, contentAt, header.size) };
      else if (header.type === 'pax-header') pending = { ...Pax.parse(readMeta(fd, contentAt, header.size).toString('utf8'), pending) };
      else if (header.type === 'pax-global-header') continue;
      else {
        count += 1;
        if (count % HEADERS_PER_TURN === 0) await yieldToEventLoop();
        const waiting = onEntry(header);
        if (waiting) await waiting; // most entries need no await at all
        pending = undefined;
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

/** The header at `offset`, or null for a zero block (the end of the archive). */
function decodeAt(block: Buffer, offset: number, pending: HeaderData | undefined): TarEntry | null {
  const header = new Header(block, 0, pending);
  if (header.nullBlock) return null;
  if (!header.cksumValid || header.size === undefined) {
    throw new SampleProblem(`is not a valid tar file: the header at byte ${offset} has a wrong checksum (corrupt, or gzip-compressed)`);
  }
  return {
    name: header.path ?? '',
    size: header.size,
    type: TYPE_WORDS[header.typeKey] ?? header.type.toLowerCase(),
    mtime: header.mtime ?? new Date(Number.NaN),
    linkname: header.linkpath || null,
  };
}

/** A GNU long name or link: the entry's contents up to the first NUL. */
function metaText(fd: number, at: number, size: number): string {
  return readMeta(fd, at, size).toString('utf8').replace(/\0[^]*$/, '');
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
