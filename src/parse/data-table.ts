// Parses a run's data table (the rows after the column line) straight from its bytes into typed columns.
//
// Numbers are read without making a string per cell: digits become an integer mantissa and a power of ten, and
// when both are exact doubles (mantissa < 2^53, |power| <= 22) one IEEE multiplication or division gives the
// correctly rounded value, as Number() would (Clinger's fast path); anything else goes through Number() on the
// cell's text. Fields are split at one byte (a comma, or a tab). A table with a double quote anywhere goes through
// csv-parse instead (quoted fields, delimiters inside).
// A value that does not fit its column is null and counted, never a rejected run; a row with the wrong number of
// fields is the one thing that rejects the table, with its line number.
import { createRequire } from 'node:module';
import type * as CsvParse from 'csv-parse/sync';
import type { ColumnValues } from '../parquet/parquet-columns.js';
import { COMMA, delimiterWord, type Delimiter } from './table-delimiter.js';
import { FloatBuilder, newBuilders, type Builder, type FloatArena, type TableColumn } from './table-columns.js';
import { countLineFeeds } from './table-pieces.js';

export { PARQUET_TYPE_OF, parseNumber, type TableColumn } from './table-columns.js';

/** Values of one column that did not fit its type (or its range): how many, and the first one with its line. */
export interface CellMisfit {
  readonly column: number;
  readonly count: number;
  readonly line: number;
  readonly text: string;
}

export interface DataTable {
  readonly rows: number;
  /** The line feeds in the table's bytes: what a table read in pieces adds to the next piece's first line. */
  readonly lineFeeds: number;
  readonly columns: readonly ColumnValues[];
  readonly misfits: readonly CellMisfit[];
  /** Numbers of the column's kind that its type cannot hold (`1e400`, `1e-400`, a 20-digit whole number): null too. */
  readonly outOfRange: readonly CellMisfit[];
}

export type DataTableResult =
  | { readonly ok: true; readonly table: DataTable }
  | { readonly ok: false; readonly line: number; readonly message: string };

// csv-parse is loaded for the first quoted table (most instrument files have none), so a stage worker that meets
// none never pays for loading it.
const require = createRequire(import.meta.url);
let csvParse: typeof CsvParse | undefined;
const csv = () => (csvParse ??= require('csv-parse/sync') as typeof CsvParse);

const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const latin1 = (bytes: Uint8Array, from: number, to: number) => Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');

/** The byte offset where 1-based line `line` starts (the length of the bytes when there are fewer lines). */
export function lineOffset(bytes: Uint8Array, line: number): number {
  let offset = 0;
  for (let n = 1; n < line; n++) {
    const next = bytes.indexOf(LF, offset);
    if (next < 0) return bytes.length;
    offset = next + 1;
  }
  return offset;
}

/** Where a run's table is in its file's bytes, and what to make of it. */
export interface TableLayout {
  /** The byte offset of the table's first row. */
  readonly start: number;
  /** The 1-based line number of that row (for messages). */
  readonly firstLine: number;
  /** How many fields every row has (the column line's). */
  readonly fieldCount: number;
  /** The output columns, in order. */
  readonly columns: readonly TableColumn[];
  /** The zone of naive times in datetime columns. */
  readonly zone: string;
  /** The byte between fields; a comma when not given. */
  readonly delimiter?: Delimiter;
  /** Where the float columns' buffer comes from, when not a new allocation. */
  readonly arena?: FloatArena;
}

/** Reads the table `layout` describes into typed columns. */
export function parseDataTable(bytes: Uint8Array, layout: TableLayout): DataTableResult {
  const { start, firstLine, fieldCount, columns, zone } = layout;
  const delimiter = layout.delimiter ?? COMMA;
  if (bytes.indexOf(QUOTE, start) >= 0) return parseQuotedTable(bytes, layout);
  const lineFeeds = countLineFeeds(bytes, start, bytes.length);
  const builders = newBuilders(columns, lineFeeds + 1, layout.arena); // a last line may have no line feed
  // Packed arrays of one shape for every table (Array.from, not a holey `new Array(n)`): the optimized loop below
  // then never meets an array of another kind, which would throw its compiled code away mid-run.
  const feeds = Array.from({ length: fieldCount }, (): Builder | undefined => undefined);
  columns.forEach((c, i) => {
    if (c.sourceIndex >= 0 && c.sourceIndex < fieldCount) feeds[c.sourceIndex] = builders[i];
  });
  const floats = Array.from({ length: fieldCount }, (_, f): FloatBuilder | undefined => {
    const b = feeds[f];
    return b instanceof FloatBuilder ? b : undefined;
  });
  const length = bytes.length;
  let rows = 0;
  let line = firstLine;
  for (let pos = start; pos < length; line++) {
    const first = bytes[pos];
    if (first === LF || first === CR || ((first === 0x20 || first === 0x09) && isBlank(bytes, pos, lineEnd(bytes, pos)))) {
      pos = nextLine(bytes, pos);
      continue;
    }
    // One pass over the line: a number field is parsed as it is scanned, any other field scanned to its delimiter.
    let field = 0;
    let at = pos;
    for (;;) {
      let end: number;
      const float = floats[field];
      if (float !== undefined) end = readFloatCell(bytes, at, float, rows, line, delimiter);
      else {
        end = cellEnd(bytes, at, delimiter);
        feeds[field]?.add(bytes, at, end, rows, line, zone);
      }
      field++;
      if (end < length && bytes[end] === delimiter) {
        // The delimiter here starts one more field, and every delimiter after it one more again.
        if (field >= fieldCount) return wrongFieldCount(line, fieldCount, field + 1 + countDelimiters(bytes, end + 1, delimiter), delimiter);
        at = end + 1;
        continue;
      }
      if (field !== fieldCount) return wrongFieldCount(line, fieldCount, field, delimiter);
      pos = nextLine(bytes, end);
      break;
    }
    rows++;
  }
  return finish(builders, rows, lineFeeds);
}

/** Where the line starting at `pos` ends (its CR or LF, or the end of the bytes). */
function lineEnd(bytes: Uint8Array, pos: number): number {
  while (pos < bytes.length && bytes[pos] !== LF && bytes[pos] !== CR) pos++;
  return pos;
}

/** The start of the line after the one whose end (or any byte) is at `pos`. */
function nextLine(bytes: Uint8Array, pos: number): number {
  const lf = bytes.indexOf(LF, pos);
  return lf < 0 ? bytes.length : lf + 1;
}

/** How many delimiters there are from `pos` to the end of its line. */
function countDelimiters(bytes: Uint8Array, pos: number, delimiter: Delimiter): number {
  let n = 0;
  for (let end = lineEnd(bytes, pos); pos < end; pos++) if (bytes[pos] === delimiter) n++;
  return n;
}

function finish(builders: readonly Builder[], rows: number, lineFeeds: number): DataTableResult {
  const misfits: CellMisfit[] = [];
  const outOfRange: CellMisfit[] = [];
  builders.forEach((b, column) => {
    if (b.misfits) misfits.push({ column, count: b.misfits.count, line: b.misfits.line, text: b.misfits.text });
    if (b.outOfRange) outOfRange.push({ column, count: b.outOfRange.count, line: b.outOfRange.line, text: b.outOfRange.text });
  });
  return { ok: true, table: { rows, lineFeeds, columns: builders.map((b) => b.build(rows)), misfits, outOfRange } };
}

/** The robust path: csv-parse splits the fields (quotes, delimiters inside quotes), then each cell is cast as usual. */
function parseQuotedTable(bytes: Uint8Array, { start, firstLine, fieldCount, columns, zone, delimiter = COMMA }: TableLayout): DataTableResult {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = csv().parse(Buffer.from(bytes.buffer, bytes.byteOffset + start, bytes.length - start), {
      delimiter: String.fromCharCode(delimiter),
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    const lines = (error as { lines?: number }).lines;
    const as = delimiter === COMMA ? 'CSV' : `fields separated by ${delimiterWord(delimiter)}`;
    return { ok: false, line: firstLine + (lines ?? 1) - 1, message: `the table cannot be read as ${as}: ${(error as Error).message.split('\n')[0]}` };
  }
  const builders = newBuilders(columns, records.length);
  const encoder = new TextEncoder();
  let rows = 0;
  for (const { record, info } of records) {
    const line = firstLine + info.lines - 1;
    if (record.length === 1 && (record[0] ?? '').trim() === '') continue;
    if (record.length !== fieldCount) return wrongFieldCount(line, fieldCount, record.length, delimiter);
    columns.forEach((c, i) => {
      if (c.sourceIndex < 0) return;
      const cell = encoder.encode(record[c.sourceIndex] ?? '');
      builders[i]!.add(cell, 0, cell.length, rows, line, zone);
    });
    rows++;
  }
  return finish(builders, rows, countLineFeeds(bytes, start, bytes.length));
}

function wrongFieldCount(line: number, expected: number, found: number, delimiter: Delimiter): DataTableResult {
  return {
    ok: false,
    line,
    message: `line ${line}: expected ${expected} values separated by ${delimiterWord(delimiter)} but found ${found} (a truncated or malformed row)`,
  };
}

function isBlank(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const b = bytes[i]!;
    if (b !== 0x20 && b !== 0x09) return false;
  }
  return true;
}

/** The largest integer a double holds exactly: a mantissa up to it, times or over an exact power of ten, is exact. */
const MAX_EXACT = 2 ** 53;

/**
 * Reads the number cell starting at `at` into row `row` of `float` and returns where the cell ends (its delimiter,
 * CR or LF, or the end of the bytes). The common shapes (`-1.534432e-05`, `0.0`, `nan`) are read here, byte by
 * byte; anything else (spaces, inf, a word, 16 or more digits) goes to the builder's slow path with its text.
 */
function readFloatCell(bytes: Uint8Array, at: number, float: FloatBuilder, row: number, line: number, delimiter: Delimiter): number {
  let i = at;
  let c = bytes[i]!;
  if ((c | 0x20) === 0x6e && (bytes[i + 1]! | 0x20) === 0x61 && (bytes[i + 2]! | 0x20) === 0x6e && isDelimiter(bytes, i + 3, delimiter)) {
    float.nullAt(row); // nan, NaN, NAN: no reading
    return i + 3;
  }
  const negative = c === 0x2d;
  if (negative || c === 0x2b) c = bytes[++i]!;
  let mantissa = 0;
  const digitsAt = i;
  while (c >= 0x30 && c <= 0x39) {
    mantissa = mantissa * 10 + (c - 0x30);
    c = bytes[++i]!;
  }
  let digits = i - digitsAt;
  let exponent = 0;
  if (c === 0x2e) {
    c = bytes[++i]!;
    const fractionAt = i;
    while (c >= 0x30 && c <= 0x39) {
      mantissa = mantissa * 10 + (c - 0x30);
      c = bytes[++i]!;
    }
    digits += i - fractionAt;
    exponent = fractionAt - i;
  }
  if (digits > 0 && (c === 0x65 || c === 0x45)) {
    let j = i + 1;
    let d = bytes[j]!;
    const expNegative = d === 0x2d;
    if (expNegative || d === 0x2b) d = bytes[++j]!;
    const expAt = j;
    let e = 0;
    while (d >= 0x30 && d <= 0x39) {
      e = e * 10 + (d - 0x30);
      d = bytes[++j]!;
    }
    if (j === expAt) digits = 0; // '1e' is not a number
    exponent += expNegative ? -e : e;
    i = j;
    c = d;
  }
  if (digits > 0 && isDelimiter(bytes, i, delimiter)) {
    // Clinger's fast path: an exact mantissa and an exact power of ten, one correctly rounded operation.
    if (mantissa <= MAX_EXACT && exponent >= -22 && exponent <= 22) {
      const value = exponent < 0 ? mantissa / POW10[-exponent]! : mantissa * POW10[exponent]!;
      float.values[row] = negative ? -value : value;
    } else {
      // 16 or more digits (Python's repr of 0.1 + 0.2), or a power of ten past 22: Number() rounds it.
      const value = Number(latin1(bytes, at, i));
      if (value === Infinity || value === -Infinity || (value === 0 && mantissa !== 0)) {
        float.nullOutOfRange(bytes, at, i, row, line);
        return i;
      }
      float.values[row] = value;
    }
    float.valid[row] = 1;
    return i;
  }
  const end = cellEnd(bytes, i, delimiter);
  float.add(bytes, at, end, row, line);
  return end;
}

/** Whether a cell ends at `i`: the delimiter, CR or LF there, or the end of the bytes. */
function isDelimiter(bytes: Uint8Array, i: number, delimiter: Delimiter): boolean {
  return i >= bytes.length || bytes[i] === delimiter || bytes[i] === LF || bytes[i] === CR;
}

/** Where the cell that `i` is in ends (see isDelimiter). */
function cellEnd(bytes: Uint8Array, i: number, delimiter: Delimiter): number {
  while (!isDelimiter(bytes, i, delimiter)) i++;
  return i;
}
