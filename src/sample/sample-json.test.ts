import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { sampleJson } from './sample-json.js';
import { sampleJsonl } from './sample-jsonl.js';
import { DEFAULT_SAMPLE_LIMITS, type SampleContext, type Sampler } from './sample-types.js';

const context = (rows: number): SampleContext => ({ ...DEFAULT_SAMPLE_LIMITS, rows, duckdb: () => Promise.reject(new Error('unused')) });

async function sampleOf(sampler: Sampler, text: string, rows: number) {
  const dir = tempDir();
  const input = path.join(dir, 'in');
  const output = path.join(dir, 'out');
  writeFileSync(input, text);
  const written = await sampler(input, output, context(rows));
  return { written, text: readFileSync(output, 'utf8') };
}

describe('the JSON sampler', () => {
  it('keeps the first N records of a top-level array of objects, as a JSON array', async () => {
    const records = Array.from({ length: 100 }, (_, i) => ({ id: i, chip: `Alisson${i}`, values: [i, i / 2], light: i % 2 === 0 }));
    const { written, text } = await sampleOf(sampleJson, JSON.stringify(records, null, 2), 3);
    assert.deepEqual(JSON.parse(text), records.slice(0, 3));
    assert.equal(written.rows, 3);
  });

  it('reads only the head: a broken tail after the first records does not matter', async () => {
    const { written } = await sampleOf(sampleJson, `[${'{"a":1},'.repeat(10_000)}{"a":`, 2);
    assert.equal(written.rows, 2);
  });

  it('writes an empty array for an empty array', async () => {
    const { text } = await sampleOf(sampleJson, '[]', 3);
    assert.deepEqual(JSON.parse(text), []);
  });

  it('reports a top-level object, an empty file and broken JSON as problems', async () => {
    await assert.rejects(sampleOf(sampleJson, '{"a":1}', 3), /is not a JSON array of records/);
    await assert.rejects(sampleOf(sampleJson, '', 3), /is empty, not a JSON array/);
    await assert.rejects(sampleOf(sampleJson, '[{"a":1}, nope]', 3), /is not a JSON array of records/);
  });
});

describe('the JSON Lines sampler', () => {
  it('keeps the first N lines byte for byte', async () => {
    const { written, text } = await sampleOf(sampleJsonl, '{"a":1}\n{"a": 2}\r\n{"a":3}\n{"a":4}\n', 2);
    assert.equal(text, '{"a":1}\n{"a": 2}\r\n');
    assert.equal(written.rows, 2);
  });

  it('counts a last line without its newline', async () => {
    const { written, text } = await sampleOf(sampleJsonl, '{"a":1}\n{"a":2}', 5);
    assert.equal(text, '{"a":1}\n{"a":2}');
    assert.equal(written.rows, 2);
  });
});
