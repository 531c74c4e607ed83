import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { tempDir } from '../../test/support/temp-dir.js';
import { chooseSampler } from './choose-sampler.js';
import { DEFAULT_SAMPLE_LIMITS, type SampleContext } from './sample-types.js';

const context = (rows: number): SampleContext => ({ ...DEFAULT_SAMPLE_LIMITS, rows, duckdb: () => Promise.reject(new Error('unused')) });

async function sampleOf(name: string, bytes: Buffer, rows: number) {
  const dir = tempDir();
  const input = path.join(dir, name);
  const output = path.join(dir, 'sample.gz');
  writeFileSync(input, bytes);
  const written = await chooseSampler(input).sample(input, output, context(rows));
  return { written, text: gunzipSync(readFileSync(output)).toString() };
}

const csvText = (rows: number) => `#Procedure: <x.It>\n#Data:\nt,I\n${Array.from({ length: rows }, (_, i) => `${i},"a\nb"`).join('\n')}\n`;

describe('the gzip sampler', () => {
  it('keeps the header and first N rows of a gzipped CSV, recompressed', async () => {
    const { written, text } = await sampleOf('data.csv.gz', gzipSync(csvText(1000)), 2);
    assert.equal(text, '#Procedure: <x.It>\n#Data:\nt,I\n0,"a\nb"\n1,"a\nb"\n');
    assert.equal(written.rows, 2);
  });

  it('keeps the first N lines of any other gzipped text', async () => {
    const { written, text } = await sampleOf('events.log.gz', gzipSync('one\ntwo\nthree\nfour\n'), 3);
    assert.equal(text, 'one\ntwo\nthree\n');
    assert.equal(written.rows, 3);
  });

  it('samples a gzip truncated after its head, since only the head is read', async () => {
    const whole = gzipSync(Buffer.from(Array.from({ length: 200_000 }, (_, i) => `${i},${(i * 7919) % 10007}`).join('\n')), { level: 1 });
    const { written } = await sampleOf('long.csv.gz', whole.subarray(0, Math.floor(whole.length / 2)), 5);
    assert.equal(written.rows, 5);
  });

  it('reports a gzip truncated inside its head as truncated', async () => {
    const whole = gzipSync(csvText(20));
    await assert.rejects(sampleOf('cut.csv.gz', whole.subarray(0, whole.length - 12), 100), /is not a readable gzip file \(it ends early, the file is truncated\)/);
  });

  it('reports a file that is not gzip at all', async () => {
    await assert.rejects(sampleOf('fake.csv.gz', Buffer.from('a,b\n1,2\n'), 5), /is not a readable gzip file \(incorrect header check\)/);
  });
});
