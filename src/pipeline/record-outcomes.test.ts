import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Engine, type EngineConnection } from '../engine/duckdb.js';
import { openEventsLog } from '../lake/events-log.js';
import { readManifest } from '../lake/manifest-store.js';
import { validateManifestRows } from '../lake/manifest-row.js';
import { manifestRow, TEST_PARAMETERS } from '../../test/history/manifest-fixtures.js';
import { lakeConfig } from '../../test/support/stage-lake.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { openOutcomeRecorder, pendingJournalPath } from './record-outcomes.js';

const runs = (from: number, count: number) =>
  validateManifestRows(Array.from({ length: count }, (_, i) => manifestRow({ start: `2025-09-04T1${i % 10}:00:00Z`, fileIdx: from + i, chip: 70 + i })), TEST_PARAMETERS).valid;

function record(connect: () => Promise<EngineConnection>, config: ReturnType<typeof lakeConfig>, rows: ReturnType<typeof runs>, newLakeRuns = 5) {
  const recorder = openOutcomeRecorder(connect, config, TEST_PARAMETERS, { staged: new Map(), present: new Set(), rejected: new Set() }, openEventsLog(config.eventsDir, new Date()), () => new Date(), { runs: 2, newLakeRuns, ms: 60_000 });
  for (const row of rows) recorder.record({ kind: 'ok', file: { absPath: `/raw/${row.source_file}`, relPath: row.source_file, size: 1000, mtimeMs: 1.7e12 }, row, warnings: [], added: [] });
  return recorder;
}

describe('recording a stage run', () => {
  it("writes a new lake's manifest whole without DuckDB, up to the runs it keeps; the next run merges into it with DuckDB", async () => {
    const config = lakeConfig(tempDir(), tempDir());
    const never = async (): Promise<EngineConnection> => assert.fail('a new lake\'s first run loaded DuckDB');
    const first = record(never, config, runs(0, 5));
    await first.finish();
    assert.equal(existsSync(pendingJournalPath(config.manifestPath)), false);
    const engine = await Engine.open();
    const conn = await engine.connect();
    try {
      assert.deepEqual((await readManifest(conn, config.manifestPath)).map((r) => r.file_idx).sort(), [0, 1, 2, 3, 4]);
      const next = record(async () => conn, config, runs(5, 3));
      await next.finish();
      assert.equal((await readManifest(conn, config.manifestPath)).length, 8);
    } finally {
      conn.close();
      engine.close();
    }
  });

  it('merges the runs of a new lake past those it keeps with DuckDB, every one of them once', async () => {
    const config = lakeConfig(tempDir(), tempDir());
    const engine = await Engine.open();
    const conn = await engine.connect();
    try {
      // 3 kept and written from memory, then 5 more merged 2 at a time (and the last at the end) by DuckDB.
      await record(async () => conn, config, runs(0, 8), 3).finish();
      assert.deepEqual((await readManifest(conn, config.manifestPath)).map((r) => r.file_idx).sort((a, b) => Number(a) - Number(b)), [0, 1, 2, 3, 4, 5, 6, 7]);
      assert.equal(existsSync(pendingJournalPath(config.manifestPath)), false);
    } finally {
      conn.close();
      engine.close();
    }
  });
});
