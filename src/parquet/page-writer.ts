// Parquet pages: page headers, PLAIN values, RLE/bit-packed definition levels, compression of page bodies (gzip or
// snappy).
import { gzipSync } from 'node:zlib';
import { SnappyCompressor } from 'snappyjs/snappy_compressor.js';
import type { Compression, ParquetType } from './parquet-columns.js';
import { CompressionCodec, DataPageHeader, DictionaryPageHeader, Encoding, PageHeader, PageType } from './parquet-thrift.js';
import { ThriftWriter, writeVarint } from './thrift-compact.js';

/** The codec of each compression strata writes. */
export const CODEC = { none: CompressionCodec.UNCOMPRESSED, snappy: CompressionCodec.SNAPPY, gzip: CompressionCodec.GZIP } as const;
export type Codec = (typeof CODEC)[keyof typeof CODEC];

/**
 * 'auto' compresses a chunk whose first page is at least this big with gzip (zlib's native deflate, level 1), a
 * smaller one with snappy: on the shared corpus's largest columns gzip stores clearly fewer bytes, but its set-up
 * makes it the slower of the two on small pages; staging the corpus takes the same time either way, with smaller
 * data files (the figures are in the commit that chose this).
 */
const GZIP_FROM_BYTES = 64 * 1024;
/**
 * Level 1, with zlib's largest hash tables (memLevel 9, the default is 8): on the shared corpus's time and current
 * columns, 17-20% faster for the same size or a little smaller.
 */
const GZIP_OPTIONS = { level: 1, memLevel: 9 } as const;

function codecFor(compression: Compression, pageBytes: number): Codec {
  if (compression === 'auto') return pageBytes >= GZIP_FROM_BYTES ? CODEC.gzip : CODEC.snappy;
  return CODEC[compression];
}

/**
 * The bytes of the file being encoded, in one buffer kept from file to file: every page is copied into it as it is
 * made (a small file's parts had each been an array of its own, then joined, and copying page headers out of
 * the Thrift writer was a large part of encoding). A buffer grown past `KEEP_BYTES` by a large file is let go after it.
 */
export class ByteSink {
  private static readonly KEEP_BYTES = 8 << 20;
  bytes = new Uint8Array(1 << 16);
  length = 0;

  /** Empties the sink for the next file. */
  reset(): void {
    this.length = 0;
    if (this.bytes.length > ByteSink.KEEP_BYTES) this.bytes = new Uint8Array(1 << 16);
  }

  append(part: Uint8Array): void {
    const end = this.length + part.length;
    if (end > this.bytes.length) {
      const grown = new Uint8Array(Math.max(end, this.bytes.length * 2));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(part, this.length);
    this.length = end;
  }

  /** The bytes so far, in a Buffer with a memory of its own (a message to another thread copies a slice of Node's pool whole). */
  copy(): Buffer {
    const out = Buffer.allocUnsafeSlow(this.length);
    out.set(this.bytes.subarray(0, this.length));
    return out;
  }
}

/** One column chunk as its pages go into the sink, with the sizes its metadata records. */
export class ChunkBuilder {
  /** Where the chunk starts in the file. */
  readonly start: number;
  /** The chunk's bytes so far. */
  size = 0;
  uncompressed = 0;
  dictionaryPageOffset: number | null = null;
  dataPageOffset: number | null = null;

  /**
   * The chunk's codec: none from the start when not compressing, else chosen at its first page (and none when that
   * page gains under 5%); null before it.
   */
  codec: Codec | null;

  constructor(private readonly compression: Compression, private readonly header: ThriftWriter, private readonly sink: ByteSink) {
    this.codec = compression === 'none' ? CODEC.none : null;
    this.start = sink.length;
  }

  /** Appends a page whose body is the concatenation of `body` (compressed as one block). */
  page(type: 'data' | 'dictionary', numValues: number, encoding: number, body: readonly Uint8Array[]): void {
    let plainSize = 0;
    for (const part of body) plainSize += part.length;
    let stored: readonly Uint8Array[] = body;
    let storedSize = plainSize;
    this.codec ??= codecFor(this.compression, plainSize);
    if (this.codec !== CODEC.none) {
      const whole = concat(body, plainSize);
      const compressed = this.codec === CODEC.gzip ? gzipSync(whole, GZIP_OPTIONS) : snappyCompress(whole);
      const first = this.size === 0 && type === 'data';
      if (first && plainSize > 4096 && compressed.length > plainSize * 0.95) {
        this.codec = CODEC.none; // incompressible (noisy doubles): store this chunk's pages as they are
        stored = [whole];
      } else {
        stored = [compressed];
        storedSize = compressed.length;
      }
    }
    const h = this.header;
    h.reset();
    h.i32(PageHeader.type, type === 'data' ? PageType.DATA_PAGE : PageType.DICTIONARY_PAGE);
    h.i32(PageHeader.uncompressed_page_size, plainSize);
    h.i32(PageHeader.compressed_page_size, storedSize);
    if (type === 'data') {
      h.beginStruct(PageHeader.data_page_header);
      h.i32(DataPageHeader.num_values, numValues);
      h.i32(DataPageHeader.encoding, encoding);
      h.i32(DataPageHeader.definition_level_encoding, Encoding.RLE);
      h.i32(DataPageHeader.repetition_level_encoding, Encoding.RLE);
      h.endStruct();
    } else {
      h.beginStruct(PageHeader.dictionary_page_header);
      h.i32(DictionaryPageHeader.num_values, numValues);
      h.i32(DictionaryPageHeader.encoding, encoding);
      h.endStruct();
    }
    h.byte(0);
    if (type === 'data') this.dataPageOffset ??= this.size;
    else this.dictionaryPageOffset ??= this.size;
    this.uncompressed += h.length + plainSize;
    this.sink.append(h.bytes.subarray(0, h.length));
    for (const part of stored) this.sink.append(part);
    this.size = this.sink.length - this.start;
  }
}

let scratch = new Uint8Array(1 << 16);
/** The snappy compressor's output, reused: it writes every byte it returns, so the buffer need not be zeroed. */
let snappyOut = new Uint8Array(1 << 16);

/** `input` snappy-compressed (a raw block, as Parquet's SNAPPY codec holds it), in a reused buffer: use it before the next call. */
function snappyCompress(input: Uint8Array): Uint8Array {
  const compressor = new SnappyCompressor(input);
  const most = compressor.maxCompressedLength();
  if (snappyOut.length < most) snappyOut = new Uint8Array(Math.max(most, snappyOut.length * 2));
  return snappyOut.subarray(0, compressor.compressToBuffer(snappyOut));
}

/** The parts as one contiguous array (a reused scratch buffer: use it before the next call). */
function concat(parts: readonly Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1 && parts[0] !== undefined) return parts[0];
  if (scratch.length < size) scratch = new Uint8Array(Math.max(size, scratch.length * 2));
  let at = 0;
  for (const part of parts) {
    scratch.set(part, at);
    at += part.length;
  }
  return scratch.subarray(0, size);
}

/** The varint bytes of `value`. */
export function varintBytes(value: number): Uint8Array {
  const out = new Uint8Array(10);
  return out.subarray(0, writeVarint(out, 0, value));
}

const utf8 = new TextEncoder();
const eight = new Float64Array(1);
const eightBytes = new Uint8Array(eight.buffer);
const eightInts = new BigInt64Array(eight.buffer);

/** The 8 little-endian bytes of a DOUBLE or an INT64. */
export function number8(value: number | bigint): Uint8Array {
  if (typeof value === 'bigint') eightInts[0] = value;
  else eight[0] = value;
  return eightBytes.slice();
}

/**
 * Text values' PLAIN bytes, by value: a run's text constants (chip, sample, procedure version...) recur file after
 * file. Shared, so read-only: pages copy them into the sink.
 */
const plainTexts = new Map<string, Uint8Array>();

/** The PLAIN encoding of one value of this type (text: a shared, read-only array). */
export function plainValue(type: ParquetType, value: number | bigint | boolean | string): Uint8Array {
  switch (type) {
    case 'double': return number8(Number(value));
    case 'int64': case 'timestamp': return number8(BigInt(value as number | bigint));
    case 'boolean': return Uint8Array.of(value === true || value === 1 ? 1 : 0);
    case 'utf8': {
      const text = String(value);
      let out = plainTexts.get(text);
      if (out === undefined) {
        const bytes = utf8.encode(text);
        out = new Uint8Array(4 + bytes.length);
        new DataView(out.buffer).setUint32(0, bytes.length, true);
        out.set(bytes, 4);
        if (plainTexts.size >= 4096) plainTexts.clear();
        plainTexts.set(text, out);
      }
      return out;
    }
  }
}

/** Writes one RLE run of `count` copies of a 1-bit-wide value at `at` (a varint header, then the value byte); returns the end. */
function writeRleRun(out: Uint8Array, at: number, count: number, value: 0 | 1): number {
  at = writeVarint(out, at, count * 2);
  out[at++] = value;
  return at;
}

/** A made array kept for its count: the last one asked for (a file's columns all have its row count). */
type Remembered = { count: number; bytes: Uint8Array };
const lastRuns: [Remembered, Remembered] = [{ count: -1, bytes: new Uint8Array(0) }, { count: -1, bytes: new Uint8Array(0) }];
const lastLevels: [Remembered, Remembered] = [{ count: -1, bytes: new Uint8Array(0) }, { count: -1, bytes: new Uint8Array(0) }];

/** The array for `count`: the remembered one when it is for this count (these arrays are only ever read). */
function remembered(last: Remembered, count: number, make: () => Uint8Array): Uint8Array {
  if (last.count !== count) {
    last.count = count;
    last.bytes = make();
  }
  return last.bytes;
}

/** One RLE run of `count` copies of a 1-bit-wide value, without the 4-byte length prefix (read-only: shared). */
export function rleRun(count: number, value: 0 | 1): Uint8Array {
  return remembered(lastRuns[value], count, () => {
    const out = new Uint8Array(11);
    return out.subarray(0, writeRleRun(out, 0, count, value));
  });
}

/**
 * One RLE run as a levels block: its 4-byte little-endian length, then the run (what a constant column's pages
 * hold; read-only: shared).
 */
export function rleLevels(count: number, value: 0 | 1): Uint8Array {
  return remembered(lastLevels[value], count, () => {
    const out = new Uint8Array(15);
    const end = writeRleRun(out, 4, count, value);
    out[0] = end - 4;
    return out.subarray(0, end);
  });
}

/** Definition levels of rows [start, end) with their 4-byte length prefix (bit width 1: 1 = value present). */
export function definitionLevels(valid: Uint8Array | null, start: number, end: number): Uint8Array {
  const count = end - start;
  let allValid = valid === null;
  if (valid !== null) {
    allValid = true;
    for (let i = start; i < end; i++) {
      if (valid[i] === 0) {
        allValid = false;
        break;
      }
    }
  }
  if (count === 0) return new Uint8Array(4);
  if (allValid) return rleLevels(count, 1);
  const groups = Math.ceil(count / 8);
  const header = varintBytes(groups * 2 + 1);
  const out = new Uint8Array(4 + header.length + groups);
  new DataView(out.buffer).setUint32(0, header.length + groups, true);
  out.set(header, 4);
  const base = 4 + header.length;
  const v = valid as Uint8Array;
  for (let i = 0; i < count; i++) if (v[start + i] !== 0) out[base + (i >> 3)]! |= 1 << (i & 7);
  return out;
}
