import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { columnLineBytes, parseInstrumentHeader } from './instrument-header.js';
import { TAB } from './table-delimiter.js';

const HEADER = [
  '#Procedure: <laser_setup.procedures.It.It>',
  '#Parameters:',
  '#\tChip group name: Alisson',
  '#\tChip number: 67',
  '#\tLaser voltage: 0.2 V',
  '#Metadata:',
  '#\tStart time: 1757019355.7333555',
  '#Data:',
  't (s),I (A),VL (V)',
  '0.0,7.2e-06,0.0',
  '0.1,7.3e-06,nan',
];

const parse = (text: string | Buffer) => parseInstrumentHeader(Buffer.isBuffer(text) ? text : Buffer.from(text));

describe('parseInstrumentHeader', () => {
  it('keeps no header pinned in memory by the values it returns (each owns its characters)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // A 40 KB note in each header: the decoded header is that big, so values sliced from it would pin 40 KB each.
    const file = (i: number) => Buffer.from([...HEADER.slice(0, 6), `#\tNotes: ${'n'.repeat(40_000)}`, `#\tOperator name: Operator number ${i}`, ...HEADER.slice(6)].join('\n'));
    const kept: unknown[] = [];
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 1000; i++) {
      const result = parse(file(i));
      assert.ok(result.ok);
      kept.push(result.header.metadata.get('Operator name'), result.header.parameters.get('Chip group name'), result.header.columns);
    }
    gc();
    const grown = (process.memoryUsage().heapUsed - before) / 1e6;
    // Pinned, the 1,000 headers would hold 40 MB (each value alone ~0.1 MB in all).
    assert.ok(grown < 10, `the kept values hold ${grown.toFixed(1)} MB`);
    assert.equal(kept[kept.length - 3], 'Operator number 999');
  });

  it('reads procedure, parameters, metadata and columns of a PyMeasure file', () => {
    const result = parse(HEADER.join('\n'));
    assert.ok(result.ok);
    assert.equal(result.header.proc, 'It');
    assert.equal(result.header.parameters.get('Chip number'), '67');
    assert.equal(result.header.parameters.get('Laser voltage'), '0.2 V');
    assert.equal(result.header.metadata.get('Start time'), '1757019355.7333555');
    assert.deepEqual(result.header.columns, ['t (s)', 'I (A)', 'VL (V)']);
    assert.equal(result.header.columnLine, 9);
  });

  it('accepts "# Key: value", space indents, CRLF, a BOM and Metadata before Parameters', () => {
    const quirky = [
      '\uFEFF# Procedure: <laser_setup.procedures.IVg.IVg>',
      '# Metadata:',
      '#    Start time: 2025-10-13T10:00:00',
      '# Parameters:',
      '#    Chip number: 72',
      '# Data:',
      'Vg (V),I (A)',
      '0.0,1e-6',
    ].join('\r\n');
    const result = parse(quirky);
    assert.ok(result.ok);
    assert.equal(result.header.proc, 'IVg');
    assert.equal(result.header.parameters.get('Chip number'), '72');
    assert.equal(result.header.metadata.get('Start time'), '2025-10-13T10:00:00');
    assert.deepEqual(result.header.columns, ['Vg (V)', 'I (A)']);
  });

  it('splits a tab-separated column line at its tabs, keeping a comma inside a name', () => {
    const text = [...HEADER.slice(0, 8), 't (s)\tI (A)\tNote, free text', '0.0\t7.2e-06\tok'].join('\n');
    const result = parseInstrumentHeader(Buffer.from(text), TAB);
    assert.ok(result.ok);
    assert.deepEqual(result.header.columns, ['t (s)', 'I (A)', 'Note, free text']);
    assert.equal(result.header.columnLine, 9);
  });

  it('gives the bytes of the column line: the first line that is neither blank nor a # line', () => {
    const line = columnLineBytes(Buffer.from(['\uFEFF' + HEADER[0], ...HEADER.slice(1, 8), '', 't (s)\tI (A)\r', '0\t1'].join('\n')));
    assert.equal(line.toString(), 't (s)\tI (A)\r');
    assert.equal(columnLineBytes(Buffer.from(HEADER.slice(0, 8).join('\n'))).length, 0);
  });

  it('reads a header longer than the first 64 KiB, and sees rows after a long table start', () => {
    const longInfo = `#\tInformation: ${'x'.repeat(70_000)}`;
    const text = [...HEADER.slice(0, 5), longInfo, ...HEADER.slice(5)].join('\n');
    const result = parse(text);
    assert.ok(result.ok);
    assert.equal(result.header.parameters.get('Information')?.length, 70_000);
    assert.equal(result.header.columnLine, 10);
  });

  it('finds the data rows of a big file without decoding all of it', () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => `${i},1e-6,0`);
    const result = parse([...HEADER.slice(0, 9), ...rows].join('\r\n'));
    assert.ok(result.ok);
    assert.deepEqual(result.header.columns, ['t (s)', 'I (A)', 'VL (V)']);
  });

  const problems: [string, string | Buffer, string, RegExp][] = [
    ['a 0-byte file', '', 'empty-file', /empty/],
    ['a binary file', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00, 0x01]), 'binary', /binary/],
    ['non-UTF-8 bytes', Buffer.concat([Buffer.from(HEADER.join('\n') + '\n'), Buffer.from([0x31, 0xff, 0xfe, 0x0a])]), 'not-utf8', /line 12/],
    ['a header with no Data: line', HEADER.slice(0, 7).join('\n') + '\n', 'no-data-line', /no '#Data:'/],
    ['a file with only a header', HEADER.slice(0, 8).join('\n') + '\n', 'no-columns', /no column line/],
    ['an empty data table', HEADER.slice(0, 9).join('\n') + '\n', 'no-data-rows', /empty/],
    ['duplicate column names', [...HEADER.slice(0, 8), 't (s),I (A),I (A)', '0,1,2'].join('\n'), 'duplicate-columns', /'I \(A\)' appears twice/],
    ['no Procedure line', HEADER.slice(1).join('\n'), 'no-procedure', /Procedure/],
    ['a file whose lines end in CR alone', [...HEADER, '0,1e-6,0'].join('\r'), 'no-procedure', /lines end in CR alone \(old Mac line ends\)/],
  ];
  for (const [what, content, kind, message] of problems) {
    it(`reports ${what} as a '${kind}' problem with a sentence`, () => {
      const result = parse(content);
      assert.equal(result.ok, false);
      if (result.ok) return;
      assert.equal(result.problem.kind, kind);
      assert.match(result.problem.message, message);
    });
  }
});
