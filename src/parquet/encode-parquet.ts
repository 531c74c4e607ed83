// Encodes typed columns into the bytes of one Parquet file (flat schema, every column OPTIONAL), no I/O.
//
// The specification it follows, apache/parquet-format:
// - the footer and page headers: src/main/thrift/parquet.thrift
//   (https://github.com/apache/parquet-format/blob/master/src/main/thrift/parquet.thrift), whose field ids and enum
//   values parquet-thrift.ts names, written with the Thrift compact protocol (thrift-compact.ts,
//   https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md);
// - the file layout (magic, column chunks, footer, its length, magic): README.md
//   (https://github.com/apache/parquet-format/blob/master/README.md#file-format);
// - PLAIN values, the RLE/bit-packed hybrid of levels and dictionary indices, RLE_DICTIONARY: Encodings.md
//   (https://github.com/apache/parquet-format/blob/master/Encodings.md);
// - STRING and TIMESTAMP(isAdjustedToUTC, MICROS), and the converted types kept beside them: LogicalTypes.md
//   (https://github.com/apache/parquet-format/blob/master/LogicalTypes.md);
// - SNAPPY and GZIP pages: Compression.md (https://github.com/apache/parquet-format/blob/master/Compression.md).
//
// Hand-written because the general-purpose JS writers (hyparquet-writer, parquet-wasm) were measured slower than
// DuckDB's per-file COPY that this replaced (issue 13), while a columnar encoder that writes each per-run constant
// as a one-entry dictionary and one RLE run is O(1) per constant whatever the row count. Types are DuckDB's own:
// DOUBLE, INT64, BOOLEAN, BYTE_ARRAY + STRING, INT64 + TIMESTAMP(UTC, MICROS). Data pages v1, PLAIN values (DOUBLE
// and text chunks of few distinct values as a dictionary), RLE definition levels; a chunk's pages gzip (node's
// zlib, level 1) when its first page is large, else snappy (snappyjs, pure JS: the native `snappy` package was no
// faster), and are stored uncompressed when that first page hardly shrinks (page-writer.ts measures the choice).
// A column may carry a field id (SchemaElement.field_id), so that a table format maps columns by id, not by name.
import type { ColumnValues, EncodeOptions, ParquetColumn, ParquetType } from './parquet-columns.js';
import { encodeChunk, type EncodedChunk } from './column-chunk.js';
import { ThriftWriter, T_BINARY, T_I32, T_STRUCT, utf8Bytes } from './thrift-compact.js';
import { ByteSink, CODEC } from './page-writer.js';
import {
  ColumnChunk, ColumnMetaData, ColumnOrder, ConvertedType, FIELD_ID_MAX, FieldRepetitionType, FileMetaData, LogicalType, RowGroup,
  SchemaElement, Statistics, TimestampType, TimeUnit, Type,
} from './parquet-thrift.js';

const MAGIC = Uint8Array.from([0x50, 0x41, 0x52, 0x31]); // PAR1
/** Rows per row group: one row group per file below this. */
export const ROW_GROUP_ROWS = 1 << 20;

const PHYSICAL: Record<ParquetType, number> = {
  boolean: Type.BOOLEAN, int64: Type.INT64, double: Type.DOUBLE, utf8: Type.BYTE_ARRAY, timestamp: Type.INT64,
};

const header = new ThriftWriter();
const footer = new ThriftWriter();
const sink = new ByteSink();

function typeOf(values: ColumnValues): ParquetType {
  return values.kind === 'constant' ? values.type : values.kind;
}

function checkColumn(column: ParquetColumn, rows: number): void {
  const id = column.fieldId;
  if (id !== undefined && !(Number.isInteger(id) && id >= 0 && id <= FIELD_ID_MAX)) {
    throw new Error(`parquet column "${column.name}": field id must be a whole number from 0 to ${FIELD_ID_MAX}, got ${id}`);
  }
  const values = column.values;
  if (values.kind === 'constant') return;
  if (values.values.length < rows) {
    throw new Error(`parquet column "${column.name}": ${values.values.length} values for ${rows} rows`);
  }
  if (values.kind !== 'utf8' && values.valid !== null && values.valid.length < rows) {
    throw new Error(`parquet column "${column.name}": validity mask of ${values.valid.length} for ${rows} rows`);
  }
}

/** Two columns with one field id would make a reader that maps by id take one for the other. */
function checkFieldIdsUnique(columns: readonly ParquetColumn[]): void {
  let seen: Map<number, string> | null = null;
  for (const column of columns) {
    if (column.fieldId === undefined) continue;
    seen ??= new Map();
    const other = seen.get(column.fieldId);
    if (other !== undefined) throw new Error(`parquet columns "${other}" and "${column.name}": both have field id ${column.fieldId}`);
    seen.set(column.fieldId, column.name);
  }
}

/**
 * The bytes of one Parquet file holding `rows` rows of these columns, in order, in one buffer of their own (pages
 * go into a reused sink as they are made, page-writer.ts; one write of the whole was measured cheaper than a
 * writev of its parts).
 */
export function encodeParquet(columns: readonly ParquetColumn[], rows: number, options: EncodeOptions = {}): Buffer {
  if (!Number.isInteger(rows) || rows < 0) throw new Error(`parquet: row count must be a whole number >= 0, got ${rows}`);
  for (const column of columns) checkColumn(column, rows);
  checkFieldIdsUnique(columns);
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
  f.i32(FileMetaData.version, 1);
  f.listHeader(FileMetaData.schema, T_STRUCT, columns.length + 1);
  f.beginStruct(0);
  f.string(SchemaElement.name, 'duckdb_schema');
  f.i32(SchemaElement.num_children, columns.length);
  f.endStruct();
  for (const column of columns) writeSchemaElement(f, column);
  f.i64(FileMetaData.num_rows, rows);
  f.listHeader(FileMetaData.row_groups, T_STRUCT, groups.length);
  for (const group of groups) {
    f.beginStruct(0);
    f.listHeader(RowGroup.columns, T_STRUCT, group.chunks.length);
    let total = 0;
    group.chunks.forEach((chunk, i) => {
      total += chunk.builder.uncompressed;
      writeColumnChunk(f, columns[i]!, chunk, group.rows);
    });
    f.i64(RowGroup.total_byte_size, total);
    f.i64(RowGroup.num_rows, group.rows);
    f.endStruct();
  }
  f.string(FileMetaData.created_by, options.createdBy ?? 'strata');
  // TYPE_ORDER for every column, without which readers ignore min_value/max_value of strings.
  f.listHeader(FileMetaData.column_orders, T_STRUCT, columns.length);
  for (let i = 0; i < columns.length; i++) {
    f.beginStruct(0);
    f.beginStruct(ColumnOrder.TYPE_ORDER);
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

/** A ColumnChunk of the footer: where the chunk's pages are, how they are encoded, and its statistics. */
function writeColumnChunk(f: ThriftWriter, column: ParquetColumn, chunk: EncodedChunk, rows: number): void {
  const b = chunk.builder;
  const at = b.start;
  f.beginStruct(0);
  f.i64(ColumnChunk.file_offset, at);
  f.beginStruct(ColumnChunk.meta_data);
  f.i32(ColumnMetaData.type, PHYSICAL[typeOf(column.values)]);
  f.listHeader(ColumnMetaData.encodings, T_I32, chunk.encodings.length);
  for (const encoding of chunk.encodings) f.rawI32(encoding);
  f.listHeader(ColumnMetaData.path_in_schema, T_BINARY, 1);
  f.rawBinary(utf8Bytes(column.name));
  f.i32(ColumnMetaData.codec, b.codec ?? CODEC.none);
  f.i64(ColumnMetaData.num_values, rows);
  f.i64(ColumnMetaData.total_uncompressed_size, b.uncompressed);
  f.i64(ColumnMetaData.total_compressed_size, b.size);
  f.i64(ColumnMetaData.data_page_offset, at + (b.dataPageOffset ?? 0));
  if (b.dictionaryPageOffset !== null) f.i64(ColumnMetaData.dictionary_page_offset, at + b.dictionaryPageOffset);
  const s = chunk.statistics;
  f.beginStruct(ColumnMetaData.statistics);
  if (s.legacy && s.max !== null) f.binary(Statistics.max, s.max);
  if (s.legacy && s.min !== null) f.binary(Statistics.min, s.min);
  f.i64(Statistics.null_count, s.nullCount);
  if (s.max !== null) f.binary(Statistics.max_value, s.max);
  if (s.min !== null) f.binary(Statistics.min_value, s.min);
  f.endStruct();
  f.endStruct();
  f.endStruct();
}

function writeSchemaElement(f: ThriftWriter, column: ParquetColumn): void {
  const type = typeOf(column.values);
  f.beginStruct(0);
  f.i32(SchemaElement.type, PHYSICAL[type]);
  f.i32(SchemaElement.repetition_type, FieldRepetitionType.OPTIONAL);
  f.string(SchemaElement.name, column.name);
  // As DuckDB writes them, so a file conformDataFiles rewrites through DuckDB has the same schema as one written
  // here: strings and integers by their converted type alone, timestamps with LogicalType TIMESTAMP too.
  if (type === 'utf8') f.i32(SchemaElement.converted_type, ConvertedType.UTF8);
  if (type === 'int64') f.i32(SchemaElement.converted_type, ConvertedType.INT_64);
  if (type === 'timestamp') f.i32(SchemaElement.converted_type, ConvertedType.TIMESTAMP_MICROS);
  if (column.fieldId !== undefined) f.i32(SchemaElement.field_id, column.fieldId);
  if (type === 'timestamp') {
    f.beginStruct(SchemaElement.logicalType);
    f.beginStruct(LogicalType.TIMESTAMP);
    f.bool(TimestampType.isAdjustedToUTC, true);
    f.beginStruct(TimestampType.unit);
    f.beginStruct(TimeUnit.MICROS);
    f.endStruct();
    f.endStruct();
    f.endStruct();
    f.endStruct();
  }
  f.endStruct();
}
