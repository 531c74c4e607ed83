// Writes one Parquet file a row group at a time: each group's column chunks are encoded and handed on as soon as
// they are made, and only their metadata (offsets, sizes, statistics) stays for the footer, so a file of any size
// is written holding one row group. No I/O of its own: the bytes go to the given `write`, in order.
import type { EncodeOptions, ParquetColumn } from './parquet-columns.js';
import { encodeChunk, type EncodedChunk } from './column-chunk.js';
import { ThriftWriter } from './thrift-compact.js';
import { ByteSink } from './page-writer.js';
import { checkColumn, checkFieldIdsUnique } from './encode-parquet.js';
import { MAGIC, appendFooter, typeOf, type EncodedRowGroup } from './parquet-footer.js';

export interface ParquetFileWriter {
  /** Encodes rows [0, rows) of `columns` as the file's next row group and writes it. */
  addRowGroup(columns: readonly ParquetColumn[], rows: number): void;
  /** Writes the footer; the file's row count and row groups. At least one row group must have been added. */
  finish(): { readonly rows: number; readonly rowGroups: number };
}

/**
 * A file whose row groups come one after another, all with the first one's columns (names, field ids, types):
 * the same bytes encodeParquet makes of the whole when the groups are cut where it cuts them.
 */
export function openParquetFileWriter(write: (bytes: Uint8Array) => void, options: EncodeOptions = {}): ParquetFileWriter {
  const compression = options.compression ?? 'auto';
  const header = new ThriftWriter();
  const sink = new ByteSink();
  const groups: EncodedRowGroup[] = [];
  let schema: readonly ParquetColumn[] | undefined;
  let offset = 0;
  let rows = 0;
  write(MAGIC);
  offset += MAGIC.length;
  return {
    addRowGroup(columns, count) {
      if (!Number.isInteger(count) || count <= 0) throw new Error(`parquet: a row group holds a whole number of rows > 0, got ${count}`);
      for (const column of columns) checkColumn(column, count);
      if (schema === undefined) {
        checkFieldIdsUnique(columns);
        schema = columns;
      } else checkSameSchema(schema, columns);
      sink.reset();
      const chunks: EncodedChunk[] = [];
      for (const column of columns) chunks.push(encodeChunk(column.values, 0, count, compression, header, sink));
      groups.push({ rows: count, chunks, base: offset });
      write(sink.bytes.subarray(0, sink.length));
      offset += sink.length;
      rows += count;
    },
    finish() {
      if (schema === undefined) throw new Error('parquet: a file written by row groups needs at least one');
      sink.reset();
      appendFooter(sink, schema, groups, rows, options.createdBy);
      write(sink.bytes.subarray(0, sink.length));
      return { rows, rowGroups: groups.length };
    },
  };
}

function checkSameSchema(first: readonly ParquetColumn[], next: readonly ParquetColumn[]): void {
  const same =
    first.length === next.length &&
    first.every((c, i) => c.name === next[i]!.name && c.fieldId === next[i]!.fieldId && typeOf(c.values) === typeOf(next[i]!.values));
  if (!same) throw new Error('parquet: a row group must have the columns of the file\'s first row group');
}
