// Reads the files src/parquet encodes back with DuckDB and hyparquet (pure JS, so always present), in process, and
// compares every cell with what the encoder was given (PyArrow, Polars and pandas: parquet-readback-python.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parquetMetadata, parquetRead, type ColumnData, type FileMetaData, type SchemaElement } from 'hyparquet';
import { copyRawString, Engine, rawStringLength, sqlIdentifier, sqlLiteral, type EngineConnection, type RawVector } from '../../src/engine/duckdb.js';
import type { ParquetColumn } from '../../src/parquet/parquet-columns.js';
import { differs, expectedValue, sameValue, type Value } from './parquet-written.js';

export interface ReadBack {
  readonly types: string[];
  readonly stats: { nullCount: string; min: string | null; max: string | null }[];
  readonly rowGroups: number;
  /** Each column's codec in the first row group, as DuckDB names it (GZIP, SNAPPY, UNCOMPRESSED). */
  readonly codecs: string[];
  /** Each column's field id in the schema, null where it has none. */
  readonly fieldIds: (number | null)[];
}

let engine: Engine | undefined;

async function withDuckDb<T>(work: (db: EngineConnection) => Promise<T>): Promise<T> {
  engine ??= await Engine.open(':memory:', { threads: 1 });
  const db = await engine.connect();
  try {
    return await work(db);
  } finally {
    db.close();
  }
}

/** DuckDB's reading of the file's schema and footer (its cells: `assertDuckDbEveryCell`). */
export async function readWithDuckDb(target: string): Promise<ReadBack> {
  return withDuckDb(async (db) => {
    const described = await db.all<{ column_type: string }>(`DESCRIBE SELECT * FROM read_parquet(${sqlLiteral(target)})`);
    const meta = await db.all<{ p: string; n: number | null; lo: string | null; hi: string | null; rg: number; codec: string }>(
      `SELECT path_in_schema AS p, stats_null_count AS n, stats_min_value AS lo, stats_max_value AS hi, row_group_id AS rg, compression AS codec
         FROM parquet_metadata(${sqlLiteral(target)}) ORDER BY row_group_id, column_id`,
    );
    const schema = await db.all<{ field_id: number | null }>(`SELECT field_id FROM parquet_schema(${sqlLiteral(target)}) WHERE type IS NOT NULL`);
    await assertChunksTileTheFile(db, target);
    const stats = meta.filter((m) => m.rg === 0).map((m) => ({ nullCount: String(m.n), min: m.lo, max: m.hi }));
    const rowGroups = new Set(meta.map((m) => m.rg)).size;
    const codecs = meta.filter((m) => m.rg === 0).map((m) => m.codec);
    return { types: described.map((d) => d.column_type), stats, rowGroups, codecs, fieldIds: schema.map((s) => s.field_id) };
  });
}

const utf8 = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** One column's cells as written, in the form DuckDB's column memory holds them. */
interface WrittenColumn {
  readonly column: ParquetColumn;
  /** Bytes per value: 8, 1 (BOOLEAN), or 0 for text. */
  readonly width: number;
  /** The values' bytes (a constant's one value), or null for text. */
  readonly bytes: Uint8Array | null;
  readonly valid: Uint8Array | null;
  readonly constant: boolean;
}

function written(column: ParquetColumn): WrittenColumn {
  const v = column.values;
  if (v.kind === 'utf8' || (v.kind === 'constant' && v.type === 'utf8')) return { column, width: 0, bytes: null, valid: null, constant: v.kind === 'constant' };
  if (v.kind === 'constant') {
    const value = expectedValue(v, 0);
    const bytes = new Uint8Array(8);
    const view = new DataView(bytes.buffer);
    if (typeof value === 'number') view.setFloat64(0, value, true);
    else if (typeof value === 'bigint') view.setBigInt64(0, value, true);
    else if (typeof value === 'boolean') bytes[0] = value ? 1 : 0;
    return { column, width: v.type === 'boolean' ? 1 : 8, bytes: value === null ? null : bytes, valid: null, constant: true };
  }
  const bytes = new Uint8Array(v.values.buffer, v.values.byteOffset, v.values.byteLength);
  return { column, width: v.kind === 'boolean' ? 1 : 8, bytes, valid: v.valid, constant: false };
}

/**
 * Asserts that DuckDB reads back every cell of every column as written, comparing its own column memory with the
 * written arrays byte for byte (a double's 8 bytes: -0 is not 0), without a JS value per cell.
 */
export async function assertDuckDbEveryCell(target: string, columns: readonly ParquetColumn[], rows: number): Promise<void> {
  await withDuckDb(async (db) => {
    const src = `read_parquet(${sqlLiteral(target)})`;
    const described = await db.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${src}`);
    assert.deepEqual(described.map((d) => d.column_name), columns.map((c) => c.name), 'DuckDB: the columns written');
    if (columns.length === 0) return;
    const exprs = described.map(({ column_name: name, column_type: type }) => (type.startsWith('TIMESTAMP') ? `epoch_us(${sqlIdentifier(name)})` : sqlIdentifier(name)));
    const want = columns.map(written);
    let text = new Uint8Array(1 << 16);
    let base = 0;
    for await (const chunk of db.rawChunks(`SELECT ${exprs.join(', ')} FROM ${src}`)) {
      assert.ok(base + chunk.rows <= rows, `DuckDB: more than the ${rows} rows written`);
      chunk.vectors.forEach((vector, c) => {
        const w = want[c]!;
        const data = vector.data;
        for (let r = 0; r < chunk.rows; r++) {
          const i = base + r;
          const isPresent = present(vector, r);
          if (w.width === 0) {
            const expected = expectedValue(w.column.values, i) as string | null;
            if (!isPresent || expected === null) {
              if (isPresent !== (expected !== null)) differs('DuckDB', w.column, i, isPresent ? duckDbText(vector, r) : null);
              continue;
            }
            if (text.length < expected.length * 3) text = new Uint8Array(expected.length * 6);
            const length = utf8.encodeInto(expected, text).written;
            if (rawStringLength(vector, r) !== length || !sameText(vector, r, text, length)) differs('DuckDB', w.column, i, duckDbText(vector, r));
            continue;
          }
          const valid = w.bytes !== null && (w.valid === null || w.valid[w.constant ? 0 : i] !== 0);
          if (isPresent !== valid) differs('DuckDB', w.column, i, isPresent ? duckDbFixed(data, r, w) : null);
          if (!valid) continue;
          const at = w.constant ? 0 : i * w.width;
          const bytes = w.bytes!;
          if (w.width === 1) {
            if ((data[r] !== 0) !== (bytes[at] !== 0)) differs('DuckDB', w.column, i, data[r] !== 0);
          } else {
            for (let k = 0; k < 8; k++) {
              if (data[r * 8 + k] !== bytes[at + k]) differs('DuckDB', w.column, i, duckDbFixed(data, r, w));
            }
          }
        }
      });
      base += chunk.rows;
    }
    assert.equal(base, rows, `DuckDB: ${base} rows, ${rows} written`);
  });
}

function present(vector: RawVector, row: number): boolean {
  return vector.validity === null || (vector.validity[row >> 3]! & (1 << (row & 7))) !== 0;
}

/** Whether the text at `row` is these `length` bytes (its length already equal). */
function sameText(vector: RawVector, row: number, bytes: Uint8Array, length: number): boolean {
  const entry = row * 16;
  if (length <= 12) {
    for (let k = 0; k < length; k++) if (vector.data[entry + 4 + k] !== bytes[k]) return false;
    return true;
  }
  const copy = new Uint8Array(length);
  copyRawString(vector, row, copy, 0);
  for (let k = 0; k < length; k++) if (copy[k] !== bytes[k]) return false;
  return true;
}

function duckDbText(vector: RawVector, row: number): string {
  const bytes = new Uint8Array(rawStringLength(vector, row));
  copyRawString(vector, row, bytes, 0);
  return decoder.decode(bytes);
}

function duckDbFixed(data: Uint8Array, row: number, w: WrittenColumn): Value {
  if (w.width === 1) return data[row] !== 0;
  const view = new DataView(data.buffer, data.byteOffset + row * 8, 8);
  const type = w.column.values.kind === 'constant' ? w.column.values.type : w.column.values.kind;
  return type === 'double' ? view.getFloat64(0, true) : view.getBigInt64(0, true);
}

/**
 * The footer's byte ranges of the column chunks (from the first page's offset, total_compressed_size long) follow
 * one another from just after the leading magic to just before the footer, as readers that fetch a chunk by its
 * range (PyArrow's pre-buffering, remote scans) rely on: a wrong size reads fine locally and fails there.
 */
async function assertChunksTileTheFile(db: EngineConnection, target: string): Promise<void> {
  const chunks = await db.all<{ start: number | bigint; size: number | bigint }>(
    `SELECT coalesce(least(dictionary_page_offset, data_page_offset), data_page_offset) AS start, total_compressed_size AS size
       FROM parquet_metadata(${sqlLiteral(target)}) ORDER BY start`,
  );
  const bytes = readFileSync(target);
  const footerStart = bytes.length - 8 - bytes.readUInt32LE(bytes.length - 8);
  let at = 4;
  for (const { start, size } of chunks) {
    assert.equal(Number(start), at, `${target}: a column chunk starts at ${start}, where the one before it ends at ${at}`);
    at += Number(size);
  }
  assert.equal(at, footerStart, `${target}: the column chunks end at ${at}, the footer starts at ${footerStart}`);
}

export interface HyparquetReadBack {
  readonly metadata: FileMetaData;
  /** The schema's columns (its root left out). */
  readonly schema: readonly SchemaElement[];
  /** The values as hyparquet decoded them, a column chunk at a time (timestamps as micros). */
  readonly chunks: readonly ColumnData[];
}

/** hyparquet's reading of the file: its footer as parsed, and every column chunk's values. */
export async function readWithHyparquet(target: string): Promise<HyparquetReadBack> {
  const bytes = readFileSync(target);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const options = { parsers: { timestampFromMicroseconds: (micros: bigint) => micros } };
  const metadata = parquetMetadata(file, options);
  const chunks: ColumnData[] = [];
  await parquetRead({ ...options, file, metadata, compressors: { GZIP: (input) => gunzipSync(input) }, onChunk: (chunk) => chunks.push(chunk) });
  return { metadata, schema: metadata.schema.slice(1), chunks };
}

/** Asserts that hyparquet read back every cell of every column as written, each column's chunks end to end. */
export function assertHyparquetEveryCell(read: HyparquetReadBack, columns: readonly ParquetColumn[], rows: number): void {
  assert.deepEqual(read.schema.map((e) => e.name), columns.map((c) => c.name), 'hyparquet: the columns written');
  for (const column of columns) {
    const chunks = read.chunks.filter((c) => c.columnName === column.name).sort((a, b) => a.rowStart - b.rowStart);
    let at = 0;
    for (const { rowStart, rowEnd, columnData } of chunks) {
      assert.equal(rowStart, at, `hyparquet: column "${column.name}" has no rows ${at} to ${rowStart}`);
      for (let i = rowStart; i < rowEnd; i++) {
        const got = (columnData[i - rowStart] ?? null) as Value;
        if (!sameValue(got, expectedValue(column.values, i))) differs('hyparquet', column, i, got);
      }
      at = rowEnd;
    }
    assert.equal(at, rows, `hyparquet: column "${column.name}" has ${at} rows, ${rows} written`);
  }
}

/**
 * Reads the file with DuckDB and hyparquet and asserts that each gives back every cell as written; returns both
 * readings for the test's own assertions on types, statistics, codecs and field ids.
 */
export async function readBackEveryCell(
  target: string, columns: readonly ParquetColumn[], rows: number,
): Promise<{ readonly duckdb: ReadBack; readonly hyparquet: HyparquetReadBack }> {
  await assertDuckDbEveryCell(target, columns, rows);
  const hyparquet = await readWithHyparquet(target);
  assertHyparquetEveryCell(hyparquet, columns, rows);
  return { duckdb: await readWithDuckDb(target), hyparquet };
}
