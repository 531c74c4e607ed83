// Parquet to PostgreSQL's binary COPY format (https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4),
// encoded a column at a time straight from DuckDB's memory.
//
// Binary rather than CSV: the server parses no text, which halves its side of a COPY (docs/benchmarks.md, load).
// Hand-written rather than pg-copy-streams-binary: that library builds a buffer per row from an object per value,
// which made it slower than the CSV it would replace.
import { copyRawString, rawStringLength, type EngineConnection, type RawChunk, type RawVector } from '../../engine/duckdb.js';
import { StrataError, messageOf } from '../../errors.js';
import type { ColumnType } from '../../landed/dataset-rules.js';
import { quoteIdentifier, sqlLiteral } from '../../sql/quote.js';
import type { StageTable } from '../stage-database.js';

const HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]); // no flags, no header extension
const TRAILER = Buffer.from([0xff, 0xff]);

/**
 * The binary COPY stream of the file's rows, in the table's column order without `_data_period` (checked
 * before). A value that does not cast to its column's type stops the stream with an error naming the file
 * and DuckDB's reason (which names the value and the type).
 */
export async function* parquetBinaryCopy(conn: EngineConnection, parquetFile: string, table: StageTable): AsyncGenerator<Buffer> {
  const encoders = table.columns.map((c) => ENCODERS[c.type]);
  const selects = table.columns.map((c) => ENCODERS[c.type].select(quoteIdentifier(c.name)));
  // Column i's vectors start where the vectors of the columns before it end.
  const firstVector = selects.map((_, i) => selects.slice(0, i).reduce((n, s) => n + s.length, 0));
  yield HEADER;
  const chunks = conn.rawChunks(`SELECT ${selects.flat().join(', ')} FROM read_parquet(${sqlLiteral(parquetFile)})`);
  for (;;) {
    let next: IteratorResult<RawChunk>;
    try {
      next = await chunks.next();
    } catch (error) {
      throw new StrataError('validation', `${parquetFile} could not be read as the column types of stage.${table.name}, so nothing was loaded: ${messageOf(error)}`, {
        file: parquetFile,
      });
    }
    if (next.done === true) break;
    const { rows, vectors } = next.value;
    yield encodeRows(
      encoders.map((encoder, i) => ({ encoder, vectors: vectors.slice(firstVector[i], firstVector[i]! + selects[i]!.length) })),
      rows,
    );
  }
  yield TRAILER;
}

/**
 * One column type: the DuckDB expressions that bring a column out (their vectors, in order, are the
 * column's), the size of a row's value and the loop that writes them. `at[row]` is where the row's next
 * field goes; `write` moves it past the field it writes.
 */
interface ColumnEncoder {
  readonly select: (column: string) => readonly string[];
  /** Bytes of the row's value, without its 4-byte length word; -1 for NULL. */
  readonly size: (vectors: readonly RawVector[], row: number) => number;
  readonly write: (vectors: readonly RawVector[], rows: number, out: DataView, at: Int32Array) => void;
}

/** Each row: its field count, then each field as a length word (-1 for NULL) and the value in network byte order. */
function encodeRows(columns: readonly { encoder: ColumnEncoder; vectors: readonly RawVector[] }[], rows: number): Buffer {
  const at = new Int32Array(rows).fill(2);
  for (const { encoder, vectors } of columns) {
    for (let row = 0; row < rows; row += 1) at[row]! += 4 + Math.max(0, encoder.size(vectors, row));
  }
  let total = 0;
  for (let row = 0; row < rows; row += 1) {
    const size = at[row]!;
    at[row] = total + 2;
    total += size;
  }
  const buffer = Buffer.allocUnsafe(total);
  const out = new DataView(buffer.buffer, buffer.byteOffset, total);
  for (let row = 0; row < rows; row += 1) out.setInt16(at[row]! - 2, columns.length);
  for (const { encoder, vectors } of columns) encoder.write(vectors, rows, out, at);
  return buffer;
}

const isNull = (vector: RawVector, row: number) => vector.validity !== null && ((vector.validity[row >> 3]! >> (row & 7)) & 1) === 0;

/** A NULL field, written in place of the value; true when it was one. */
function writtenNull(vector: RawVector, row: number, out: DataView, at: Int32Array): boolean {
  if (!isNull(vector, row)) return false;
  out.setInt32(at[row]!, -1);
  at[row]! += 4;
  return true;
}

const view = (vector: RawVector) => new DataView(vector.data.buffer, vector.data.byteOffset, vector.data.byteLength);

/** A column of fixed width: one cast, and a loop that writes `bytes` per value. */
function fixedWidth(duckdbType: string, bytes: number, writeValue: (values: DataView, row: number, out: DataView, pos: number) => void): ColumnEncoder {
  return {
    select: (column) => [`CAST(${column} AS ${duckdbType})`],
    size: (vectors, row) => (isNull(vectors[0]!, row) ? -1 : bytes),
    write(vectors, rows, out, at) {
      const vector = vectors[0]!;
      const values = view(vector);
      for (let row = 0; row < rows; row += 1) {
        if (writtenNull(vector, row, out, at)) continue;
        const pos = at[row]!;
        out.setInt32(pos, bytes);
        writeValue(values, row, out, pos + 4);
        at[row] = pos + 4 + bytes;
      }
    },
  };
}

/** PostgreSQL counts days from 2000-01-01, DuckDB from 1970-01-01; both keep +-infinity at the ends of int32. */
const PG_EPOCH_DAYS = 10_957;
const DUCKDB_DATE_INFINITY = 2_147_483_647;

/**
 * Text leaves DuckDB as its first 24 bytes in two 12-byte BLOB pieces, which DuckDB keeps inline in the
 * chunk, plus the whole value only when it is longer: each value DuckDB keeps behind a pointer costs a
 * native call to fetch, which for short text is most of the encoding time.
 */
const TEXT_PIECES = 2;
const PIECE_BYTES = 12;

const text: ColumnEncoder = {
  select: (column) => [
    ...Array.from({ length: TEXT_PIECES }, (_, i) => `encode(CAST(${column} AS VARCHAR))[${i * PIECE_BYTES + 1}:${(i + 1) * PIECE_BYTES}]`),
    `CASE WHEN strlen(CAST(${column} AS VARCHAR)) > ${TEXT_PIECES * PIECE_BYTES} THEN CAST(${column} AS VARCHAR) END`,
  ],
  size(vectors, row) {
    if (isNull(vectors[0]!, row)) return -1;
    const whole = vectors[TEXT_PIECES]!;
    if (!isNull(whole, row)) return rawStringLength(whole, row);
    let length = 0;
    for (let i = 0; i < TEXT_PIECES; i += 1) length += rawStringLength(vectors[i]!, row);
    return length;
  },
  write(vectors, rows, out, at) {
    const bytes = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    const whole = vectors[TEXT_PIECES]!;
    for (let row = 0; row < rows; row += 1) {
      if (writtenNull(vectors[0]!, row, out, at)) continue;
      const pos = at[row]!;
      let length = 0;
      if (!isNull(whole, row)) length = copyRawString(whole, row, bytes, pos + 4);
      else for (let i = 0; i < TEXT_PIECES; i += 1) length += copyRawString(vectors[i]!, row, bytes, pos + 4 + length);
      out.setInt32(pos, length);
      at[row] = pos + 4 + length;
    }
  },
};

const ENCODERS: Readonly<Record<ColumnType, ColumnEncoder>> = {
  int: fixedWidth('BIGINT', 8, (values, row, out, pos) => {
    out.setUint32(pos, values.getUint32(row * 8 + 4, true));
    out.setUint32(pos + 4, values.getUint32(row * 8, true));
  }),
  float: fixedWidth('DOUBLE', 8, (values, row, out, pos) => out.setFloat64(pos, values.getFloat64(row * 8, true))),
  date: fixedWidth('DATE', 4, (values, row, out, pos) => {
    const days = values.getInt32(row * 4, true);
    out.setInt32(pos, days === DUCKDB_DATE_INFINITY ? days : days === -DUCKDB_DATE_INFINITY ? days - 1 : days - PG_EPOCH_DAYS);
  }),
  bool: fixedWidth('BOOLEAN', 1, (values, row, out, pos) => out.setUint8(pos, values.getUint8(row))),
  str: text,
};
