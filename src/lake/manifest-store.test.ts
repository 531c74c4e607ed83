import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Engine } from '../engine/duckdb.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { manifestRow, TEST_PARAMETERS } from '../../test/history/manifest-fixtures.js';
import { CORE_COLUMNS } from './manifest-columns.js';
import { describeParquetColumns, readManifest, writeManifestAtomically } from './manifest-store.js';

async function withConn<T>(fn: (conn: Awaited<ReturnType<Engine['connect']>>) => Promise<T>): Promise<T> {
  const engine = await Engine.open();
  const conn = await engine.connect();
  try {
    return await fn(conn);
  } finally {
    conn.close();
    engine.close();
  }
}

describe('the manifest store', () => {
  it('reads a missing manifest as no runs', async () => {
    const dir = tempDir();
    assert.deepEqual(await withConn((c) => readManifest(c, path.join(dir, 'nope.parquet'))), []);
  });

  it('writes the core columns in the agreed order and types, then the parameter columns, and reads rows back as JS values', async () => {
    const file = path.join(tempDir(), '_manifest', 'manifest.parquet');
    const row = manifestRow({ start: '2025-09-04T15:00:00Z', fileIdx: 3, chip: 72 });
    await withConn(async (conn) => {
      await writeManifestAtomically(conn, file, [row], TEST_PARAMETERS);
      const columns = await describeParquetColumns(conn, file);
      assert.deepEqual(
        columns.map((c) => c.name),
        [...CORE_COLUMNS.map((c) => c.name), ...TEST_PARAMETERS.map((p) => p.name)],
      );
      assert.equal(columns.find((c) => c.name === 'start_time_utc')!.type, 'TIMESTAMP WITH TIME ZONE');
      assert.equal(columns.find((c) => c.name === 'chip_number')!.type, 'BIGINT');
      const [back] = await readManifest(conn, file);
      assert.equal(back!.chip_number, 72);
      assert.equal(back!.file_idx, 3);
      assert.ok(back!.start_time_utc instanceof Date);
      assert.equal(back!.start_time_utc!.toISOString(), '2025-09-04T15:00:00.000Z');
      assert.equal(back!['laser_wavelength_nm'], 455);
    });
  });

  it('leaves the old manifest untouched and no temp file behind when a row is invalid', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'manifest.parquet');
    await withConn(async (conn) => {
      await writeManifestAtomically(conn, file, [manifestRow({ start: '2025-09-04T15:00:00Z' })], TEST_PARAMETERS);
      const bad = { ...manifestRow({ start: '2025-09-05T15:00:00Z' }), run_id: 'not-hex' };
      await assert.rejects(writeManifestAtomically(conn, file, [bad], TEST_PARAMETERS), /invalid.*run_id/);
      assert.equal((await readManifest(conn, file)).length, 1);
    });
    assert.deepEqual(readdirSync(dir), ['manifest.parquet']);
  });

  it('keeps parameter columns an existing manifest has even when the new list lacks them', async () => {
    const file = path.join(tempDir(), 'manifest.parquet');
    await withConn(async (conn) => {
      const withSample = manifestRow({ start: '2025-09-04T15:00:00Z', extra: { sample: 'biotite' } });
      await writeManifestAtomically(conn, file, [withSample], TEST_PARAMETERS);
      const existing = await readManifest(conn, file);
      const fewer = TEST_PARAMETERS.filter((p) => p.name !== 'sample');
      const next = manifestRow({ start: '2025-09-05T15:00:00Z' });
      delete next['sample'];
      await writeManifestAtomically(conn, file, [...existing, next], fewer);
      const rows = await readManifest(conn, file);
      assert.deepEqual(rows.map((r) => r['sample']).sort(), ['biotite', null]);
    });
  });

  it('replaces an existing manifest whole, leaving no temp file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'manifest.parquet');
    await withConn(async (conn) => {
      await writeManifestAtomically(conn, file, [manifestRow({ start: '2025-09-04T15:00:00Z' })], TEST_PARAMETERS);
      const rows = [manifestRow({ start: null, dateLocal: '2025-09-05' }), manifestRow({ start: '2025-09-06T10:00:00Z' })];
      await writeManifestAtomically(conn, file, rows, TEST_PARAMETERS);
      assert.deepEqual((await readManifest(conn, file)).map((r) => r.date_local).sort(), ['2025-09-05', '2025-09-06']);
    });
    assert.deepEqual(readdirSync(dir), ['manifest.parquet']);
  });

});
