import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RAW_EXTENSIONS, RAW_FORMATS, rawFormatOf } from './raw-formats.js';
import { COMMA, TAB } from './table-delimiter.js';

const file = (columnLine: string, row: string) =>
  Buffer.from(['#Procedure: <laser_setup.procedures.It.It>', '#Parameters:', '#\tChip number: 67', '#Data:', columnLine, row].join('\n'));

describe('the raw formats', () => {
  it('reads a table whose column line is split by tabs as tab-separated, whatever the file is called', () => {
    const bytes = file('t (s)\tI (A)\tVL (V)', '0.0\t7.2e-06\t0.0');
    const format = rawFormatOf(bytes);
    assert.equal(format.name, 'PyMeasure TSV');
    assert.equal(format.delimiter, TAB);
    const header = format.readHeader(bytes);
    assert.ok(header.ok);
    assert.deepEqual(header.header.columns, ['t (s)', 'I (A)', 'VL (V)']);
  });

  it('reads every other table as PyMeasure CSV: commas, a single column, commas and tabs together', () => {
    for (const bytes of [file('t (s),I (A)', '0,1'), file('t (s)', '0'), file('t (s),I\t(A)', '0,1'), file('t (s)\t', '0')]) {
      const format = rawFormatOf(bytes);
      assert.equal(format.name, 'PyMeasure CSV', bytes.toString());
      assert.equal(format.delimiter, COMMA);
    }
  });

  it('gives discovery every extension a format takes, and nothing else (.txt files are notes, not tables)', () => {
    assert.deepEqual([...RAW_EXTENSIONS].sort(), ['.csv', '.tsv']);
    assert.deepEqual(RAW_FORMATS.map((f) => f.name), ['PyMeasure TSV', 'PyMeasure CSV']);
  });
});
