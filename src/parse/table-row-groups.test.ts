import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ColumnValues } from '../parquet/parquet-columns.js';
import { parseDataTable, type TableColumn } from './data-table.js';
import { TableRowGroups } from './table-row-groups.js';

const COLUMNS: TableColumn[] = [
  { sourceIndex: 0, type: 'float' },
  { sourceIndex: 1, type: 'str' },
  { sourceIndex: 2, type: 'int' },
  { sourceIndex: 5, type: 'float' }, // not in the file: all null
];

function parsed(text: string, firstLine: number) {
  const result = parseDataTable(Buffer.from(text), { start: 0, firstLine, fieldCount: 3, columns: COLUMNS, zone: 'UTC' });
  assert.ok(result.ok);
  return result.table;
}

describe('TableRowGroups', () => {
  it('hands on row groups of at most its size that hold the pieces\' rows in order, as one table would', () => {
    // Pieces whose float column is all nan (the parser makes it a null constant), at the start of a group and
    // after rows with numbers in the group before; text and whole numbers with nulls and misfits.
    const pieces = ['nan,a,1\nnan,b,2\n', 'nan,c,x\n1.5,d,4\n2.5,,5\n', '0.5,e,8\n', 'nan,f,6\nnan,g,7\n', '3.5,h,y\n', '8.5,i,9\n'];
    const whole = parsed(pieces.join(''), 10);
    const groups: { rows: number; columns: ColumnValues[] }[] = [];
    const gather = new TableRowGroups(COLUMNS, 3, (columns, rows) => {
      // The arrays are reused for the next group: copy what is kept.
      groups.push({ rows, columns: columns.map((c) => structuredClone(c)) });
    });
    let line = 10;
    for (const piece of pieces) {
      gather.add(parsed(piece, line));
      line += piece.split('\n').length - 1;
    }
    const done = gather.finish();
    assert.deepEqual(groups.map((g) => g.rows), [3, 3, 3, 1]);
    assert.equal(done.rows, whole.rows);
    assert.equal(done.rowGroups, 4);
    assert.deepEqual(done.misfits, whole.misfits);
    // Each group's columns are what the parser builds for the same rows read at once.
    let start = 0;
    for (const group of groups) {
      const lines = pieces.join('').split('\n').slice(start, start + group.rows).join('\n');
      assert.deepEqual(group.columns, parsed(lines, 10 + start).columns, `rows ${start}..${start + group.rows - 1}`);
      start += group.rows;
    }
  });
});
