import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { sampleCsv } from './sample-csv.js';
import { DEFAULT_SAMPLE_LIMITS, type SampleContext } from './sample-types.js';

const context = (rows: number): SampleContext => ({ ...DEFAULT_SAMPLE_LIMITS, rows, duckdb: () => Promise.reject(new Error('no DuckDB in CSV tests')) });

const INSTRUMENT_HEAD = [
  '#Procedure: <laser_setup.procedures.It.It>',
  '#Parameters:',
  '#\tChip group name: Alisson',
  '#\tChip number: 81',
  '#\tInformation: Light testing, biotite',
  '#Metadata:',
  '#\tStart time: 1761183605.7708776',
  '#Data:',
  't (s),I (A),VL (V)',
];

async function sampleOf(text: string | Buffer, rows: number) {
  const dir = tempDir();
  const input = path.join(dir, 'in.csv');
  const output = path.join(dir, 'out_sample.csv');
  writeFileSync(input, text);
  const written = await sampleCsv(input, output, context(rows));
  return { written, bytes: readFileSync(output) };
}

describe('the CSV sampler', () => {
  it('keeps the # header lines, the column header and the first N rows, byte for byte (CRLF included)', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => `${i * 0.1},1.5e-05,0.0`);
    const head = [...INSTRUMENT_HEAD, ...rows.slice(0, 3)].join('\r\n') + '\r\n';
    const { written, bytes } = await sampleOf([...INSTRUMENT_HEAD, ...rows].join('\r\n') + '\r\n', 3);
    assert.equal(bytes.toString('utf8'), head);
    assert.deepEqual(written, { rows: 3, bytes: Buffer.byteLength(head) });
  });

  it('keeps a quoted field that contains newlines as one row', async () => {
    const text = 'id,note\n1,"first line\nsecond line\n""quoted"""\n2,plain\n3,"a,b"\n4,x\n';
    const { written, bytes } = await sampleOf(text, 2);
    assert.equal(bytes.toString(), 'id,note\n1,"first line\nsecond line\n""quoted"""\n2,plain\n');
    assert.equal(written.rows, 2);
  });

  it('keeps multi-byte characters intact at the cut', async () => {
    const { bytes } = await sampleOf('name,unit\nµ-probe,°C\nß,Å\nz,z\n', 2);
    assert.equal(bytes.toString('utf8'), 'name,unit\nµ-probe,°C\nß,Å\n');
  });

  it('copies a file with fewer rows than asked whole, even without a final newline', async () => {
    const { written, bytes } = await sampleOf('a,b\n1,2\n3,4', 10);
    assert.equal(bytes.toString(), 'a,b\n1,2\n3,4');
    assert.equal(written.rows, 2);
  });

  it('writes an empty sample for an empty file', async () => {
    const { written, bytes } = await sampleOf('', 5);
    assert.equal(bytes.length, 0);
    assert.equal(written.rows, 0);
  });

  it('reads only the head: a broken tail far after the first rows does not matter', async () => {
    const body = Array.from({ length: 5000 }, (_, i) => `${i},x`).join('\n');
    const { written } = await sampleOf(`a,b\n${body}\n9,"never closed\n`, 3);
    assert.equal(written.rows, 3);
  });

  it('reports a CSV broken within its first rows as not readable', async () => {
    await assert.rejects(sampleOf('a,b\n1,"never closed\n2,3\n', 3), /is not readable as CSV: .*Quote Not Closed/);
  });
});
