// One column chunk of a row group: its pages (PLAIN values, or a one-entry dictionary for constants) and statistics.
import type { ColumnValues, Compression, ParquetType } from './parquet-columns.js';
import { ByteSink, ChunkBuilder, definitionLevels, number8, plainValue, rleLevels, rleRun } from './page-writer.js';
import { Encoding } from './parquet-thrift.js';
import type { ThriftWriter } from './thrift-compact.js';
import { writeDoubleDictionary, writeStringDictionary } from './dictionary-chunk.js';

/** Uncompressed bytes of values a data page holds, about. */
const PAGE_BYTES = 1 << 20;
/** A dictionary data page's bit-width byte for a one-entry dictionary (read-only: shared by every such page). */
const BIT_WIDTH_1 = Uint8Array.of(1);

export interface ChunkStatistics {
  readonly nullCount: number;
  readonly min: Uint8Array | null;
  readonly max: Uint8Array | null;
  /** Whether the deprecated min/max fields may carry them too (same sort order: numbers and booleans). */
  readonly legacy: boolean;
}

export interface EncodedChunk {
  readonly builder: ChunkBuilder;
  readonly encodings: readonly number[];
  readonly statistics: ChunkStatistics;
}

const encoder = new TextEncoder();
let scratch = new ArrayBuffer(PAGE_BYTES + 16);

function scratchBytes(size: number): Uint8Array {
  if (scratch.byteLength < size) scratch = new ArrayBuffer(Math.max(size, scratch.byteLength * 2));
  return new Uint8Array(scratch, 0, size);
}

/** UTF-8 byte order of two strings without encoding them (UTF-16 order, with surrogates above U+FFFF): < 0, 0, > 0. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && x <= 0xdfff) x += 0x10000;
    if (y >= 0xd800 && y <= 0xdfff) y += 0x10000;
    return x - y;
  }
  return a.length - b.length;
}

/** Encodes rows [start, end) of a column as one chunk, its pages appended to `sink`. */
export function encodeChunk(
  values: ColumnValues, start: number, end: number, compression: Compression, header: ThriftWriter, sink: ByteSink,
): EncodedChunk {
  // A constant's pages are a few bytes: compressing them would only add a codec's header and a call per page.
  const builder = new ChunkBuilder(values.kind === 'constant' ? 'none' : compression, header, sink);
  const rows = end - start;
  switch (values.kind) {
    case 'constant': {
      if (values.value === null) {
        builder.page('data', rows, Encoding.PLAIN, [rleLevels(rows, 0)]);
        return { builder, encodings: [Encoding.PLAIN, Encoding.RLE], statistics: nullStats(rows, values.type) };
      }
      const plain = plainValue(values.type, values.value);
      if (values.type === 'boolean') {
        // Booleans cannot be dictionary-encoded (Arrow refuses): one RLE run of the value instead, as O(1).
        const bit = plain[0] === 1 ? 1 : 0;
        builder.page('data', rows, Encoding.RLE, [rleLevels(rows, 1), rleLevels(rows, bit)]);
        return { builder, encodings: [Encoding.RLE], statistics: { nullCount: 0, min: plain, max: plain, legacy: true } };
      }
      builder.page('dictionary', 1, Encoding.PLAIN, [plain]);
      builder.page('data', rows, Encoding.RLE_DICTIONARY, [rleLevels(rows, 1), BIT_WIDTH_1, rleRun(rows, 0)]);
      const stat = values.type === 'utf8' ? plain.subarray(4) : plain;
      const value = values.value;
      const nan = values.type === 'double' && Number.isNaN(Number(value));
      return {
        builder,
        encodings: [Encoding.PLAIN, Encoding.RLE, Encoding.RLE_DICTIONARY],
        statistics: nan
          ? { nullCount: 0, min: null, max: null, legacy: true }
          : { nullCount: 0, min: stat, max: stat, legacy: values.type !== 'utf8' },
      };
    }
    case 'double': case 'int64': case 'timestamp': {
      const per = PAGE_BYTES / 8;
      const wide = values.kind === 'double';
      let nulls = 0;
      let min = wide ? Infinity : 0n;
      let max = wide ? -Infinity : 0n;
      let seen = false;
      const dictionary = wide && writeDoubleDictionary(builder, values.values as Float64Array, values.valid, start, end);
      for (let at = start; at < end; at += per) {
        const stop = Math.min(end, at + per);
        const valid = values.valid;
        let body: Uint8Array;
        let present = 0;
        if (valid === null) {
          present = stop - at;
          body = new Uint8Array(values.values.buffer, values.values.byteOffset + at * 8, present * 8);
        } else {
          const out = scratchBytes((stop - at) * 8);
          const target = wide ? new Float64Array(out.buffer, 0, stop - at) : new BigInt64Array(out.buffer, 0, stop - at);
          for (let i = at; i < stop; i++) if (valid[i] !== 0) target[present++] = values.values[i]!;
          body = out.subarray(0, present * 8); // the scratch is reused by the next page, after this one is in the sink
        }
        nulls += stop - at - present;
        if (wide) {
          const v = values.values as Float64Array;
          let lo = min as number;
          let hi = max as number;
          for (let i = at; i < stop; i++) {
            if (valid !== null && valid[i] === 0) continue;
            const x = v[i]!;
            if (x < lo) lo = x;
            if (x > hi) hi = x;
          }
          min = lo;
          max = hi;
          seen = lo <= hi;
        } else {
          const v = values.values as BigInt64Array;
          for (let i = at; i < stop; i++) {
            if (valid !== null && valid[i] === 0) continue;
            const x = v[i]!;
            if (!seen) { min = x; max = x; seen = true; }
            else if (x < min) min = x;
            else if (x > max) max = x;
          }
        }
        if (!dictionary) builder.page('data', stop - at, Encoding.PLAIN, [definitionLevels(valid, at, stop), body]);
      }
      if (rows === 0) builder.page('data', 0, Encoding.PLAIN, [definitionLevels(null, 0, 0)]);
      let statistics: ChunkStatistics = { nullCount: nulls, min: null, max: null, legacy: true };
      if (seen) {
        if (wide) {
          // Parquet's rule for floating-point zero: write -0 as a min and +0 as a max.
          const lo = min === 0 ? -0 : (min as number);
          const hi = max === 0 ? 0 : (max as number);
          statistics = { nullCount: nulls, min: number8(lo), max: number8(hi), legacy: true };
        } else statistics = { nullCount: nulls, min: number8(min), max: number8(max), legacy: true };
      }
      const encodings = dictionary ? [Encoding.PLAIN, Encoding.RLE, Encoding.RLE_DICTIONARY] : [Encoding.PLAIN, Encoding.RLE];
      return { builder, encodings, statistics };
    }
    case 'boolean': {
      const valid = values.valid;
      const out = new Uint8Array(Math.ceil(rows / 8));
      let present = 0;
      let anyTrue = false;
      let anyFalse = false;
      for (let i = start; i < end; i++) {
        if (valid !== null && valid[i] === 0) continue;
        if (values.values[i] !== 0) {
          out[present >> 3]! |= 1 << (present & 7);
          anyTrue = true;
        } else anyFalse = true;
        present++;
      }
      builder.page('data', rows, Encoding.PLAIN, [definitionLevels(valid, start, end), out.subarray(0, Math.ceil(present / 8))]);
      const seen = anyTrue || anyFalse;
      return {
        builder,
        encodings: [Encoding.PLAIN, Encoding.RLE],
        statistics: {
          nullCount: rows - present,
          min: seen ? Uint8Array.of(anyFalse ? 0 : 1) : null,
          max: seen ? Uint8Array.of(anyTrue ? 1 : 0) : null,
          legacy: true,
        },
      };
    }
    case 'utf8':
      return encodeStrings(values.values, start, end, builder);
  }
}

function nullStats(rows: number, type: ParquetType): ChunkStatistics {
  return { nullCount: rows, min: null, max: null, legacy: type !== 'utf8' };
}

/**
 * A text page's values, reused: every byte up to its size is written before the page is copied out, so it is never
 * zeroed (a fresh page of PAGE_BYTES for every text chunk was most of encoding a manifest's many text columns).
 */
let textPage = new Uint8Array(1 << 16);

function encodeStrings(values: readonly (string | null)[], start: number, end: number, builder: ChunkBuilder): EncodedChunk {
  const dictionary = writeStringDictionary(builder, values, start, end);
  if (dictionary !== null) {
    let min: string | null = null;
    let max: string | null = null;
    for (const value of dictionary.distinct) {
      if (min === null || compareUtf8(value, min) < 0) min = value;
      if (max === null || compareUtf8(max, value) < 0) max = value;
    }
    return { builder, encodings: [Encoding.PLAIN, Encoding.RLE, Encoding.RLE_DICTIONARY], statistics: textStatistics(dictionary.nulls, min, max) };
  }
  let nulls = 0;
  let min: string | null = null;
  let max: string | null = null;
  const valid = new Uint8Array(end - start);
  let at = start;
  while (at < end || (at === start && end === start)) {
    let buffer = textPage;
    let size = 0;
    const pageStart = at;
    while (at < end && size < PAGE_BYTES) {
      const value = values[at];
      if (value === null || value === undefined) {
        nulls++;
        at++;
        continue;
      }
      valid[at - start] = 1;
      if (min === null || compareUtf8(value, min) < 0) min = value;
      if (max === null || compareUtf8(max, value) < 0) max = value;
      const need = size + 4 + value.length * 3;
      if (need > buffer.length) {
        const next = new Uint8Array(Math.max(need, buffer.length * 2));
        next.set(buffer.subarray(0, size));
        buffer = next;
        if (buffer.length <= PAGE_BYTES * 4) textPage = buffer;
      }
      const written = encoder.encodeInto(value, buffer.subarray(size + 4)).written;
      new DataView(buffer.buffer).setUint32(size, written, true);
      size += 4 + written;
      at++;
    }
    const levels = definitionLevels(valid, pageStart - start, at - start);
    builder.page('data', at - pageStart, Encoding.PLAIN, [levels, buffer.subarray(0, size)]);
    if (at === start) break;
  }
  return { builder, encodings: [Encoding.PLAIN, Encoding.RLE], statistics: textStatistics(nulls, min, max) };
}

/** A text chunk's statistics: min and max as UTF-8 (the new min_value/max_value fields, not the legacy ones). */
function textStatistics(nullCount: number, min: string | null, max: string | null): ChunkStatistics {
  return { nullCount, min: min === null ? null : encoder.encode(min), max: max === null ? null : encoder.encode(max), legacy: false };
}
