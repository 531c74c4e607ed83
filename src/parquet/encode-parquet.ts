// Encodes typed columns into the bytes of one Parquet file: the flat, all-OPTIONAL schemas strata's run files have.
// Spec: https://github.com/apache/parquet-format (Encodings.md, the Thrift IDL parquet.thrift).
//
// Why hand-written (issue 13's measurements, 384 files of the shared corpus): DuckDB's COPY costs a few ms of
// fixed CPU per file and handles each of a run's ~23 constants value by value; the general-purpose JS writers
// were slower still (hyparquet-writer 6.4 s, parquet-wasm 5.8 s, against DuckDB's 2.8 s). This one writes a
// value column's PLAIN bytes straight from its typed array (no copy when it has no nulls), and a constant
// column as a one-entry dictionary and one RLE run: O(1) whatever the row count.
//
// Every file it writes in the tests is read back by DuckDB, and by PyArrow and Polars where Python is present,
// with equal values, types and statistics (src/parquet/encode-parquet.test.ts).
import { compressSync } from 'snappy';
import type { ColumnValues, EncodeOptions, ParquetColumn, ParquetType } from './parquet-columns.js';
import { binary, bool, encodeStruct, i32, i64, list, struct, type ThriftStruct } from './thrift-compact.js';

const MAGIC = new TextEncoder().encode('PAR1');
// parquet.thrift enums
const PHYSICAL: Readonly<Record<ParquetType, number>> = { boolean: 0, int64: 2, double: 5, utf8: 6, timestamp: 2 };
const OPTIONAL = 1;
const CONVERTED_UTF8 = 0;
const CONVERTED_TIMESTAMP_MICROS = 10;
const CONVERTED_INT_64 = 18;
const ENCODING_PLAIN = 0;
const ENCODING_RLE = 3;
const ENCODING_RLE_DICTIONARY = 8;
const PAGE_DATA = 0;
const PAGE_DICTIONARY = 2;
const CODEC_NONE = 0;
const CODEC_SNAPPY = 1;
/** Rows per data page: about 1 MiB of 8-byte values. */
const PAGE_ROWS = 131_072;

/** What a column chunk's pages are made of, before compression. */
interface ChunkPlan {
  readonly dictionary: Uint8Array | null;
  /** How many values the dictionary page holds. */
  readonly dictionarySize?: number;
  /** Body of each data page (definition levels then values), and its value count (rows). */
  readonly pages: readonly { readonly body: Uint8Array; readonly rows: number }[];
  readonly encoding: number;
  readonly stats: Stats;
}

interface Stats {
  readonly nulls: number;
  readonly min: Uint8Array | null;
  readonly max: Uint8Array | null;
}

const textEncoder = new TextEncoder();

/** The bytes of one Parquet file holding `rows` rows of these columns, in order (a list of chunks for writev). */
export function encodeParquet(columns: readonly ParquetColumn[], rows: number, options: EncodeOptions = {}): Uint8Array[] {
  const out: Uint8Array[] = [MAGIC];
  let offset = MAGIC.length;
  const chunks: ThriftStruct[] = [];
  let totalUncompressed = 0;
  for (const column of columns) {
    const plan = planChunk(column.values, rows);
    // Snappy on value columns (measured on the shared corpus: t_s and i_a shrink to ~80%); a constant's pages are a few bytes.
    // Pages under 1 KiB are left as they are: snappy saves a few bytes there and costs a native call each.
    const compress =
      options.compression !== 'none' &&
      (column.values.kind !== 'constant' || column.values.type === 'boolean') &&
      plan.pages.some((p) => p.body.length >= 1024);
    const start = offset;
    let uncompressed = 0;
    let dictionaryOffset: number | undefined;
    const emit = (type: number, body: Uint8Array, header: ThriftStruct) => {
      const stored = compress ? compressSync(Buffer.from(body.buffer, body.byteOffset, body.byteLength)) : body;
      const pageHeader = encodeStruct([[1, i32(type)], [2, i32(body.length)], [3, i32(stored.length)], ...header]);
      out.push(pageHeader, stored);
      offset += pageHeader.length + stored.length;
      uncompressed += pageHeader.length + body.length;
    };
    if (plan.dictionary) {
      dictionaryOffset = offset;
      emit(PAGE_DICTIONARY, plan.dictionary, [[7, struct([[1, i32(plan.dictionarySize ?? 1)], [2, i32(ENCODING_PLAIN)]])]]);
    }
    const dataOffset = offset;
    for (const page of plan.pages) {
      emit(PAGE_DATA, page.body, [[5, struct([[1, i32(page.rows)], [2, i32(plan.encoding)], [3, i32(ENCODING_RLE)], [4, i32(ENCODING_RLE)]])]]);
    }
    totalUncompressed += uncompressed;
    const encodings = plan.dictionary ? [ENCODING_PLAIN, ENCODING_RLE, ENCODING_RLE_DICTIONARY] : [ENCODING_PLAIN, ENCODING_RLE];
    const metadata: ThriftStruct = [
      [1, i32(PHYSICAL[typeOf(column.values)])],
      [2, list('i32', encodings)],
      [3, list('binary', [column.name])],
      [4, i32(compress ? CODEC_SNAPPY : CODEC_NONE)],
      [5, i64(rows)],
      [6, i64(uncompressed)],
      [7, i64(offset - start)],
      [9, i64(dataOffset)],
      [11, dictionaryOffset === undefined ? undefined : i64(dictionaryOffset)],
      [12, struct(statistics(plan.stats))],
    ];
    chunks.push([[2, i64(start)], [3, struct(metadata)]]);
  }
  const footer = encodeStruct([
    [1, i32(1)],
    [2, list('struct', [[[3, i32(0)], [4, binary('schema')], [5, i32(columns.length)]], ...columns.map(schemaElement)])],
    [3, i64(rows)],
    [4, list('struct', [[[1, list('struct', chunks)], [2, i64(totalUncompressed)], [3, i64(rows)], [5, i64(MAGIC.length)], [6, i64(offset - MAGIC.length)]]])],
    [6, binary(options.createdBy ?? 'strata')],
    [7, list('struct', columns.map(() => [[1, struct([])]] as ThriftStruct))],
  ]);
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, footer.length, true);
  out.push(footer, length, MAGIC);
  return out;
}

function typeOf(values: ColumnValues): ParquetType {
  return values.kind === 'constant' ? values.type : values.kind;
}

function schemaElement(column: ParquetColumn): ThriftStruct {
  const type = typeOf(column.values);
  const converted = type === 'utf8' ? CONVERTED_UTF8 : type === 'timestamp' ? CONVERTED_TIMESTAMP_MICROS : type === 'int64' ? CONVERTED_INT_64 : undefined;
  // As DuckDB writes them, so a procedure's files are alike whoever wrote them: strings and integers by their
  // converted type alone, timestamps with LogicalType TIMESTAMP (union field 8: isAdjustedToUTC, unit MICROS = 2).
  const logical: ThriftStruct | undefined = type === 'timestamp' ? [[8, struct([[1, bool(true)], [2, struct([[2, struct([])]])]])]] : undefined;
  return [
    [1, i32(PHYSICAL[type])],
    [3, i32(OPTIONAL)],
    [4, binary(column.name)],
    [6, converted === undefined ? undefined : i32(converted)],
    [10, logical === undefined ? undefined : struct(logical)],
  ];
}

function statistics(stats: Stats): ThriftStruct {
  return [
    [3, i64(stats.nulls)],
    [5, stats.max ? binary(stats.max) : undefined],
    [6, stats.min ? binary(stats.min) : undefined],
  ];
}

function planChunk(values: ColumnValues, rows: number): ChunkPlan {
  if (values.kind === 'constant') return constantChunk(values.type, values.value, rows);
  const valid = 'valid' in values ? values.valid : null;
  if (values.kind === 'double') {
    const dictionary = dictionaryOf(values.values, valid, rows);
    if (dictionary) return dictionaryChunk(values, valid, rows, dictionary);
  }
  const pages: { body: Uint8Array; rows: number }[] = [];
  let nulls = 0;
  for (let from = 0; from < rows || (rows === 0 && from === 0); from += PAGE_ROWS) {
    const to = Math.min(rows, from + PAGE_ROWS);
    const pageValid = values.kind === 'utf8' ? textValidity(values.values, from, to) : valid?.subarray(from, to) ?? null;
    const levels = definitionLevels(pageValid, to - from);
    const body = concat([levels, plainValues(values, pageValid, from, to)]);
    pages.push({ body, rows: to - from });
    if (pageValid) for (let i = 0; i < pageValid.length; i++) nulls += 1 - pageValid[i]!;
    if (rows === 0) break;
  }
  return { dictionary: null, pages, encoding: ENCODING_PLAIN, stats: { nulls, ...minMax(values, valid, rows) } };
}

/**
 * The value -> index map when a dictionary makes the column smaller (distinct values x 8 bytes plus the bit-packed
 * indices under 60% of the PLAIN bytes); else null. The first rows decide quickly whether to try at all.
 */
const DICTIONARY_SAMPLE = 1024;

function dictionaryOf(values: Float64Array, valid: Uint8Array | null, rows: number): Map<number, number> | null {
  if (rows < 64) return null;
  const sample = Math.min(rows, DICTIONARY_SAMPLE);
  const seen = new Set<number>();
  for (let i = 0; i < sample; i++) if (!valid || valid[i]) seen.add(values[i]!);
  if (seen.size > sample * 0.9) return null;
  const limit = rows / 4;
  const index = new Map<number, number>();
  for (let i = 0; i < rows; i++) {
    if (valid && !valid[i]) continue;
    const v = values[i]!;
    if (v === 0 && 1 / v < 0) return null; // -0 would merge with 0 in a Map
    if (!index.has(v)) {
      if (index.size >= limit) return null;
      index.set(v, index.size);
    }
  }
  const width = Math.max(1, Math.ceil(Math.log2(index.size)));
  return index.size * 8 + (rows * width) / 8 < 0.6 * rows * 8 ? index : null;
}

/** A value column with few distinct values: its dictionary (PLAIN) and its indices bit-packed, page by page. */
function dictionaryChunk(values: { readonly values: Float64Array }, valid: Uint8Array | null, rows: number, index: Map<number, number>): ChunkPlan {
  const dictionary = new Float64Array(index.size);
  for (const [value, i] of index) dictionary[i] = value;
  const width = Math.max(1, Math.ceil(Math.log2(index.size)));
  const pages: { body: Uint8Array; rows: number }[] = [];
  let nulls = 0;
  for (let from = 0; from < rows; from += PAGE_ROWS) {
    const to = Math.min(rows, from + PAGE_ROWS);
    const pageValid = valid?.subarray(from, to) ?? null;
    const indices = new Uint32Array(to - from);
    let n = 0;
    for (let i = from; i < to; i++) {
      if (pageValid && !pageValid[i - from]) nulls++;
      else indices[n++] = index.get(values.values[i]!)!;
    }
    pages.push({ body: concat([definitionLevels(pageValid, to - from), Uint8Array.of(width), bitPackedValues(indices.subarray(0, n), width)]), rows: to - from });
  }
  return {
    dictionary: new Uint8Array(dictionary.buffer),
    dictionarySize: index.size,
    pages,
    encoding: ENCODING_RLE_DICTIONARY,
    stats: { nulls, ...minMax({ kind: 'double', values: values.values, valid }, valid, rows) },
  };
}

/** One bit-packed run of `values` at `width` bits each, LSB first, in groups of eight. */
function bitPackedValues(values: Uint32Array, width: number): Uint8Array {
  if (values.length === 0) return new Uint8Array(0);
  const groups = Math.ceil(values.length / 8);
  const header = varint(groups * 2 + 1);
  const out = new Uint8Array(header.length + groups * width);
  out.set(header);
  let bit = header.length * 8;
  for (const value of values) {
    for (let b = 0; b < width; b++, bit++) if ((value >> b) & 1) out[bit >> 3]! |= 1 << (bit & 7);
  }
  return out;
}

function textValidity(values: readonly (string | null)[], from: number, to: number): Uint8Array | null {
  let any = false;
  const valid = new Uint8Array(to - from);
  for (let i = from; i < to; i++) {
    if (values[i] === null || values[i] === undefined) any = true;
    else valid[i - from] = 1;
  }
  return any ? valid : null;
}

/** The PLAIN bytes of the present values of rows [from, to); the typed array's own memory when none is null. */
function plainValues(values: Exclude<ColumnValues, { kind: 'constant' }>, valid: Uint8Array | null, from: number, to: number): Uint8Array {
  if (values.kind === 'utf8') {
    const texts: Uint8Array[] = [];
    let size = 0;
    for (let i = from; i < to; i++) {
      const text = values.values[i];
      if (text === null || text === undefined) continue;
      const bytes = textEncoder.encode(text);
      texts.push(bytes);
      size += 4 + bytes.length;
    }
    const out = new Uint8Array(size);
    const view = new DataView(out.buffer);
    let at = 0;
    for (const bytes of texts) {
      view.setUint32(at, bytes.length, true);
      out.set(bytes, at + 4);
      at += 4 + bytes.length;
    }
    return out;
  }
  if (values.kind === 'boolean') {
    const out = new Uint8Array(Math.ceil((to - from) / 8));
    let n = 0;
    for (let i = from; i < to; i++) {
      if (valid && valid[i - from] === 0) continue;
      if (values.values[i]) out[n >> 3]! |= 1 << (n & 7);
      n++;
    }
    return out.subarray(0, Math.ceil(n / 8));
  }
  const typed = values.values;
  if (!valid) return new Uint8Array(typed.buffer, typed.byteOffset + from * 8, (to - from) * 8);
  const packed = typed instanceof Float64Array ? new Float64Array(to - from) : new BigInt64Array(to - from);
  let n = 0;
  for (let i = from; i < to; i++) if (valid[i - from] !== 0) packed[n++] = typed[i] as never;
  return new Uint8Array(packed.buffer, 0, n * 8);
}

/** Definition levels (bit width 1) as the RLE/bit-packed hybrid, behind their 4-byte length. */
function definitionLevels(valid: Uint8Array | null, count: number): Uint8Array {
  return lengthPrefixed(count === 0 ? new Uint8Array(0) : valid === null ? rleRun(count, 1) : bitPacked(valid));
}

function varint(n: number): number[] {
  const bytes: number[] = [];
  while (n >= 0x80) {
    bytes.push((n % 0x80) | 0x80);
    n = Math.floor(n / 0x80);
  }
  bytes.push(n);
  return bytes;
}

/** One RLE run of `count` copies of `value` (bit width 1 or a one-byte dictionary index). */
function rleRun(count: number, value: number): Uint8Array {
  return count === 0 ? new Uint8Array(0) : Uint8Array.from([...varint(count * 2), value]);
}

function bitPacked(bits: Uint8Array): Uint8Array {
  const groups = Math.ceil(bits.length / 8);
  const header = varint(groups * 2 + 1);
  const out = new Uint8Array(header.length + groups);
  out.set(header);
  for (let i = 0; i < bits.length; i++) if (bits[i]) out[header.length + (i >> 3)]! |= 1 << (i & 7);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A column with one value on every row: a one-entry dictionary and one RLE run (a null one: no values at all). */
function constantChunk(type: ParquetType, value: number | bigint | boolean | string | null, rows: number): ChunkPlan {
  if (value === null) {
    const body = lengthPrefixed(rleRun(rows, 0));
    return { dictionary: null, pages: [{ body, rows }], encoding: ENCODING_PLAIN, stats: { nulls: rows, min: null, max: null } };
  }
  if (type === 'boolean') {
    // PyArrow refuses dictionary-encoded booleans: PLAIN bits, all alike (compressed to almost nothing).
    const bits = new Uint8Array(Math.ceil(rows / 8)).fill(value ? 0xff : 0);
    const stat = Uint8Array.of(value ? 1 : 0);
    return { dictionary: null, pages: [{ body: concat([definitionLevels(null, rows), bits]), rows }], encoding: ENCODING_PLAIN, stats: { nulls: 0, min: rows ? stat : null, max: rows ? stat : null } };
  }
  const plain = plainOne(type, value);
  const body = concat([definitionLevels(null, rows), Uint8Array.of(1), rleRun(rows, 0)]);
  const stat = type === 'utf8' ? plain.subarray(4) : plain;
  return { dictionary: plain, pages: [{ body, rows }], encoding: ENCODING_RLE_DICTIONARY, stats: { nulls: 0, min: rows ? stat : null, max: rows ? stat : null } };
}

function lengthPrefixed(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length, true);
  out.set(body, 4);
  return out;
}

/** The PLAIN encoding of one value (a byte array with its 4-byte length). */
function plainOne(type: ParquetType, value: number | bigint | boolean | string): Uint8Array {
  if (type === 'utf8') {
    const bytes = textEncoder.encode(String(value));
    return lengthPrefixed(bytes);
  }
  if (type === 'boolean') return Uint8Array.of(value ? 1 : 0);
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  if (type === 'double') view.setFloat64(0, Number(value), true);
  else view.setBigInt64(0, BigInt(value as number | bigint), true);
  return out;
}

/** min_value and max_value, PLAIN-encoded (byte arrays without their length); none when every value is null. */
function minMax(values: Exclude<ColumnValues, { kind: 'constant' }>, valid: Uint8Array | null, rows: number): { min: Uint8Array | null; max: Uint8Array | null } {
  if (values.kind === 'utf8') {
    let min: Uint8Array | null = null;
    let max: Uint8Array | null = null;
    for (let i = 0; i < rows; i++) {
      const text = values.values[i];
      if (text === null || text === undefined) continue;
      const bytes = textEncoder.encode(text);
      if (min === null || Buffer.compare(bytes, min) < 0) min = bytes;
      if (max === null || Buffer.compare(bytes, max) > 0) max = bytes;
    }
    return { min, max };
  }
  if (values.kind === 'boolean') {
    let seen = 0;
    for (let i = 0; i < rows; i++) if (!valid || valid[i]) seen |= values.values[i] ? 2 : 1;
    if (seen === 0) return { min: null, max: null };
    return { min: Uint8Array.of(seen & 1 ? 0 : 1), max: Uint8Array.of(seen & 2 ? 1 : 0) };
  }
  if (values.kind === 'double') {
    let min = Infinity;
    let max = -Infinity;
    let any = false;
    const v = values.values;
    for (let i = 0; i < rows; i++) {
      if (valid && valid[i] === 0) continue;
      const x = v[i]!;
      if (x !== x) continue;
      any = true;
      if (x < min) min = x;
      if (x > max) max = x;
    }
    if (!any) return { min: null, max: null };
    // The spec's rule for zero: a min of zero is written -0, a max of zero +0.
    return { min: plainOne('double', min === 0 ? -0 : min), max: plainOne('double', max === 0 ? 0 : max) };
  }
  let min: bigint | null = null;
  let max: bigint | null = null;
  const v = values.values;
  for (let i = 0; i < rows; i++) {
    if (valid && valid[i] === 0) continue;
    const x = v[i]!;
    if (min === null || x < min) min = x;
    if (max === null || x > max) max = x;
  }
  return min === null || max === null ? { min: null, max: null } : { min: plainOne('int64', min), max: plainOne('int64', max) };
}
