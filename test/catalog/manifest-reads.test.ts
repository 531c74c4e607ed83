// Reading the manifest from the catalog gives what reading manifest.parquet gives: the same rows, values, order and
// filters; a snapshot streams it in batches as it was at one instant.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../src/engine/duckdb.js';
import { whereClause, type RunFilter } from '../../src/history/manifest-query.js';
import { manifestSource, readManifest, writeManifestAtomically } from '../../src/lake/manifest-store.js';
import { validateManifestRows, type ManifestRow } from '../../src/lake/manifest-row.js';
import type { Catalog } from '../../src/catalog/open-catalog.js';
import type { AttemptOutcome } from '../../src/catalog/commit-attempts.js';
import { manifestRow } from '../history/manifest-fixtures.js';
import { tempDir } from '../support/temp-dir.js';
import { catalogs, scratchCatalogDatabase, skipWithoutPostgres, TEST_PARAMETERS } from './catalog-fixtures.js';

const scratch = scratchCatalogDatabase();
const skip = await skipWithoutPostgres(scratch);
const ZONE = 'America/Santiago';

/** Runs of several chips, groups (one sorting after Z by its bytes, one null), procedures and days, some values null. */
function labRuns(): ManifestRow[] {
  const specs = [
    { chip: 67, group: 'Alisson', proc: 'It', start: '2025-09-04T15:00:00Z', fileIdx: 1 },
    { chip: 67, group: 'Alisson', proc: 'IVg', start: '2025-09-05T02:30:00Z', fileIdx: 2, light: false },
    { chip: 67, group: 'Alisson', proc: 'It', start: null, fileIdx: 3, dateLocal: '2025-09-06' },
    { chip: 8, group: 'Zeta', proc: 'It', start: '2025-09-04T11:00:00Z', fileIdx: 1 },
    { chip: 9, group: 'Émile', proc: 'IVg', start: '2025-09-07T12:00:00-03:00', fileIdx: 1, light: false },
    { chip: null, group: null, proc: 'It', start: '2025-09-08T12:00:00Z', fileIdx: null, light: null },
    { chip: 67, group: 'Alisson', proc: 'It', start: '2025-09-04T15:00:00Z', fileIdx: 4, extra: { information: 'O’Brien, "quoted"; DROP TABLE runs' } },
  ];
  const rows = specs.map((spec, i) => ({ ...manifestRow(spec), source_file: `day${i}/run${i}.csv` }));
  const { valid, invalid } = validateManifestRows(rows, TEST_PARAMETERS);
  assert.deepEqual(invalid, []);
  return [...valid];
}

/** Stages `rows` into the catalog through the queue and the fenced commit, as stagers would. */
async function stageRows(catalog: Catalog, rows: readonly ManifestRow[]): Promise<void> {
  await catalog.enqueue(rows.map((r) => ({ sourceFile: r.source_file, size: r.source_size, mtimeMs: r.source_mtime_ms })));
  const claim = await catalog.claim({ stager: 'test', batch: rows.length, leaseSeconds: 60 });
  const bySource = new Map(rows.map((r) => [r.source_file, r]));
  const outcomes = claim.versions.map((v): AttemptOutcome => ({ kind: 'staged', attempt: v, row: bySource.get(v.sourceFile)! }));
  const results = await catalog.commit(outcomes, TEST_PARAMETERS);
  assert.ok(results.every((r) => r.kind === 'committed'));
}

describe('reading the manifest from the catalog', { skip }, () => {
  const opened = catalogs(scratch);
  const engine = Engine.open();
  let catalog: Catalog;
  let parquet: string;
  const rows = labRuns();
  before(async () => {
    await scratch.create();
    catalog = await opened.open();
    await stageRows(catalog, rows);
    parquet = path.join(tempDir(), 'manifest.parquet');
    const conn = await (await engine).connect();
    await writeManifestAtomically(conn, parquet, rows, TEST_PARAMETERS);
    conn.close();
  });
  after(async () => {
    (await engine).close();
    await opened.closeAll();
    await scratch.drop();
  });

  it('gives the rows readManifest gives for manifest.parquet: same columns in order, same JS values, same order', async () => {
    const conn = await (await engine).connect();
    const fromParquet = await readManifest(conn, parquet);
    conn.close();
    const fromCatalog = await catalog.runs();
    assert.deepEqual(fromCatalog.map((r) => Object.keys(r)), fromParquet.map((r) => Object.keys(r)));
    assert.deepEqual(fromCatalog, fromParquet);
  });

  it('filters by chip, group, procedure, local dates and light as the history commands filter manifest.parquet', async () => {
    const conn = await (await engine).connect();
    const filters: RunFilter[] = [
      { chip: 67 },
      { group: 'alisson', proc: 'it' },
      { proc: 'IVG' },
      { from: '2025-09-04', to: '2025-09-04' },
      { from: '2025-09-06' },
      { to: '2025-09-05', light: true },
      { light: false },
      { chip: 67, group: 'zeta' },
    ];
    for (const filter of filters) {
      const where = whereClause(filter);
      const params = where.sql.includes('$tz') ? { ...where.params, tz: ZONE } : where.params;
      const expected = await conn.all<{ run_id: string }>(`SELECT run_id FROM ${manifestSource(parquet)} WHERE ${where.sql} ORDER BY run_id`, params);
      const got = await catalog.runs({ filter, timeZone: ZONE });
      assert.deepEqual(got.map((r) => r.run_id).sort(), expected.map((r) => r.run_id), JSON.stringify(filter));
    }
    conn.close();
  });

  it('streams a snapshot in batches, in the manifest’s order, unchanged by runs committed while it streams', async () => {
    const batches: { columns: string[]; runs: string[] }[] = [];
    const late = { ...rows[0]!, run_id: 'ffffffffffffff01', source_file: 'late/run.csv', path: 'proc=It/date=2025-09-04/run_id=ffffffffffffff01/part-x.parquet' };
    let staged = false;
    const result = await catalog.snapshot(async (batch) => {
      if (!staged) {
        staged = true;
        await stageRows(catalog, [late]);
      }
      batches.push({ columns: batch.columns.map((c) => c.name), runs: batch.rows.map((r) => r.run_id) });
    }, 3);
    assert.equal(result.rows, rows.length);
    assert.deepEqual(batches.map((b) => b.runs.length), [3, 3, 1]);
    const expected = (await catalog.runs()).map((r) => r.run_id).filter((id) => id !== late.run_id);
    assert.deepEqual(batches.flatMap((b) => b.runs), expected);
    assert.deepEqual(batches[0]!.columns, Object.keys((await catalog.runs())[0]!));
    assert.equal((await catalog.runs()).length, rows.length + 1, 'the run committed meanwhile is there after');
  });

  it('stops a snapshot at a write that fails, with that failure, the next batch fetched ahead notwithstanding', async () => {
    let calls = 0;
    await assert.rejects(
      catalog.snapshot(() => {
        calls++;
        throw new Error('the disk is full');
      }, 3),
      /the disk is full/,
    );
    assert.equal(calls, 1);
    assert.equal((await catalog.runs()).length > 0, true, 'the catalog answers after it');
  });

  it('gives an empty manifest as one batch of no rows, with its columns', async () => {
    const empty = await opened.open({ schema: 'empty' });
    const batches: number[] = [];
    const result = await empty.snapshot((batch) => void batches.push(batch.rows.length, batch.columns.length));
    assert.deepEqual(batches, [0, 24]);
    assert.equal(result.rows, 0);
  });
});
