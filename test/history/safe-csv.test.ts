// The one CSV writer: RFC 4180 quoting, as csv-stringify wrote it before, and no cell a spreadsheet would run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { csvLine, toSafeCsv } from '../../src/history/safe-csv.js';

describe('safe CSV', () => {
  it('quotes what needs it, neutralises formulas, and writes each kind of value one way', () => {
    const rows = [
      { text: 'a,b', quote: 'say "hi"', lines: 'one\ntwo', formula: '=1+1', minus: -3, at: new Date('2025-10-22T12:00:00Z'), light: false, none: null, big: 2n ** 60n + 1n, list: [1, 'x,y'] },
      { text: '', quote: '+cmd', lines: 'cr\rhere', formula: '@sum', minus: '-x', at: null, light: true, none: undefined, big: 7, list: { k: 'v' } },
    ];
    const columns = ['text', 'quote', 'lines', 'formula', 'minus', 'at', 'light', 'none', 'big', 'list', 'a,"b"'];
    const csv = toSafeCsv(rows, columns);
    assert.equal(
      csv,
      'text,quote,lines,formula,minus,at,light,none,big,list,"a,""b"""\n' +
        `"a,b","say ""hi""","one\ntwo",'=1+1,-3,2025-10-22T12:00:00.000Z,false,,1152921504606846977,"[1,""x,y""]",\n` +
        `,'+cmd,"cr\rhere",'@sum,'-x,,true,,7,"{""k"":""v""}",\n`,
    );
    const back = parse(csv, { columns: true }) as Record<string, string>[];
    assert.equal(back[0]!['lines'], 'one\ntwo');
    assert.equal(back[1]!['formula'], "'@sum");
  });

  it('writes the header alone for no rows, and one line of cells', () => {
    assert.equal(toSafeCsv([], ['a', 'b']), 'a,b\n');
    assert.equal(csvLine(['x', 1, null, '-1']), "x,1,,'-1\n");
  });
});
