// The end of a Parquet file: its footer (FileMetaData: the schema, each row group's column chunks with where they
// are and their statistics) and the footer's length and magic. Shared by the whole-file encoder and the writer of
// row groups one after another (spec references in encode-parquet.ts).
import type { ColumnValues, ParquetColumn, ParquetType } from './parquet-columns.js';
import type { EncodedChunk } from './column-chunk.js';
import { ThriftWriter, T_BINARY, T_I32, T_STRUCT, utf8Bytes } from './thrift-compact.js';
import { CODEC, type ByteSink } from './page-writer.js';
import {
  ColumnChunk, ColumnMetaData, ColumnOrder, ConvertedType, FieldRepetitionType, FileMetaData, LogicalType, RowGroup,
  SchemaElement, Statistics, TimestampType, TimeUnit, Type,
} from './parquet-thrift.js';

export const MAGIC = Uint8Array.from([0x50, 0x41, 0x52, 0x31]); // PAR1

/** A row group as encoded: its rows, its column chunks, and where in the file its chunks' offsets count from. */
export interface EncodedRowGroup {
  readonly rows: number;
  readonly chunks: readonly EncodedChunk[];
  /** Added to each chunk's offsets (0 when the chunks were encoded after the file's own first bytes). */
  readonly base: number;
}

const PHYSICAL: Record<ParquetType, number> = {
  boolean: Type.BOOLEAN, int64: Type.INT64, double: Type.DOUBLE, utf8: Type.BYTE_ARRAY, timestamp: Type.INT64,
};

const footer = new ThriftWriter();
const footerLength = new Uint8Array(4);

export function typeOf(values: ColumnValues): ParquetType {
  return values.kind === 'constant' ? values.type : values.kind;
}

/**
 * Appends the footer, its length and the closing magic, for `rows` rows in `groups` of `columns` (whose names, field
 * ids and types make the schema), to `sink`.
 */
export function appendFooter(
  sink: ByteSink,
  columns: readonly ParquetColumn[],
  groups: readonly EncodedRowGroup[],
  rows: number,
  createdBy = 'strata',
): void {
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
      writeColumnChunk(f, columns[i]!, chunk, group.rows, group.base);
    });
    f.i64(RowGroup.total_byte_size, total);
    f.i64(RowGroup.num_rows, group.rows);
    f.endStruct();
  }
  f.string(FileMetaData.created_by, createdBy);
  // TYPE_ORDER for every column, without which readers ignore min_value/max_value of strings.
  f.listHeader(FileMetaData.column_orders, T_STRUCT, columns.length);
  for (let i = 0; i < columns.length; i++) {
    f.beginStruct(0);
    f.beginStruct(ColumnOrder.TYPE_ORDER);
    f.endStruct();
    f.endStruct();
  }
  f.byte(0);
  sink.append(f.bytes.subarray(0, f.length));
  new DataView(footerLength.buffer).setUint32(0, f.length, true);
  sink.append(footerLength);
  sink.append(MAGIC);
}

/** A ColumnChunk of the footer: where the chunk's pages are, how they are encoded, and its statistics. */
function writeColumnChunk(f: ThriftWriter, column: ParquetColumn, chunk: EncodedChunk, rows: number, base: number): void {
  const b = chunk.builder;
  const at = base + b.start;
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
