import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { tempDir } from '../../test/support/temp-dir.js';
import { manifestRow, TEST_PARAMETERS } from '../../test/history/manifest-fixtures.js';
import { manifestColumns } from './manifest-columns.js';
import { validateManifestRows } from './manifest-row.js';
import { writeManifestSnapshot } from './manifest-snapshot.js';

describe('a manifest snapshot written from a store', () => {
  it('gathers the small batches a store hands over into row groups of 2,000 runs, in the order given', async () => {
    const raw = Array.from({ length: 4_500 }, (_, i) =>
      manifestRow({ start: new Date(Date.UTC(2025, 8, 4) + i * 60_000).toISOString().replace('.000Z', 'Z'), fileIdx: i, chip: 67 }),
    );
    const { valid, invalid } = validateManifestRows(raw, TEST_PARAMETERS);
    assert.equal(invalid.length, 0);
    const columns = manifestColumns(TEST_PARAMETERS);
    const file = path.join(tempDir(), 'manifest.parquet');
    const handed: number[] = [];
    const written = await writeManifestSnapshot(file, async (write) => {
      for (let at = 0; at < valid.length; at += 250) {
        const rows = valid.slice(at, at + 250);
        handed.push(rows.length);
        write({ columns, rows });
      }
    });
    assert.equal(handed.length, 18);
    assert.equal(written, 4_500);
    const bytes = new Uint8Array(readFileSync(file)).buffer;
    assert.deepEqual(parquetMetadata(bytes).row_groups.map((g) => Number(g.num_rows)), [2_000, 2_000, 500]);
    const read = await parquetReadObjects({ file: bytes, columns: ['run_id'] });
    assert.deepEqual(read.map((r) => r['run_id']), valid.map((r) => r.run_id));
  });

  it('writes an empty manifest, with its columns, from a store that hands over one batch of no rows', async () => {
    const columns = manifestColumns(TEST_PARAMETERS);
    const file = path.join(tempDir(), 'manifest.parquet');
    assert.equal(await writeManifestSnapshot(file, async (write) => write({ columns, rows: [] })), 0);
    const meta = parquetMetadata(new Uint8Array(readFileSync(file)).buffer);
    assert.equal(Number(meta.num_rows), 0);
    assert.deepEqual(meta.schema.slice(1).map((s) => s.name), columns.map((c) => c.name));
  });
});
