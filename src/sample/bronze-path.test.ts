import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { bronzePathFor, rawNameOfBronze } from './bronze-path.js';

const at = new Date('2026-01-18T14:30:00Z');
const tag = (below: string) => createHash('sha256').update(below).digest('hex').slice(0, 8);

describe('bronzePathFor', () => {
  it('drops the environment folder and adds the UTC date folders and an HHMMSS-<raw path tag>-- prefix', () => {
    assert.equal(bronzePathFor('raw/env0/data.csv', { at }), `bronze/2026/01/18/143000-${tag('env0/data.csv')}--data.csv`);
  });

  it('gives raw/env0/data.csv and raw/env1/data.csv of the same second two bronze paths', () => {
    const a = bronzePathFor('raw/env0/data.csv', { at });
    const b = bronzePathFor('raw/env1/data.csv', { at });
    assert.notEqual(a, b);
    assert.match(b, /^bronze\/2026\/01\/18\/143000-[0-9a-f]{8}--data\.csv$/);
  });

  it('gives the same path for the same time, and keeps folders below the environment', () => {
    const a = bronzePathFor('/lab/raw/env1/chip7/run.csv', { at });
    assert.equal(a, `/lab/bronze/2026/01/18/chip7/143000-${tag('env1/chip7/run.csv')}--run.csv`);
    assert.equal(bronzePathFor('/lab/raw/env1/chip7/run.csv', { at }), a);
  });

  it('uses the roots it is given', () => {
    assert.equal(bronzePathFor('/data/in/e/x.bin', { at, rawRoot: '/data/in', bronzeRoot: '/lake/b' }), `/lake/b/2026/01/18/143000-${tag('e/x.bin')}--x.bin`);
  });

  it('refuses a file with no raw folder above it, or one not inside an environment folder', () => {
    assert.throws(() => bronzePathFor('/data/x.csv', { at }), /no folder named 'raw'/);
    assert.throws(() => bronzePathFor('/data/raw/x.csv', { at }), /not inside an environment folder/);
    assert.throws(() => bronzePathFor('/elsewhere/e/x.csv', { at, rawRoot: '/data/raw' }), /not inside an environment folder/);
  });

  it('recovers the raw file name from a bronze name', () => {
    assert.equal(rawNameOfBronze('bronze/2026/01/18/143000--temp_data.csv'), 'temp_data.csv');
    assert.equal(rawNameOfBronze('bronze/2026/01/18/143000-0a1b2c3d--temp_data.csv'), 'temp_data.csv');
    assert.equal(rawNameOfBronze('plain.csv'), 'plain.csv');
  });
});
