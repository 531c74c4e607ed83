// Cleaning and casting landed text to a dataset's column types; a problem is a value (row, column, reason), not a throw.
import { isCalendarDate } from '../time/calendar-date.js';
import type { ColumnType, DatasetRule } from './dataset-rules.js';
import { isLandedNull, isOutOfDoubleRange, wholeNumber, yesNo } from '../parse/cell-words.js';

export interface RowIssue {
  readonly row: number;
  readonly column: string;
  readonly value: string;
  readonly reason: string;
}

/** A cell cast to its type, written back as canonical text (DuckDB casts it when writing Parquet). */
type Cast = { readonly ok: true; readonly text: string | null } | { readonly ok: false; readonly reason: string };

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

const CASTS: Readonly<Record<ColumnType, (text: string) => Cast>> = {
  str: (text) => ({ ok: true, text }),
  int(text) {
    const whole = wholeNumber(text);
    if (whole.ok) return { ok: true, text: whole.value.toString() };
    return { ok: false, reason: whole.outOfRange ? 'whole number out of the 64-bit range' : 'expected a whole number' };
  },
  float(text) {
    // Number() alone would also read 0x1A, 0b11 and 0o17 as numbers.
    const value = DECIMAL.test(text) ? Number(text) : NaN;
    if (isOutOfDoubleRange(text, value)) return { ok: false, reason: 'number out of the 64-bit float range' };
    return Number.isFinite(value) ? { ok: true, text: String(value) } : { ok: false, reason: 'expected a number' };
  },
  date(text) {
    return isCalendarDate(text) ? { ok: true, text } : { ok: false, reason: 'expected a calendar date as YYYY-MM-DD' };
  },
  bool(text) {
    const value = yesNo(text);
    return value === undefined ? { ok: false, reason: 'expected true/false, yes/no or 1/0' } : { ok: true, text: String(value) };
  },
};

/** Casts the declared columns of one row: the cleaned cells (declared column order) or the row's issues. */
export type CastRow = { readonly ok: true; readonly cells: (string | null)[] } | { readonly ok: false; readonly issues: RowIssue[] };
export type RowCaster = (row: number, cells: readonly string[]) => CastRow;

export function rowCaster(dataset: DatasetRule, headers: readonly string[]): RowCaster {
  const plan = dataset.columns.map((column) => ({ column, index: headers.indexOf(column.name), cast: CASTS[column.type] }));
  const keyed = new Set(dataset.primaryKey);
  const keyIndexes = dataset.primaryKey.map((name) => plan.findIndex((p) => p.column.name === name));
  const keysSeen = new Map<string, number>();
  return (row, cells) => {
    if (cells.length > headers.length) {
      return { ok: false, issues: [{ row, column: '', value: '', reason: `the row has ${cells.length} cells, the header ${headers.length}` }] };
    }
    const issues: RowIssue[] = [];
    const out: (string | null)[] = [];
    for (const { column, index, cast } of plan) {
      const raw = index < 0 ? '' : (cells[index] ?? '');
      const text = column.type === 'str' ? raw : raw.trim();
      const result: Cast = isLandedNull(text) ? { ok: true, text: null } : cast(text);
      if (!result.ok) issues.push({ row, column: column.name, value: raw, reason: result.reason });
      else if (result.text === null && keyed.has(column.name)) issues.push({ row, column: column.name, value: raw, reason: 'empty, but part of the primary key' });
      else out.push(result.text);
    }
    if (issues.length > 0) return { ok: false, issues };
    return duplicateKey(dataset, keyIndexes, out, row, keysSeen) ?? { ok: true, cells: out };
  };
}

function duplicateKey(
  dataset: DatasetRule,
  keyIndexes: readonly number[],
  out: readonly (string | null)[],
  row: number,
  seen: Map<string, number>,
): CastRow | null {
  if (keyIndexes.length === 0) return null;
  const key = JSON.stringify(keyIndexes.map((index) => out[index]));
  const first = seen.get(key);
  if (first === undefined) {
    seen.set(key, row);
    return null;
  }
  return { ok: false, issues: [{ row, column: dataset.primaryKey.join(','), value: key, reason: `repeats the primary key of row ${first}` }] };
}
