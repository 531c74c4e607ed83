// What the Parquet encoder was given, as every reader of its files must give it back: the written file, each
// row's value, and the failure that names the reader, column and row where one differs.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeParquet } from '../../src/parquet/encode-parquet.js';
import type { ColumnValues, EncodeOptions, ParquetColumn } from '../../src/parquet/parquet-columns.js';
import { tempDir } from './temp-dir.js';

/** A value as a reader gives it: DOUBLE a number, INT64 and TIMESTAMP (micros) a bigint, BOOLEAN, text, or null. */
export type Value = number | bigint | boolean | string | null;

/** One cell as the Python readers' JSON carries it: numbers as text ('NaN', '-0', 'Infinity'), integers and micros as text. */
export type Cell = string | boolean | null;

export function cell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  return String(value);
}

let file = 0;
export function writeParquet(columns: readonly ParquetColumn[], rows: number, options?: EncodeOptions): string {
  const target = path.join(tempDir('strata-parquet-'), `f${file++}.parquet`);
  writeFileSync(target, encodeParquet(columns, rows, options));
  return target;
}

/** Row `i` of a column as the encoder was given it. */
export function expectedValue(values: ColumnValues, i: number): Value {
  switch (values.kind) {
    case 'constant': {
      const v = values.value;
      if (v === null) return null;
      if (values.type === 'int64' || values.type === 'timestamp') return BigInt(v as number | bigint);
      if (values.type === 'double') return Number(v);
      if (values.type === 'boolean') return v === true || v === 1;
      return String(v);
    }
    case 'utf8': return values.values[i] ?? null;
    case 'boolean': return values.valid !== null && values.valid[i] === 0 ? null : values.values[i] !== 0;
    default: return values.valid !== null && values.valid[i] === 0 ? null : values.values[i]!;
  }
}

/** What the encoder was given, row by row, as cells (for the Python readers' JSON). */
export function expectedColumns(columns: readonly ParquetColumn[], rows: number): Cell[][] {
  return columns.map(({ values }) => Array.from({ length: rows }, (_, i) => cell(expectedValue(values, i))));
}

/** Numbers by Object.is: NaN is NaN, and -0 is not 0 (a sign bit lost is a wrong byte). */
export function sameValue(a: Value, b: Value): boolean {
  return typeof a === 'number' && typeof b === 'number' ? Object.is(a, b) : a === b;
}

function show(value: Value): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value === 'bigint' ? `${value}n` : Object.is(value, -0) ? '-0' : String(value);
}

/** Fails naming the reader, the column, the row, what it read and what was written. */
export function differs(reader: string, column: ParquetColumn, row: number, got: Value): never {
  assert.fail(`${reader}: column "${column.name}" row ${row} is ${show(got)}, ${show(expectedValue(column.values, row))} written`);
}
