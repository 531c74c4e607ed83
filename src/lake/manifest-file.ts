// A new lake's manifest, encoded from its rows in JS with strata's Parquet encoder: the first merge of a lake
// needs no database (loading DuckDB, and merging through it, would be a large share of a small first run's CPU).
// The file has the columns, types and row order DuckDB's merge writes (manifest-store.ts), so either one reads
// and merges the other.
import type { ColumnValues, ParquetColumn } from '../parquet/parquet-columns.js';
import { encodeParquet } from '../parquet/encode-parquet.js';
import { compareUtf8 } from '../parquet/column-chunk.js';
import type { ManifestColumn } from './manifest-columns.js';
import type { ManifestRow } from './manifest-row.js';

/** The manifest's row order (as DuckDB's ORDER BY writes it: ascending, nulls last, text by its UTF-8 bytes). */
const ORDER = ['chip_group', 'chip_number', 'start_time_utc', 'file_idx', 'run_id'] as const;

/**
 * A new lake's manifest as its first run records it: each run's values are taken by column when it is recorded
 * (while the main thread waits on the workers), so that a merge only sorts and encodes. Reading every row's
 * values by name at each merge was half of a merge's time, and the workers waited for it.
 */
export class GrowingManifest {
  private readonly values: unknown[][];

  constructor(private readonly columns: readonly ManifestColumn[]) {
    this.values = columns.map(() => []);
  }

  /** Runs added so far. */
  get size(): number {
    return this.values[0]?.length ?? 0;
  }

  /** Adds a validated manifest row. */
  add(row: ManifestRow | Readonly<Record<string, unknown>>): void {
    for (let c = 0; c < this.columns.length; c++) this.values[c]!.push(row[this.columns[c]!.name] ?? null);
  }

  /** Adds the first `count` runs of `other`, by column name (a column `other` does not hold is null). */
  addRuns(other: GrowingManifest, count: number): void {
    const theirs = new Map(other.columns.map((c, i) => [c.name, other.values[i]!]));
    this.columns.forEach((c, i) => {
      const from = theirs.get(c.name);
      const into = this.values[i]!;
      for (let r = 0; r < count; r++) into.push(from?.[r] ?? null);
    });
  }

  /**
   * The bytes of a manifest file of the first `count` runs added, in the manifest's row order, with `columns` (by
   * default those it was made with; a column it does not hold is all null).
   */
  encode(count: number, columns: readonly ManifestColumn[] = this.columns): Buffer {
    const keys = ORDER.map((name) => this.values[this.columns.findIndex((c) => c.name === name)] ?? []);
    const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => {
      for (const key of keys) {
        const by = compareValues(key[a] ?? null, key[b] ?? null);
        if (by !== 0) return by;
      }
      return 0;
    });
    const held = new Map(this.columns.map((c, i) => [c.name, this.values[i]!]));
    const parquet = columns.map((c): ParquetColumn => ({ name: c.name, values: columnValues(held.get(c.name) ?? [], order, c) }));
    return encodeParquet(parquet, count);
  }
}

/** One column's values in `order` (indices into `all`), typed as the manifest stores it. */
function columnValues(all: readonly unknown[], order: readonly number[], column: ManifestColumn): ColumnValues {
  const n = order.length;
  const value = (i: number) => all[order[i]!] ?? null;
  if (column.sqlType === 'VARCHAR') return { kind: 'utf8', values: order.map((_, i) => { const v = value(i); return v === null ? null : String(v); }) };
  const valid = new Uint8Array(n);
  const mark = (i: number) => {
    const v = value(i);
    if (v !== null) valid[i] = 1;
    return v;
  };
  if (column.sqlType === 'DOUBLE') {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = Number(mark(i) ?? 0);
    return { kind: 'double', values, valid };
  }
  if (column.sqlType === 'BOOLEAN') {
    const values = new Uint8Array(n);
    for (let i = 0; i < n; i++) values[i] = mark(i) === true ? 1 : 0;
    return { kind: 'boolean', values, valid };
  }
  const values = new BigInt64Array(n);
  if (column.sqlType === 'BIGINT') {
    for (let i = 0; i < n; i++) values[i] = BigInt((mark(i) as number | bigint | null) ?? 0);
    return { kind: 'int64', values, valid };
  }
  for (let i = 0; i < n; i++) {
    // A Date as JS makes it, or microseconds as a manifest read back gives them (exact, where a Date keeps ms).
    const v = mark(i) as Date | bigint | null;
    values[i] = v === null ? 0n : typeof v === 'bigint' ? v : BigInt(v.getTime()) * 1000n;
  }
  return { kind: 'timestamp', values, valid };
}

function compareValues(a: unknown, b: unknown): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a === 'string' && typeof b === 'string') return compareUtf8(a, b);
  const x = a instanceof Date ? a.getTime() * 1000 : Number(a); // a timestamp read back is microseconds
  const y = b instanceof Date ? b.getTime() * 1000 : Number(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
