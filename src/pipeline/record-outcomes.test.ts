import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openLake } from '../lake/lake.js';
import { readParquetFooter } from '../parquet/append-row-groups.js';
import { readManifestIndex, stagedSourceOf } from '../lake/manifest-index.js';
import { validateManifestRows, type ManifestRow } from '../lake/manifest-row.js';
import { manifestRow, TEST_PARAMETERS } from '../../test/history/manifest-fixtures.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { openOutcomeRecorder } from './record-outcomes.js';
import type { StagedSource } from '../lake/manifest-index.js';

const runs = (from: number, count: number, extra: Record<string, unknown> = {}) =>
  validateManifestRows(Array.from({ length: count }, (_, i) => manifestRow({ start: `2025-09-04T1${i % 10}:00:00Z`, fileIdx: from + i, chip: 70 + i, extra })), TEST_PARAMETERS).valid;

function record(root: string, rows: readonly ManifestRow[], staged: Map<string, StagedSource> = new Map()) {
  const lake = openLake({ stageRoot: path.join(root, 'stage') });
  const events = lake.openEvents(new Date());
  const recorder = openOutcomeRecorder(lake, TEST_PARAMETERS, staged, events, () => new Date(), { runs: 2, ms: 60_000 });
  recorder.beginPass(new Set([...staged.keys(), ...rows.map((r) => r.source_file)]), new Set());
  for (const row of rows) recorder.record({ kind: 'ok', file: { absPath: `/raw/${row.source_file}`, relPath: row.source_file, size: 1000, mtimeMs: 1.7e12 }, row, warnings: [], added: [] });
  return { lake, recorder, events };
}

describe('recording a stage run', () => {
  it('appends staged runs to the manifest in batches, each run once, and empties the journal at the end', async () => {
    const root = tempDir();
    const first = record(root, runs(0, 5));
    await first.recorder.finish();
    first.events.close();
    assert.equal(existsSync(first.lake.layout.journal), false);
    const index = await readManifestIndex(first.lake.layout.manifest);
    assert.deepEqual([...index.keys()].sort(), runs(0, 5).map((r) => r.source_file).sort());
    assert.deepEqual([...first.recorder.index].sort(), [...index].sort(), 'what the recorder says the manifest holds is what it holds');
    // Appended 2, 2 and the last 1: three row groups, none of the earlier ones written again.
    assert.equal(readParquetFooter(readFileSync(first.lake.layout.manifest)).rowGroups.length, 3);
  });

  it('replaces the row of a file staged again, and says in one event line how many files were unchanged', async () => {
    const root = tempDir();
    const first = record(root, runs(0, 3));
    await first.recorder.finish();
    first.events.close();
    const staged = await readManifestIndex(first.lake.layout.manifest);
    const restaged = runs(0, 1, { information: 'measured again' });
    const second = record(root, restaged, staged);
    second.recorder.unchanged(2);
    await second.recorder.finish();
    second.events.close();
    const index = await readManifestIndex(second.lake.layout.manifest);
    assert.equal(index.size, 3);
    assert.deepEqual(index.get(restaged[0]!.source_file), stagedSourceOf(restaged[0]!));
    const lines = readdirSync(second.lake.layout.events).flatMap((f) => readFileSync(path.join(second.lake.layout.events, f), 'utf8').trim().split('\n')).map((l) => JSON.parse(l) as { kind: string; files?: number });
    assert.deepEqual(lines.filter((l) => l.kind === 'unchanged').map((l) => l.files), [2]);
  });
});
