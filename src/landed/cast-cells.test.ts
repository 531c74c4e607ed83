import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rowCaster } from './cast-cells.js';
import { parseDatasetRules } from './dataset-rules.js';

const [dataset] = parseDatasetRules(
  {
    datasets: {
      people: {
        file_pattern: '^people_(?<period>\\d{4})\\.csv$',
        table: 'people',
        required_headers: ['id'],
        columns: { id: 'int', name: 'str', born: 'date', score: 'float', active: 'bool' },
        primary_key: ['id'],
      },
    },
  },
  'datasets.yml',
).datasets;

describe('casting landed cells', () => {
  const headers = ['id', 'name', 'born', 'score', 'active'];

  it('turns text into canonical values, empty cells into nulls, and keeps strings as they are', () => {
    const cast = rowCaster(dataset!, headers);
    assert.deepEqual(cast(2, [' 007 ', ' Ana ', '2000-02-29', '1.50', 'Yes']), { ok: true, cells: ['7', ' Ana ', '2000-02-29', '1.5', 'true'] });
    assert.deepEqual(cast(3, ['8', '', '', '', '']), { ok: true, cells: ['8', null, null, null, null] });
  });

  it('reports every bad cell of a row with its row number, column and reason', () => {
    const cast = rowCaster(dataset!, headers);
    assert.deepEqual(cast(4, ['1.5', 'x', '2001-02-29', 'abc', 'maybe']), {
      ok: false,
      issues: [
        { row: 4, column: 'id', value: '1.5', reason: 'expected a whole number' },
        { row: 4, column: 'born', value: '2001-02-29', reason: 'expected a calendar date as YYYY-MM-DD' },
        { row: 4, column: 'score', value: 'abc', reason: 'expected a number' },
        { row: 4, column: 'active', value: 'maybe', reason: 'expected true/false, yes/no or 1/0' },
      ],
    });
  });

  it('refuses an empty or repeated primary key and a row longer than the header', () => {
    const cast = rowCaster(dataset!, headers);
    assert.equal(cast(2, ['1', 'a', '', '', '']).ok, true);
    assert.deepEqual(cast(3, ['1', 'b', '', '', '']), { ok: false, issues: [{ row: 3, column: 'id', value: '["1"]', reason: 'repeats the primary key of row 2' }] });
    assert.match(JSON.stringify(cast(4, ['', 'c', '', '', ''])), /empty, but part of the primary key/);
    assert.match(JSON.stringify(cast(5, ['9', 'c', '', '', '', 'extra'])), /the row has 6 cells, the header 5/);
  });

  it('reads a float only as a decimal number: hex, binary and octal are bad cells, not 26, 3 and 15', () => {
    const cast = rowCaster(dataset!, headers);
    assert.deepEqual(cast(2, ['1', '', '', '-1.5e-3', '']), { ok: true, cells: ['1', null, null, '-0.0015', null] });
    assert.deepEqual(cast(3, ['2', '', '', '.5', '']), { ok: true, cells: ['2', null, null, '0.5', null] });
    for (const [row, text] of [[4, '0x1A'], [5, '0b11'], [6, '0o17'], [7, 'Infinity'], [8, '1e']] as const) {
      assert.deepEqual(cast(row, [String(row), '', '', text, '']), { ok: false, issues: [{ row, column: 'score', value: text, reason: 'expected a number' }] });
    }
  });
});
