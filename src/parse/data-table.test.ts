import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lineOffset, parseDataTable, parseNumber, type TableColumn } from './data-table.js';
import { TAB } from './table-delimiter.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');
const table = (text: string, columns: TableColumn[], fields = columns.length) => {
  const b = bytes(text);
  return parseDataTable(b, { start: 0, firstLine: 10, fieldCount: fields, columns, zone: 'America/Santiago' });
};

describe('parseNumber', () => {
  it('gives exactly what Number() gives, on the fast path and off it', () => {
    const texts = ['0', '0.0', '-0.0', '7.23624e-06', '1757019355.7333555', '-1.5', '+2', '.5', '5.', '1e22', '1e23', '123456789012345678',
      '0.1', '2.220446049250313e-16', '1.7976931348623157e308', '4.9e-324', '-3.4E+2', '00012.50'];
    for (const text of texts) assert.ok(Object.is(parseNumber(bytes(text), 0, text.length), Number(text)), text);
    // a random sample of the shapes instruments write
    for (let i = 0; i < 20_000; i++) {
      const value = (Math.random() - 0.5) * 10 ** Math.floor(Math.random() * 30 - 15);
      for (const text of [String(value), value.toExponential(5), value.toFixed(6)]) {
        assert.ok(Object.is(parseNumber(bytes(text), 0, text.length), Number(text)), text);
      }
    }
  });

  it('is NaN for what is not a decimal number, and reads inf', () => {
    for (const text of ['0x1A', 'abc', '1,5', '1e', '--1', '1.2.3', 'nan', '']) assert.ok(Number.isNaN(parseNumber(bytes(text), 0, text.length)), text);
    assert.equal(parseNumber(bytes('inf'), 0, 3), Infinity);
    assert.equal(parseNumber(bytes('-Infinity'), 0, 9), -Infinity);
  });
});

describe('parseDataTable', () => {
  it('reads numbers, nan as null, text, yes/no and CRLF lines into typed columns', () => {
    const result = table('0.0,1e-6,a,yes\r\n0.5,nan,,no\r\n\r\n1.0,2e-6,b c,1\r\n', [
      { sourceIndex: 0, type: 'float' },
      { sourceIndex: 1, type: 'float' },
      { sourceIndex: 2, type: 'str' },
      { sourceIndex: 3, type: 'bool' },
      { sourceIndex: -1, type: 'int' },
    ], 4);
    assert.ok(result.ok);
    const { rows, columns, misfits } = result.table;
    assert.equal(rows, 3);
    assert.deepEqual(misfits, []);
    const [t, i, s, b, absent] = columns;
    assert.ok(t?.kind === 'double' && t.valid === null);
    assert.deepEqual([...t.values], [0, 0.5, 1]);
    assert.ok(i?.kind === 'double' && i.valid !== null);
    assert.deepEqual([...i.valid], [1, 0, 1]);
    assert.ok(s?.kind === 'utf8');
    assert.deepEqual(s.values, ['a', null, 'b c']);
    assert.ok(b?.kind === 'boolean');
    assert.deepEqual([...b.values], [1, 0, 1]);
    assert.deepEqual(absent, { kind: 'constant', type: 'int64', value: null });
  });

  it('stores a value that does not fit its column as null, and says how many and where the first was', () => {
    const result = table('1\n2.5\nhigh\nlow\n', [{ sourceIndex: 0, type: 'float' }]);
    assert.ok(result.ok);
    assert.deepEqual(result.table.misfits, [{ column: 0, count: 2, line: 12, text: 'high' }]);
    const [column] = result.table.columns;
    assert.ok(column?.kind === 'double' && column.valid);
    assert.deepEqual([...column.valid], [1, 1, 0, 0]);
  });

  it('reads whole numbers and times, and stores what does not fit as null with its line', () => {
    const result = table('7,2025-10-13T10:00:00Z\n-3,2025-10-13T07:00:00\n1.5,soon\n', [
      { sourceIndex: 0, type: 'int' },
      { sourceIndex: 1, type: 'datetime' },
    ]);
    assert.ok(result.ok);
    const [n, t] = result.table.columns;
    assert.ok(n?.kind === 'int64' && n.valid && t?.kind === 'timestamp' && t.valid);
    assert.deepEqual([...n.values.subarray(0, 2)], [7n, -3n]);
    assert.deepEqual([...n.valid], [1, 1, 0]);
    // a naive time is local time in the zone (Santiago is UTC-3 in October)
    assert.deepEqual([...t.values.subarray(0, 2)], [BigInt(Date.UTC(2025, 9, 13, 10)) * 1000n, BigInt(Date.UTC(2025, 9, 13, 10)) * 1000n]);
    assert.deepEqual(result.table.misfits, [
      { column: 0, count: 1, line: 12, text: '1.5' },
      { column: 1, count: 1, line: 12, text: 'soon' },
    ]);
  });

  it('rejects a row with the wrong number of fields, naming its line', () => {
    const result = table('1,2\n3,4\n5,', [{ sourceIndex: 0, type: 'float' }, { sourceIndex: 1, type: 'float' }]);
    assert.ok(result.ok);
    const short = table('1,2\n3,4\n5\n', [{ sourceIndex: 0, type: 'float' }, { sourceIndex: 1, type: 'float' }]);
    assert.ok(!short.ok);
    assert.equal(short.line, 12);
    assert.match(short.message, /line 12: expected 2 values separated by commas but found 1/);
  });

  it('says how many values a row with too many has, not the count expected', () => {
    const floats = (n: number): TableColumn[] => Array.from({ length: n }, (_, i) => ({ sourceIndex: i, type: 'float' }));
    const seven = table('1,2,3,4,5,6\n1,2,3,4,5,6,7\n', floats(6));
    assert.ok(!seven.ok);
    assert.match(seven.message, /line 11: expected 6 values separated by commas but found 7/);
    const nine = table('1,2,3,4,5,6,7,8,9\n', floats(6));
    assert.ok(!nine.ok);
    assert.match(nine.message, /expected 6 values separated by commas but found 9/);
    // a text field last, and a trailing empty field
    const text = table('1,a,\n', [{ sourceIndex: 0, type: 'float' }, { sourceIndex: 1, type: 'str' }]);
    assert.ok(!text.ok);
    assert.match(text.message, /expected 2 values separated by commas but found 3/);
  });

  it('reads a tab-separated table, where a comma is part of a value', () => {
    const b = bytes('0.0\t1e-6\ta, b\n0.5\tnan\t\n');
    const result = parseDataTable(b, {
      start: 0, firstLine: 10, fieldCount: 3, zone: 'UTC', delimiter: TAB,
      columns: [{ sourceIndex: 0, type: 'float' }, { sourceIndex: 1, type: 'float' }, { sourceIndex: 2, type: 'str' }],
    });
    assert.ok(result.ok);
    const [t, i, s] = result.table.columns;
    assert.ok(t?.kind === 'double' && i?.kind === 'double' && i.valid && s?.kind === 'utf8');
    assert.deepEqual([...t.values], [0, 0.5]);
    assert.deepEqual([...i.valid], [1, 0]);
    assert.deepEqual(s.values, ['a, b', null]);
    const long = parseDataTable(bytes('1\t2\t3\n'), { start: 0, firstLine: 5, fieldCount: 2, zone: 'UTC', delimiter: TAB, columns: [{ sourceIndex: 0, type: 'float' }] });
    assert.ok(!long.ok);
    assert.match(long.message, /line 5: expected 2 values separated by tabs but found 3/);
  });

  it('reads quoted fields of a tab-separated table through the robust path', () => {
    const result = parseDataTable(bytes('1\t"say ""hi""\tthere"\n'), {
      start: 0, firstLine: 1, fieldCount: 2, zone: 'UTC', delimiter: TAB,
      columns: [{ sourceIndex: 0, type: 'float' }, { sourceIndex: 1, type: 'str' }],
    });
    assert.ok(result.ok);
    assert.deepEqual(result.table.columns[1], { kind: 'utf8', values: ['say "hi"\tthere'] });
  });

  it('stores a number no double holds (1e400, 1e-400) as null and counts it apart, never as inf or 0', () => {
    const text = '1e400\n-1e400\n1e-400\n 2e999 \n0e-400\n0.5\n1.5e308\n4.9e-324\n';
    const result = table(text, [{ sourceIndex: 0, type: 'float' }]);
    assert.ok(result.ok);
    const [column] = result.table.columns;
    assert.ok(column?.kind === 'double' && column.valid);
    assert.deepEqual([...column.valid], [0, 0, 0, 0, 1, 1, 1, 1]);
    assert.deepEqual([...column.values].filter((_, i) => column.valid![i]), [0, 0.5, 1.5e308, 4.9e-324]);
    assert.deepEqual(result.table.misfits, []);
    assert.deepEqual(result.table.outOfRange, [{ column: 0, count: 4, line: 10, text: '1e400' }]);
    // the same through the quoted path
    const quoted = table('"x",1e-400\n', [{ sourceIndex: 1, type: 'float' }], 2);
    assert.ok(quoted.ok);
    assert.deepEqual(quoted.table.outOfRange, [{ column: 0, count: 1, line: 10, text: '1e-400' }]);
  });

  it('reads every whole number a 64-bit column holds (19 digits too) and counts larger ones as out of range', () => {
    const result = table('9223372036854775807\n-9223372036854775808\n1234567890123456789\n9223372036854775808\n12.5\n', [{ sourceIndex: 0, type: 'int' }]);
    assert.ok(result.ok);
    const [column] = result.table.columns;
    assert.ok(column?.kind === 'int64' && column.valid);
    assert.deepEqual([...column.values.subarray(0, 3)], [2n ** 63n - 1n, -(2n ** 63n), 1234567890123456789n]);
    assert.deepEqual([...column.valid], [1, 1, 1, 0, 0]);
    assert.deepEqual(result.table.outOfRange, [{ column: 0, count: 1, line: 13, text: '9223372036854775808' }]);
    assert.deepEqual(result.table.misfits, [{ column: 0, count: 1, line: 14, text: '12.5' }]);
  });

  it("reads Python's None as no value in a text column, as in a header and in every other column", () => {
    const result = table('None,None\nnone,2\nNonesuch,3\n', [{ sourceIndex: 0, type: 'str' }, { sourceIndex: 1, type: 'float' }]);
    assert.ok(result.ok);
    const [s, n] = result.table.columns;
    assert.ok(s?.kind === 'utf8' && n?.kind === 'double' && n.valid);
    assert.deepEqual(s.values, [null, null, 'Nonesuch']);
    assert.deepEqual([...n.valid], [0, 1, 1]);
    assert.deepEqual(result.table.misfits, []);
  });

  it('reads quoted fields (commas inside quotes) through the robust path, with the same types', () => {
    const result = table('1,"a, b"\n2,"say ""hi"""\n', [{ sourceIndex: 0, type: 'float' }, { sourceIndex: 1, type: 'str' }]);
    assert.ok(result.ok);
    const [n, s] = result.table.columns;
    assert.ok(n?.kind === 'double' && s?.kind === 'utf8');
    assert.deepEqual([...n.values], [1, 2]);
    assert.deepEqual(s.values, ['a, b', 'say "hi"']);
  });

  it('finds where a line starts', () => {
    const b = bytes('a\nbb\nccc\n');
    assert.deepEqual([1, 2, 3, 4, 9].map((l) => lineOffset(b, l)), [0, 2, 5, 9, 9]);
  });
});
