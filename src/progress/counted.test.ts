import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { generateLabCorpus } from '../demo/generate-lab-corpus.js';
import { runCli } from '../../test/support/run-cli.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { counted, countedPlain, perSecond } from './counted.js';

describe('counts and rates in words', () => {
  it('says 1 row, 0 rows, 2 entries, 12,345 rows', () => {
    assert.equal(counted(1, 'row'), '1 row');
    assert.equal(counted(0, 'row'), '0 rows');
    assert.equal(counted(2, 'entry', 'entries'), '2 entries');
    assert.equal(counted(1, 'entry', 'entries'), '1 entry');
    assert.equal(counted(12345, 'row'), '12,345 rows');
    assert.equal(countedPlain(12345, 'byte'), '12345 bytes');
  });

  it('gives no rate for nothing done or an unmeasurably short time, and a readable one otherwise', () => {
    assert.equal(perSecond(0, 2, 'files'), undefined);
    assert.equal(perSecond(5, 0, 'files'), undefined);
    assert.equal(perSecond(5, 0.001, 'files'), undefined);
    assert.equal(perSecond(1, 4, 'files'), '0.3 files/s');
    assert.equal(perSecond(7, 2, 'files'), '3.5 files/s');
    assert.equal(perSecond(24080, 2, 'files'), '12,040 files/s');
  });

  it('strata stage says "1 file" and gives no "(0 files/s)" when nothing was staged', async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    await generateLabCorpus({ root: raw, files: 1, seed: 5 });
    const args = ['stage', '--raw-root', raw, '--stage-root', path.join(root, 'lake', 'stage'), '--settle', '0'];
    const first = await runCli(args);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /Staged 1 of 1 file \([\d,]+ rows\) in [\d.]+ s( \([\d.,]+ files\/s\))?; 0 skipped, 0 rejected\./);
    const again = await runCli(args);
    assert.match(again.stderr, /Staged 0 of 1 file \(0 rows\) in [\d.]+ s; 1 skipped, 0 rejected\./);
  });
});
