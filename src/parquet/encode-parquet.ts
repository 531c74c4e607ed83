// Encodes typed columns into the bytes of one Parquet file (flat schema, every column OPTIONAL), no I/O.
//
// Spec: https://github.com/apache/parquet-format (parquet.thrift for the footer and page headers, Encodings.md
// for PLAIN and the RLE/bit-packed hybrid), written with the Thrift compact protocol (thrift-compact.ts).
// Hand-written because the general-purpose JS writers are slower than DuckDB's per-file COPY that this replaces
// (issue 13 measured hyparquet-writer 6.4 s and parquet-wasm 5.8 s on the 384-file shared corpus), while a
// columnar encoder that writes each per-run constant as a one-entry dictionary and one RLE run is O(1) per
// constant whatever the row count. Types are DuckDB's own: DOUBLE, INT64, BOOLEAN, BYTE_ARRAY + STRING,
// INT64 + TIMESTAMP(UTC, MICROS). Data pages v1, PLAIN values (DOUBLE and text chunks of few distinct values
// as a dictionary), RLE definition levels; a chunk's pages gzip (node's zlib, level 1) when its first page is 64 KiB
// or more, else snappy (snappyjs, pure JS: the native `snappy` package was no faster on 64 MiB of noisy doubles
// here, 315 vs 346 ms), and stored uncompressed when that first page shrinks by under 5% (page-writer.ts measures
// the choice). Measured before gzip on a shared, loaded 2-core machine (bench/parquet-encode.ts,
// bench/parquet-size.ts): 1M rows x 8 DOUBLE + 20 constants in 115-163 ms snappy / 78 ms uncompressed (medians of 5,
// two runs); the 384 shared-corpus runs with 20 constants each: 13.34 MB against DuckDB COPY's 14.25 MB
// (COMPRESSION snappy, ROW_GROUP_SIZE 20000: 6.4% smaller), 593 ms of encoding for all 995,712 rows.
import type { ColumnValues, EncodeOptions, ParquetColumn, ParquetType } from './parquet-columns.js';
import { encodeChunk, type EncodedChunk } from './column-chunk.js';
import { ThriftWriter, T_BINARY, T_I32, T_STRUCT, utf8Bytes } from './thrift-compact.js';
import { ByteSink, CODEC } from './page-writer.js';

const MAGIC = Uint8Array.from([0x50, 0x41, 0x52, 0x31]); // PAR1
/** Rows per row group: one row group per file below this. */
export const ROW_GROUP_ROWS = 1 << 20;

const PHYSICAL: Record<ParquetType, number> = { boolean: 0, int64: 2, double: 5, utf8: 6, timestamp: 2 };

const header = new ThriftWriter();
const footer = new ThriftWriter();
const sink = new ByteSink();

function typeOf(values: ColumnValues): ParquetType {
  return values.kind === 'constant' ? values.type : values.kind;
}

function checkColumn(column: ParquetColumn, rows: number): void {
  const values = column.values;
  if (values.kind === 'constant') return;
  if (values.values.length < rows) {
    throw new Error(`parquet column "${column.name}": ${values.values.length} values for ${rows} rows`);
  }
  if (values.kind !== 'utf8' && values.valid !== null && values.valid.length < rows) {
    throw new Error(`parquet column "${column.name}": validity mask of ${values.valid.length} for ${rows} rows`);
  }
}

/**
 * The bytes of one Parquet file holding `rows` rows of these columns, in order, in one buffer of their own (pages
 * go into a reused sink as they are made, page-writer.ts; one write of the whole cost less than a writev of its
 * ~150 parts: 16-23 against 19-33 us a file on tmpfs).
 */
export function encodeParquet(columns: readonly ParquetColumn[], rows: number, options: EncodeOptions = {}): Buffer {
  if (!Number.isInteger(rows) || rows < 0) throw new Error(`parquet: row count must be a whole number >= 0, got ${rows}`);
  for (const column of columns) checkColumn(column, rows);
  const compression = options.compression ?? 'auto';
  sink.reset();
  sink.append(MAGIC);
  const groups: { rows: number; chunks: EncodedChunk[] }[] = [];
  for (let start = 0; start < rows; start += ROW_GROUP_ROWS) {
    const end = Math.min(rows, start + ROW_GROUP_ROWS);
    const chunks: EncodedChunk[] = [];
    for (const column of columns) chunks.push(encodeChunk(column.values, start, end, compression, header, sink));
    groups.push({ rows: end - start, chunks });
  }
  const f = footer;
  f.reset();
  f.i32(1, 1);
  f.listHeader(2, T_STRUCT, columns.length + 1);
  f.beginStruct(0);
  f.string(4, 'duckdb_schema');
  f.i32(5, columns.length);
  f.endStruct();
  for (const column of columns) writeSchemaElement(f, column.name, typeOf(column.values));
  f.i64(3, rows);
  f.listHeader(4, T_STRUCT, groups.length);
  for (const group of groups) {
    f.beginStruct(0);
    f.listHeader(1, T_STRUCT, group.chunks.length);
    let total = 0;
    let compressed = 0;
    group.chunks.forEach((chunk, i) => {
      const column = columns[i]!;
      const b = chunk.builder;
      const at = b.start;
      total += b.uncompressed;
      compressed += b.size;
      f.beginStruct(0);
      f.i64(2, at);
      f.beginStruct(3);
      f.i32(1, PHYSICAL[typeOf(column.values)]);
      f.listHeader(2, T_I32, chunk.encodings.length);
      for (const encoding of chunk.encodings) f.rawI32(encoding);
      f.listHeader(3, T_BINARY, 1);
      f.rawBinary(utf8Bytes(column.name));
      f.i32(4, b.codec ?? CODEC.none);
      f.i64(5, group.rows);
      f.i64(6, b.uncompressed);
      f.i64(7, b.size);
      f.i64(9, at + (b.dataPageOffset ?? 0));
      if (b.dictionaryPageOffset !== null) f.i64(11, at + b.dictionaryPageOffset);
      const s = chunk.statistics;
      f.beginStruct(12);
      if (s.legacy && s.max !== null) f.binary(1, s.max);
      if (s.legacy && s.min !== null) f.binary(2, s.min);
      f.i64(3, s.nullCount);
      if (s.max !== null) f.binary(5, s.max);
      if (s.min !== null) f.binary(6, s.min);
      f.endStruct();
      f.endStruct();
      f.endStruct();
    });
    f.i64(2, total);
    f.i64(3, group.rows);
    f.endStruct();
  }
  f.string(6, options.createdBy ?? 'strata');
  // column_orders: TYPE_ORDER for every column, without which readers ignore min_value/max_value of strings.
  f.listHeader(7, T_STRUCT, columns.length);
  for (let i = 0; i < columns.length; i++) {
    f.beginStruct(0);
    f.beginStruct(1);
    f.endStruct();
    f.endStruct();
  }
  f.byte(0);
  const tail = new Uint8Array(8);
  new DataView(tail.buffer).setUint32(0, f.length, true);
  tail.set(MAGIC, 4);
  sink.append(f.bytes.subarray(0, f.length));
  sink.append(tail);
  return sink.copy();
}

function writeSchemaElement(f: ThriftWriter, name: string, type: ParquetType): void {
  f.beginStruct(0);
  f.i32(1, PHYSICAL[type]);
  f.i32(3, 1); // OPTIONAL
  f.string(4, name);
  // As DuckDB writes them, so a file conformDataFiles rewrites through DuckDB has the same schema as one written
  // here: strings and integers by their converted type alone, timestamps with LogicalType TIMESTAMP too.
  if (type === 'utf8') f.i32(6, 0); // converted type UTF8
  if (type === 'int64') f.i32(6, 18); // converted type INT_64
  if (type === 'timestamp') {
    f.i32(6, 10); // converted type TIMESTAMP_MICROS
    f.beginStruct(10); // LogicalType, union field 8: TIMESTAMP { isAdjustedToUTC: true, unit: MICROS (2) }
    f.beginStruct(8);
    f.bool(1, true);
    f.beginStruct(2);
    f.beginStruct(2);
    f.endStruct();
    f.endStruct();
    f.endStruct();
    f.endStruct();
  }
  f.endStruct();
}
