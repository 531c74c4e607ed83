import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine, sqlLiteral, type EngineConnection } from '../engine/duckdb.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { sampleParquet } from './sample-parquet.js';
import { DEFAULT_SAMPLE_LIMITS, type SampleContext } from './sample-types.js';

describe('the Parquet sampler', () => {
  let engine: Engine;
  let db: EngineConnection;
  before(async () => {
    engine = await Engine.open();
    db = await engine.connect();
  });
  after(() => {
    db.close();
    engine.close();
  });
  const context = (rows: number): SampleContext => ({ ...DEFAULT_SAMPLE_LIMITS, rows, duckdb: async () => db });

  it('writes the first N rows as Parquet with the same columns and types', async () => {
    const dir = tempDir();
    const input = path.join(dir, 'runs.parquet');
    await db.run(
      `COPY (SELECT i::BIGINT AS id, i / 10.0 AS t, 'chip' || i AS chip, i % 2 = 0 AS light FROM range(20000) r(i)) TO ${sqlLiteral(input)} (FORMAT parquet, ROW_GROUP_SIZE 2000)`,
    );
    const output = path.join(dir, 'runs_sample.parquet');
    const written = await sampleParquet(input, output, context(5));
    assert.equal(written.rows, 5);
    const rows = await db.all(`SELECT * FROM read_parquet(${sqlLiteral(output)}) ORDER BY id`);
    assert.deepEqual(rows.map((r) => r['chip']), ['chip0', 'chip1', 'chip2', 'chip3', 'chip4']);
    const types = await db.all(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${sqlLiteral(output)}))`);
    assert.deepEqual(types.map((r) => `${String(r['column_name'])} ${String(r['column_type'])}`), ['id BIGINT', 't DOUBLE', 'chip VARCHAR', 'light BOOLEAN']);
  });

  it('reports a file that is not Parquet', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'bad.parquet'), 'PAR1 and then nothing useful');
    await assert.rejects(sampleParquet(path.join(dir, 'bad.parquet'), path.join(dir, 'o.parquet'), context(5)), /is not a readable Parquet file/);
  });
});
