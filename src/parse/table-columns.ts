// The typed columns of a raw table: a builder per column collects its cells as the table is read, casting each to
// the column's type, and counts the cells that do not fit (null, with the first one kept for the warning).
import type { ValueType } from '../schema/procedures-schema.js';
import type { ColumnValues } from '../parquet/parquet-columns.js';
import { parseInstant } from './header-value.js';
import { isNullWord, isOutOfDoubleRange, wholeNumber, yesNo } from './cell-words.js';

const latin1 = (bytes: Uint8Array, from: number, to: number) => Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');
const utf8 = (bytes: Uint8Array, from: number, to: number) => Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('utf8');

/** One output column: the source field that feeds it (-1: the file lacks it, all null) and its type. */
export interface TableColumn {
  readonly sourceIndex: number;
  readonly type: ValueType;
}

/** Collects one column's values as they are read. */
export interface Builder {
  /** Cells that are not of the column's type (made at the first one: most columns have none). */
  readonly misfits: Tally | undefined;
  /** Cells of the column's kind that its type cannot hold. */
  readonly outOfRange: Tally | undefined;
  add(bytes: Uint8Array, from: number, to: number, row: number, line: number, zone: string): void;
  build(rows: number): ColumnValues;
}

/**
 * Buffers for the float columns of one table after another (the pieces of a streamed file): a piece's buffer goes
 * to the thread that gathers its rows and comes back (`give`) to be parsed into again, where a new allocation for
 * each piece was a tenth of the parsing thread's time. A buffer is not zeroed again: every row of a float column
 * is written, its nulls too.
 */
export class FloatArena {
  private readonly spares: ArrayBuffer[] = [];
  /** A buffer of at least `bytes` bytes: a spare one when one is large enough. */
  take(bytes: number): ArrayBuffer {
    const at = this.spares.findIndex((b) => b.byteLength >= bytes);
    return at < 0 ? new ArrayBuffer(bytes) : this.spares.splice(at, 1)[0]!;
  }
  /** Takes back a buffer no table needs any more (a few are kept). */
  give(buffer: ArrayBuffer): void {
    if (this.spares.length < 8) this.spares.push(buffer);
  }
}

/**
 * A builder for each output column. The float columns' values and masks share one allocation (two typed arrays
 * per column were a noticeable part of parsing a small file's table), from `arena` when given.
 */
export function newBuilders(columns: readonly TableColumn[], capacity: number, arena?: FloatArena): Builder[] {
  const floats = columns.filter((c) => c.sourceIndex >= 0 && c.type === 'float').length;
  const shared = arena === undefined ? new ArrayBuffer(floats * capacity * 9) : arena.take(floats * capacity * 9);
  let taken = 0;
  return columns.map((c) => {
    if (c.sourceIndex < 0) return absentBuilder(c.type);
    if (c.type !== 'float') return newBuilder(c.type, capacity);
    const values = new Float64Array(shared, taken * capacity * 8, capacity);
    const valid = new Uint8Array(shared, floats * capacity * 8 + taken * capacity, capacity);
    taken++;
    return new FloatBuilder(values, valid);
  });
}

function newBuilder(type: Exclude<ValueType, 'float'>, capacity: number): Builder {
  if (type === 'int') return new ReadCells(INT_READER, capacity);
  if (type === 'bool') return new ReadCells(BOOL_READER, capacity);
  if (type === 'datetime') return new ReadCells(TIME_READER, capacity);
  return new TextBuilder(capacity);
}

/** The Parquet type a column of each YAML type is written as. */
export const PARQUET_TYPE_OF = { float: 'double', int: 'int64', str: 'utf8', bool: 'boolean', datetime: 'timestamp' } as const satisfies Record<ValueType, string>;

function absentBuilder(type: ValueType): Builder {
  return {
    misfits: undefined,
    outOfRange: undefined,
    add() {},
    build: () => ({ kind: 'constant', type: PARQUET_TYPE_OF[type], value: null }),
  };
}

/** Cells of one column with one kind of problem: how many, and the first one (its text and line). */
export class Tally {
  count = 0;
  line = 0;
  text = '';
  add(bytes: Uint8Array, from: number, to: number, line: number): void {
    if (this.count++ === 0) {
      this.line = line;
      this.text = utf8(bytes, from, to).trim();
    }
  }
}

/** A builder's tallies of the cells it stored as null because they did not fit. */
abstract class Misfits {
  misfits: Tally | undefined = undefined;
  outOfRange: Tally | undefined = undefined;
  protected noteMisfit(bytes: Uint8Array, from: number, to: number, line: number): void {
    (this.misfits ??= new Tally()).add(bytes, from, to, line);
  }
  protected noteOutOfRange(bytes: Uint8Array, from: number, to: number, line: number): void {
    (this.outOfRange ??= new Tally()).add(bytes, from, to, line);
  }
}

/** Trims spaces and tabs: [from, to) of the cell's bytes. */
function trimmed(bytes: Uint8Array, from: number, to: number): [number, number] {
  while (from < to && (bytes[from] === 0x20 || bytes[from] === 0x09)) from++;
  while (to > from && (bytes[to - 1] === 0x20 || bytes[to - 1] === 0x09)) to--;
  return [from, to];
}

/** Whether a trimmed cell says "no value" as an instrument file says it (cell-words' isNullWord), in any column. */
function isNullText(bytes: Uint8Array, from: number, to: number): boolean {
  if (from === to || isNan(bytes, from, to)) return true;
  return to - from <= 6 && isNullWord(latin1(bytes, from, to));
}

/** nan, NaN, NAN, -nan, +nan: what instruments and Python write for "no reading", checked byte by byte (the common case). */
function isNan(bytes: Uint8Array, from: number, to: number): boolean {
  if (to - from === 4 && (bytes[from] === 0x2d || bytes[from] === 0x2b)) from++;
  return to - from === 3 && (bytes[from]! | 0x20) === 0x6e && (bytes[from + 1]! | 0x20) === 0x61 && (bytes[from + 2]! | 0x20) === 0x6e;
}

/**
 * The number in bytes [from, to), or NaN when the text is not a decimal number (hex, words and the like are not
 * numbers; inf and infinity are).
 */
export function parseNumber(bytes: Uint8Array, from: number, to: number): number {
  return from === to || isNan(bytes, from, to) ? NaN : slowNumber(bytes, from, to);
}

function slowNumber(bytes: Uint8Array, from: number, to: number): number {
  const text = latin1(bytes, from, to);
  if (/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) return Number(text);
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  return NaN;
}

export class FloatBuilder extends Misfits implements Builder {
  nulls = 0;
  /** `values` and `valid` hold a row each, up to the table's line count; every row of both is written. */
  constructor(readonly values: Float64Array, readonly valid: Uint8Array) {
    super();
  }
  /** A cell off readFloatCell's path, or from the quoted-table path: [from, to) of its bytes. */
  add(bytes: Uint8Array, from: number, to: number, row: number, line: number): void {
    [from, to] = trimmed(bytes, from, to);
    const value = parseNumber(bytes, from, to);
    if (value === value) {
      if ((value === 0 || value === Infinity || value === -Infinity) && isOutOfDoubleRange(latin1(bytes, from, to), value)) {
        this.nullOutOfRange(bytes, from, to, row, line);
        return;
      }
      this.values[row] = value;
      this.valid[row] = 1;
      return;
    }
    this.nullAt(row);
    if (!isNullText(bytes, from, to)) this.noteMisfit(bytes, from, to, line);
  }
  /** A null in row `row`: its value and mask are written, as every row's is (the arrays may hold an earlier table's). */
  nullAt(row: number): void {
    this.values[row] = 0;
    this.valid[row] = 0;
    this.nulls++;
  }
  /** A decimal number no double holds (`1e400`, `1e-400`): null, and counted apart from the misfits. */
  nullOutOfRange(bytes: Uint8Array, from: number, to: number, row: number, line: number): void {
    this.nullAt(row);
    this.noteOutOfRange(bytes, from, to, line);
  }
  build(rows: number): ColumnValues {
    // A sensor that gave no reading (every cell nan): a null constant, O(1) to write, not a mask of zeros.
    if (this.nulls === rows && rows > 0) return { kind: 'constant', type: 'double', value: null };
    return { kind: 'double', values: this.values.subarray(0, rows), valid: this.nulls === 0 ? null : this.valid.subarray(0, rows) };
  }
}

/** What a reader gives for a value of its column's kind that the column's type cannot hold (a 20-digit number). */
const OUT_OF_RANGE = Symbol('out of range');

/**
 * How a cell of a whole-number, yes/no or time column is read: its value, undefined when it does not fit, or
 * OUT_OF_RANGE.
 */
interface CellReader<T extends bigint | number> {
  readonly kind: 'int64' | 'boolean' | 'timestamp';
  readonly make: (capacity: number) => T extends bigint ? BigInt64Array : Uint8Array;
  readonly read: (bytes: Uint8Array, from: number, to: number, zone: string) => T | undefined | typeof OUT_OF_RANGE;
}

const INT_READER: CellReader<bigint> = {
  kind: 'int64',
  make: (n) => new BigInt64Array(n),
  read: (bytes, from, to) => {
    const whole = wholeNumber(latin1(bytes, from, to));
    return whole.ok ? whole.value : whole.outOfRange ? OUT_OF_RANGE : undefined;
  },
};
const BOOL_READER: CellReader<number> = {
  kind: 'boolean',
  make: (n) => new Uint8Array(n),
  read: (bytes, from, to) => {
    const word = yesNo(utf8(bytes, from, to));
    return word === undefined ? undefined : word ? 1 : 0;
  },
};
const TIME_READER: CellReader<bigint> = {
  kind: 'timestamp',
  make: (n) => new BigInt64Array(n),
  read: (bytes, from, to, zone) => {
    const instant = isNullText(bytes, from, to) ? null : parseInstant(utf8(bytes, from, to), zone);
    return instant ? BigInt(instant.getTime()) * 1000n : undefined;
  },
};

/** A column read cell by cell through its reader (the columns that are rare in instrument tables). */
class ReadCells<T extends bigint | number> extends Misfits implements Builder {
  private values: BigInt64Array | Uint8Array;
  private valid: Uint8Array;
  private nulls = 0;
  constructor(
    private readonly reader: CellReader<T>,
    capacity: number,
  ) {
    super();
    this.values = reader.make(capacity);
    this.valid = new Uint8Array(capacity);
  }
  add(bytes: Uint8Array, from: number, to: number, row: number, line: number, zone: string): void {
    [from, to] = trimmed(bytes, from, to);
    const value = this.reader.read(bytes, from, to, zone);
    if (value === OUT_OF_RANGE) {
      this.nulls++;
      this.noteOutOfRange(bytes, from, to, line);
      return;
    }
    if (value !== undefined) {
      this.values[row] = value as never;
      this.valid[row] = 1;
      return;
    }
    this.nulls++;
    if (!isNullText(bytes, from, to)) this.noteMisfit(bytes, from, to, line);
  }
  build(rows: number): ColumnValues {
    const valid = this.nulls === 0 ? null : this.valid.subarray(0, rows);
    const values = this.values.subarray(0, rows);
    return this.reader.kind === 'boolean'
      ? { kind: 'boolean', values: values as Uint8Array, valid }
      : { kind: this.reader.kind, values: values as BigInt64Array, valid };
  }
}

class TextBuilder extends Misfits implements Builder {
  private values: (string | null)[];
  constructor(capacity: number) {
    super();
    this.values = new Array<string | null>(capacity).fill(null);
  }
  add(bytes: Uint8Array, from: number, to: number, row: number): void {
    [from, to] = trimmed(bytes, from, to);
    this.values[row] = isNullText(bytes, from, to) ? null : utf8(bytes, from, to);
  }
  build(rows: number): ColumnValues {
    this.values.length = rows;
    return { kind: 'utf8', values: this.values };
  }
}
