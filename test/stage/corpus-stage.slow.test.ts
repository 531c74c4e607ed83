// End to end on the real lab corpus (../shared/corpus/lab), when it is present.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { Engine, sqlLiteral } from '../../src/engine/duckdb.js';
import { discoverRawFiles } from '../../src/discover/discover-raw-files.js';
import { readManifest } from '../../src/lake/manifest-store.js';
import type { ManifestRow } from '../../src/lake/manifest-row.js';
import { projectRoot } from '../../src/version.js';
import { tempDir } from '../support/temp-dir.js';
import { stageInto, type StagedLake } from '../support/stage-lake.js';

const CORPUS = path.resolve(projectRoot, '../shared/corpus/lab');
const present = existsSync(CORPUS);

/** What the test reads straight from a raw file, independently of strata's parser. */
function facts(file: string) {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const dataLine = lines.findIndex((l) => /^#\s*Data:/.test(l));
  const value = (key: string) => lines.find((l) => new RegExp(`^#\\s+${key}:`).test(l))?.split(':').slice(1).join(':').trim();
  return {
    startSeconds: Number(value('Start time')),
    chipNumber: value('Chip number') === undefined ? null : Number(value('Chip number')),
    dataRows: lines.slice(dataLine + 2).filter((l) => l.trim() !== '').length,
  };
}

describe('staging the real lab corpus', { skip: present ? false : `corpus not present at ${CORPUS}` }, () => {
  let lake: StagedLake;
  let rows: ManifestRow[];
  let engine: Engine;
  before(async () => {
    lake = await stageInto(CORPUS, tempDir());
    engine = await Engine.open();
    rows = await readManifest(await engine.connect(), lake.config.manifestPath);
  });

  it('stages all 384 runs and rejects none', () => {
    assert.equal(lake.summary.files, 384);
    assert.equal(lake.summary.ok, 384);
    assert.equal(lake.summary.rejected, 0);
    assert.equal(rows.length, 384);
  });

  it('gives every run the contract run id, its data-line count and the header chip number', () => {
    for (const row of rows) {
      const f = facts(path.join(CORPUS, row.source_file));
      const start = new Date(f.startSeconds * 1000).toISOString().slice(0, 19) + 'Z';
      const expectedId = createHash('sha1').update(`${row.source_file.toLowerCase()}|${start}`).digest('hex').slice(0, 16);
      assert.equal(row.run_id, expectedId, row.source_file);
      assert.equal(row.rows, f.dataRows, row.source_file);
      assert.equal(row.chip_number, f.chipNumber, row.source_file);
      assert.equal(row.date_origin, 'meta');
    }
  });

  it('is read back by DuckDB with hive partitioning, row for row', async () => {
    const conn = await engine.connect();
    const glob = path.join(lake.config.stageRoot, '**', '*.parquet');
    const [lakeCounts] = await conn.all<{ n: number; runs: number; procs: number }>(
      `SELECT count(*) n, count(DISTINCT run_id) runs, count(DISTINCT proc) procs FROM read_parquet(${sqlLiteral(glob)}, hive_partitioning=true, union_by_name=true)`,
    );
    assert.equal(lakeCounts?.n, rows.reduce((s, r) => s + r.rows, 0));
    assert.equal(lakeCounts?.runs, 384);
    assert.equal(lakeCounts?.procs, 4);
  });

  it('does nothing on a re-run: all skipped, same manifest, no Parquet rewritten', async () => {
    const dataFile = path.join(lake.config.stageRoot, rows[0]!.path);
    const before = statSync(dataFile).mtimeMs;
    const again = await stageInto(CORPUS, path.dirname(lake.config.stageRoot));
    assert.equal(again.summary.ok, 0);
    assert.equal(again.summary.skipped, 384);
    assert.equal(statSync(dataFile).mtimeMs, before);
    const after = await readManifest(await engine.connect(), lake.config.manifestPath);
    assert.deepEqual(after.map((r) => r.run_id).sort(), rows.map((r) => r.run_id).sort());
    assert.equal(discoverRawFiles(CORPUS).length, 384);
  });
});
