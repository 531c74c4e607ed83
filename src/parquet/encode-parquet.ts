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
import type { EncodeOptions, ParquetColumn } from './parquet-columns.js';
import { encodeChunk, type EncodedChunk } from './column-chunk.js';
import { ThriftWriter } from './thrift-compact.js';
import { ByteSink } from './page-writer.js';
import { FIELD_ID_MAX } from './parquet-thrift.js';
import { MAGIC, appendFooter, type EncodedRowGroup } from './parquet-footer.js';

/** Rows per row group: one row group per file below this. */
export const ROW_GROUP_ROWS = 1 << 20;

const header = new ThriftWriter();
const sink = new ByteSink();

export function checkColumn(column: ParquetColumn, rows: number): void {
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
export function checkFieldIdsUnique(columns: readonly ParquetColumn[]): void {
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
  const groups: EncodedRowGroup[] = [];
  for (let start = 0; start < rows; start += ROW_GROUP_ROWS) {
    const end = Math.min(rows, start + ROW_GROUP_ROWS);
    const chunks: EncodedChunk[] = [];
    for (const column of columns) chunks.push(encodeChunk(column.values, start, end, compression, header, sink));
    groups.push({ rows: end - start, chunks, base: 0 });
  }
  appendFooter(sink, columns, groups, rows, options.createdBy);
  return sink.copy();
}
