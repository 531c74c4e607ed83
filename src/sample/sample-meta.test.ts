import assert from 'node:assert/strict';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { tempDir } from '../../test/support/temp-dir.js';
import { detectType, sampleMeta } from './sample-meta.js';
import { DEFAULT_SAMPLE_LIMITS } from './sample-types.js';

describe('the meta sampler', () => {
  it('records the size, mtime and type of a file in no known format', async () => {
    const dir = tempDir();
    const input = path.join(dir, 'scan.h5');
    writeFileSync(input, Buffer.from([0x89, 0x48, 0x44, 0x46, 0, 0, 1, 2]));
    utimesSync(input, new Date('2026-01-18T14:30:00Z'), new Date('2026-01-18T14:30:00Z'));
    const output = path.join(dir, 'scan.h5_sample.meta.json');
    await sampleMeta(input, output, { ...DEFAULT_SAMPLE_LIMITS, rows: 1, duckdb: () => Promise.reject(new Error('unused')) });
    assert.deepEqual(JSON.parse(readFileSync(output, 'utf8')), {
      file: 'scan.h5',
      size: 8,
      mtime: '2026-01-18T14:30:00.000Z',
      type: { extension: '.h5', detected: 'hdf5' },
    });
  });

  it('tells known signatures, text and binary apart from the first bytes', () => {
    assert.equal(detectType(gzipSync('x')), 'gzip');
    assert.equal(detectType(Buffer.from('PAR1....')), 'parquet');
    assert.equal(detectType(Buffer.from('plain text, µ and °C\n')), 'text');
    assert.equal(detectType(Buffer.from([0, 1, 2, 255])), 'binary');
    assert.equal(detectType(Buffer.alloc(0)), 'empty');
  });
});
