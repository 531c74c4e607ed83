import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { chooseSampler } from './choose-sampler.js';
import { sampleFileName, samplePath } from './sample-name.js';

describe('sample names', () => {
  it('are <name>_sample.<ext> with the format extension of each kind of file', () => {
    const name = (file: string) => {
      const choice = chooseSampler(file);
      return `${choice.format} ${sampleFileName(choice.stem, choice.ext)}`;
    };
    assert.equal(name('/b/2026/01/18/143000--It2025-09-04_11.csv'), 'csv 143000--It2025-09-04_11_sample.csv');
    assert.equal(name('x.CSV.GZ'), 'gzip x_sample.csv.gz');
    assert.equal(name('events.gz'), 'gzip events_sample.gz');
    assert.equal(name('t.parquet'), 'parquet t_sample.parquet');
    assert.equal(name('a.json'), 'json a_sample.json');
    assert.equal(name('a.jsonl'), 'jsonl a_sample.jsonl');
    assert.equal(name('bundle.zip'), 'zip bundle_sample.zip');
    assert.equal(name('bundle.tar'), 'tar bundle_sample.tar.txt');
    assert.equal(name('bundle.tar.gz'), 'meta bundle.tar.gz_sample.meta.json');
    assert.equal(name('scan.h5'), 'meta scan.h5_sample.meta.json');
  });

  it('refuse a sample path outside the samples folder', () => {
    assert.equal(samplePath('/s', 'a_sample.csv'), path.resolve('/s/a_sample.csv'));
    assert.throws(() => samplePath('/s', '../a_sample.csv'), /outside/);
    assert.throws(() => samplePath('/s', 'sub/a_sample.csv'), /outside/);
  });
});
