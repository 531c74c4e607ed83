// Gathers the typed columns of a table read in pieces (parseDataTable on each run of whole lines) into row groups
// of a fixed number of rows, handing each full group on as it fills: a table of any length is held one row group
// (and one piece) at a time. Each group's columns are what parseDataTable would have built for those rows, so the
// Parquet written from them is the same.
import type { ColumnValues, ParquetType } from '../parquet/parquet-columns.js';
import { PARQUET_TYPE_OF, type CellMisfit, type DataTable, type TableColumn } from './data-table.js';

/** Receives a full row group; its typed arrays are reused for the next group, so it must be consumed at once. */
export type RowGroupSink = (columns: readonly ColumnValues[], rows: number) => void;

export interface GatheredTable {
  readonly rows: number;
  readonly rowGroups: number;
  readonly misfits: readonly CellMisfit[];
  readonly outOfRange: readonly CellMisfit[];
}

type Slot =
  | { readonly kind: 'absent'; readonly type: ParquetType }
  | { readonly kind: 'text'; values: (string | null)[] }
  | {
      readonly kind: 'double' | 'int64' | 'timestamp' | 'boolean';
      readonly values: Float64Array | BigInt64Array | Uint8Array;
      readonly valid: Uint8Array;
      nulls: number;
    };

export class TableRowGroups {
  private readonly slots: Slot[];
  private filled = 0;
  private rows = 0;
  private groups = 0;
  private readonly misfits = new Map<number, CellMisfit>();
  private readonly outOfRange = new Map<number, CellMisfit>();

  constructor(columns: readonly TableColumn[], private readonly groupRows: number, private readonly sink: RowGroupSink) {
    if (!Number.isInteger(groupRows) || groupRows < 1) throw new Error(`a row group holds a whole number of rows >= 1, got ${groupRows}`);
    this.slots = columns.map((c) => newSlot(c, groupRows));
  }

  /** Appends a piece's rows (in file order), handing on each row group it fills. */
  add(table: DataTable): void {
    mergeTallies(this.misfits, table.misfits);
    mergeTallies(this.outOfRange, table.outOfRange);
    for (let from = 0; from < table.rows; ) {
      const take = Math.min(table.rows - from, this.groupRows - this.filled);
      this.slots.forEach((slot, i) => append(slot, table.columns[i]!, from, take, this.filled));
      from += take;
      this.filled += take;
      if (this.filled === this.groupRows) this.flush();
    }
  }

  /** Hands on the last, partial row group; the table's row count and its cells that did not fit. */
  finish(): GatheredTable {
    if (this.filled > 0) this.flush();
    const sorted = (tallies: Map<number, CellMisfit>) => [...tallies.values()].sort((a, b) => a.column - b.column);
    return { rows: this.rows, rowGroups: this.groups, misfits: sorted(this.misfits), outOfRange: sorted(this.outOfRange) };
  }

  private flush(): void {
    const rows = this.filled;
    this.sink(this.slots.map((slot) => build(slot, rows)), rows);
    this.rows += rows;
    this.groups++;
    this.filled = 0;
    for (const slot of this.slots) {
      if (slot.kind === 'text') slot.values = [];
      else if (slot.kind !== 'absent') slot.nulls = 0;
    }
  }
}

function newSlot(column: TableColumn, capacity: number): Slot {
  const type = PARQUET_TYPE_OF[column.type];
  if (column.sourceIndex < 0) return { kind: 'absent', type };
  if (type === 'utf8') return { kind: 'text', values: [] };
  const values = type === 'double' ? new Float64Array(capacity) : type === 'boolean' ? new Uint8Array(capacity) : new BigInt64Array(capacity);
  return { kind: type, values, valid: new Uint8Array(capacity), nulls: 0 };
}

/** Copies rows [from, from + count) of a piece's column to rows [at, at + count) of the group's. */
function append(slot: Slot, part: ColumnValues, from: number, count: number, at: number): void {
  if (slot.kind === 'absent') return;
  if (part.kind === 'constant') {
    // A piece whose cells were all null (parseDataTable makes such a float column a null constant).
    if (part.value !== null) throw new Error('a table piece gave a column of one value, which the parser never makes');
    if (slot.kind === 'text') for (let i = 0; i < count; i++) slot.values.push(null);
    else {
      // Zeros, values too: the rows then hold what the parser's builders hold for null cells.
      slot.valid.fill(0, at, at + count);
      if (slot.values instanceof BigInt64Array) slot.values.fill(0n, at, at + count);
      else slot.values.fill(0, at, at + count);
      slot.nulls += count;
    }
    return;
  }
  if (slot.kind === 'text') {
    if (part.kind !== 'utf8') throw new Error(`a text column got ${part.kind} values`);
    for (let i = from; i < from + count; i++) slot.values.push(part.values[i]!);
    return;
  }
  if (part.kind !== slot.kind) throw new Error(`a ${slot.kind} column got ${part.kind} values`);
  (slot.values as Float64Array).set((part.values as Float64Array).subarray(from, from + count), at);
  if (part.valid === null) {
    slot.valid.fill(1, at, at + count);
    return;
  }
  const valid = part.valid.subarray(from, from + count);
  slot.valid.set(valid, at);
  let present = 0;
  for (let i = 0; i < count; i++) present += valid[i]!;
  slot.nulls += count - present;
}

/** The group's column as parseDataTable's builders build it (table-columns.ts). */
function build(slot: Slot, rows: number): ColumnValues {
  if (slot.kind === 'absent') return { kind: 'constant', type: slot.type, value: null };
  if (slot.kind === 'text') return { kind: 'utf8', values: slot.values };
  if (slot.kind === 'double' && slot.nulls === rows) return { kind: 'constant', type: 'double', value: null };
  const valid = slot.nulls === 0 ? null : slot.valid.subarray(0, rows);
  if (slot.kind === 'double') return { kind: 'double', values: (slot.values as Float64Array).subarray(0, rows), valid };
  if (slot.kind === 'boolean') return { kind: 'boolean', values: (slot.values as Uint8Array).subarray(0, rows), valid };
  return { kind: slot.kind, values: (slot.values as BigInt64Array).subarray(0, rows), valid };
}

/** Counts add up; the first misfit (its line and text) is the earliest piece's. */
function mergeTallies(into: Map<number, CellMisfit>, tallies: readonly CellMisfit[]): void {
  for (const t of tallies) {
    const known = into.get(t.column);
    into.set(t.column, known === undefined ? t : { ...known, count: known.count + t.count });
  }
}
