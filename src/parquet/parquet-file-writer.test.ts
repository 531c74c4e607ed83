import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { encodeParquet, ROW_GROUP_ROWS } from './encode-parquet.js';
import { openParquetFileWriter } from './parquet-file-writer.js';
import type { ColumnValues, ParquetColumn } from './parquet-columns.js';

/** Rows [from, to) of a column, as a row group's own column. */
function rowsOf(values: ColumnValues, from: number, to: number): ColumnValues {
  if (values.kind === 'constant') return values;
  if (values.kind === 'utf8') return { kind: 'utf8', values: values.values.slice(from, to) };
  const valid = values.valid === null ? null : values.valid.subarray(from, to);
  if (values.kind === 'double') return { kind: 'double', values: values.values.subarray(from, to), valid };
  if (values.kind === 'boolean') return { kind: 'boolean', values: values.values.subarray(from, to), valid };
  return { kind: values.kind, values: values.values.subarray(from, to), valid };
}

describe('openParquetFileWriter', () => {
  test('row groups written one after another make the file the whole-file encoder makes of all the rows', () => {
    const rows = ROW_GROUP_ROWS + 12_345;
    const d = new Float64Array(rows);
    const valid = new Uint8Array(rows);
    const s: (string | null)[] = [];
    for (let i = 0; i < rows; i++) {
      d[i] = Math.cos(i) * 10;
      valid[i] = i % 11 === 0 ? 0 : 1;
      s.push(i % 5 === 0 ? null : `v${i % 300}`);
    }
    const columns: ParquetColumn[] = [
      { name: 'd', values: { kind: 'double', values: d, valid }, fieldId: 1 },
      { name: 's', values: { kind: 'utf8', values: s }, fieldId: 2 },
      { name: 'run', values: { kind: 'constant', type: 'utf8', value: 'It' }, fieldId: 3 },
    ];
    const parts: Uint8Array[] = [];
    const writer = openParquetFileWriter((bytes) => parts.push(Uint8Array.from(bytes)));
    for (let from = 0; from < rows; from += ROW_GROUP_ROWS) {
      const to = Math.min(rows, from + ROW_GROUP_ROWS);
      writer.addRowGroup(columns.map((c) => ({ ...c, values: rowsOf(c.values, from, to) })), to - from);
    }
    assert.deepEqual(writer.finish(), { rows, rowGroups: 2 });
    assert.ok(Buffer.concat(parts).equals(encodeParquet(columns, rows)));
  });

  test('refuses a row group whose columns are not the first one\'s', () => {
    const writer = openParquetFileWriter(() => {});
    writer.addRowGroup([{ name: 'a', values: { kind: 'double', values: Float64Array.of(1), valid: null } }], 1);
    assert.throws(() => writer.addRowGroup([{ name: 'a', values: { kind: 'int64', values: BigInt64Array.of(1n), valid: null } }], 1), /columns of the file's first row group/);
  });
});
