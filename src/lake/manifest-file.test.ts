import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Engine } from '../engine/duckdb.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { manifestRow, TEST_PARAMETERS } from '../../test/history/manifest-fixtures.js';
import { manifestColumns } from './manifest-columns.js';
import { GrowingManifest } from './manifest-file.js';
import { describeParquetColumns, readManifest, writeManifestAtomically } from './manifest-store.js';
import { appendToManifest } from './manifest-appender.js';
import { validateManifestRows } from './manifest-row.js';

const rows = () => {
  const raw = [
    manifestRow({ start: '2025-09-04T15:00:00Z', fileIdx: 3, chip: 72 }),
    manifestRow({ start: '2025-09-04T14:00:00Z', fileIdx: 1, chip: 72 }),
    manifestRow({ start: null, fileIdx: 2, chip: 72, dateLocal: '2025-09-05' }),
    manifestRow({ start: '2025-09-03T10:00:00Z', fileIdx: 5, chip: null, group: null }),
    manifestRow({ start: '2025-09-03T09:00:00Z', fileIdx: 4, chip: 67, light: null }),
    manifestRow({ start: '2025-09-06T09:00:00Z', fileIdx: 9, chip: 67, group: 'Ñandú' }),
  ];
  const { valid, invalid } = validateManifestRows(raw, TEST_PARAMETERS);
  assert.equal(invalid.length, 0);
  return valid;
};

describe('a manifest written in JS', () => {
  it('has the columns, types, values and row order of the manifest DuckDB writes, and DuckDB merges into it', async () => {
    const dir = tempDir();
    const ours = path.join(dir, 'js', 'manifest.parquet');
    const duck = path.join(dir, 'duckdb', 'manifest.parquet');
    const valid = rows();
    const manifest = new GrowingManifest(manifestColumns(TEST_PARAMETERS));
    for (const row of valid) manifest.add(row);
    mkdirSync(path.dirname(ours), { recursive: true });
    writeFileSync(ours, manifest.encode(manifest.size));
    const engine = await Engine.open();
    const conn = await engine.connect();
    try {
      await writeManifestAtomically(conn, duck, valid, TEST_PARAMETERS);
      assert.deepEqual(await describeParquetColumns(conn, ours), await describeParquetColumns(conn, duck));
      const [a, b] = [await readManifest(conn, ours), await readManifest(conn, duck)];
      assert.deepEqual(a, b);
      assert.deepEqual(a.map((r) => r.chip_group), ['Alisson', 'Alisson', 'Alisson', 'Alisson', 'Ñandú', null]);
      // Appending to it, as the run's later batches and the next run do.
      const extra = new GrowingManifest(manifestColumns(TEST_PARAMETERS));
      extra.add(validateManifestRows([manifestRow({ start: '2025-09-07T09:00:00Z', fileIdx: 11, chip: 1 })], TEST_PARAMETERS).valid[0]!);
      await appendToManifest(ours, { runs: extra, count: 1, dropped: new Set(), mtimes: new Map(), dataSchemas: new Map() }, TEST_PARAMETERS);
      assert.equal((await readManifest(conn, ours)).length, valid.length + 1);
    } finally {
      conn.close();
      engine.close();
    }
  });

  it('encodes the runs added up to a merge, not those added after it (their data files may not be on disk yet)', async () => {
    const dir = tempDir();
    const valid = rows();
    const manifest = new GrowingManifest(manifestColumns(TEST_PARAMETERS));
    for (const row of valid) manifest.add(row);
    const file = path.join(dir, 'manifest.parquet');
    writeFileSync(file, manifest.encode(4));
    const engine = await Engine.open();
    const conn = await engine.connect();
    try {
      const read = await readManifest(conn, file);
      assert.deepEqual(read.map((r) => r.file_idx).sort(), valid.slice(0, 4).map((r) => r.file_idx).sort());
      assert.equal(manifest.size, valid.length);
    } finally {
      conn.close();
      engine.close();
    }
  });
});
