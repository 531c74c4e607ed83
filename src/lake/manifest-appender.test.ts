import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { withConn } from '../../test/support/with-duckdb.js';
import { manifestRow, TEST_PARAMETERS, writeTestManifest } from '../../test/history/manifest-fixtures.js';
import { readParquetFooter } from '../parquet/append-row-groups.js';
import { appendToManifest, readManifestColumns, type ManifestBatch } from './manifest-appender.js';
import { manifestColumns, type ParameterColumn } from './manifest-columns.js';
import { GrowingManifest } from './manifest-file.js';
import { readManifest } from './manifest-store.js';
import { validateManifestRows, type ManifestRow } from './manifest-row.js';

function valid(raw: readonly Record<string, unknown>[], parameters: readonly ParameterColumn[] = TEST_PARAMETERS): readonly ManifestRow[] {
  const { valid, invalid } = validateManifestRows(raw, parameters);
  assert.equal(invalid.length, 0);
  return valid;
}

function runsOf(day: number, count: number, extra: Record<string, unknown> = {}): readonly ManifestRow[] {
  const date = `2025-09-${String(day).padStart(2, '0')}`;
  return valid(Array.from({ length: count }, (_, i) => manifestRow({ start: `${date}T${String(10 + (i % 10)).padStart(2, '0')}:0${i % 6}:00Z`, fileIdx: i + 1, chip: 60 + (i % 5), extra })));
}

function batch(rows: readonly ManifestRow[], changes: Partial<Omit<ManifestBatch, 'runs' | 'count'>> = {}, parameters = TEST_PARAMETERS): ManifestBatch {
  const runs = new GrowingManifest(manifestColumns(parameters));
  for (const row of rows) runs.add(row);
  return { runs, count: rows.length, dropped: new Set(), mtimes: new Map(), dataSchemas: new Map(), ...changes };
}

async function read(file: string): Promise<Record<string, unknown>[]> {
  return withConn(async (conn) => (await readManifest(conn, file)) as unknown as Record<string, unknown>[]);
}

const bySource = (rows: readonly Record<string, unknown>[]) => new Map(rows.map((r) => [r.source_file as string, r]));

describe('a manifest that grows by appending', () => {
  it('adds a run batch as a row group: the row groups already there are copied byte for byte, and readers see every run once', async () => {
    const file = path.join(tempDir(), 'manifest.parquet');
    const first = runsOf(4, 30);
    assert.equal((await appendToManifest(file, batch(first), TEST_PARAMETERS)).how, 'new');
    const before = readFileSync(file);
    const oldGroup = readParquetFooter(before).rowGroups[0]!;
    const second = runsOf(5, 10);
    const outcome = await appendToManifest(file, batch(second), TEST_PARAMETERS);
    assert.deepEqual(outcome, { runs: 40, how: 'appended', regrouped: 0 });
    const after = readFileSync(file);
    const footer = readParquetFooter(after);
    assert.equal(footer.rowGroups.length, 2);
    // The first run batch's bytes, moved nowhere and untouched.
    assert.deepEqual(after.subarray(oldGroup.start, oldGroup.end), before.subarray(oldGroup.start, oldGroup.end));
    const rows = await read(file);
    assert.equal(rows.length, 40);
    assert.deepEqual([...bySource(rows).keys()].sort(), [...first, ...second].map((r) => r.source_file).sort());
  });

  it('writes anew only the row groups holding a run that changed: a restaged run replaces its row, a touched file gets its mtime', async () => {
    const file = path.join(tempDir(), 'manifest.parquet');
    const day4 = runsOf(4, 20);
    const day5 = runsOf(5, 20);
    await appendToManifest(file, batch(day4), TEST_PARAMETERS);
    await appendToManifest(file, batch(day5), TEST_PARAMETERS);
    const before = readFileSync(file);
    const readBefore = bySource(await read(file));
    const untouched = readParquetFooter(before).rowGroups[0]!;
    const restaged = { ...day5[3]!, rows: 777, run_id: 'f'.repeat(16) } as ManifestRow;
    const touched = day5[7]!.source_file;
    const moved = day5[9]!.source_file;
    const outcome = await appendToManifest(
      file,
      batch([restaged], { dropped: new Set([restaged.source_file, moved]), mtimes: new Map([[touched, 1.8e12]]), dataSchemas: new Map([[touched, 'abcdefabcdef']]) }),
      TEST_PARAMETERS,
    );
    assert.deepEqual(outcome, { runs: 39, how: 'appended', regrouped: 1 });
    const after = readFileSync(file);
    assert.deepEqual(after.subarray(untouched.start, untouched.end), before.subarray(untouched.start, untouched.end));
    const rows = bySource(await read(file));
    assert.equal(rows.size, 39);
    assert.equal(rows.has(moved), false);
    assert.equal(rows.get(restaged.source_file)?.rows, 777);
    assert.equal(rows.get(touched)?.source_mtime_ms, 1.8e12);
    assert.equal(rows.get(touched)?.data_schema, 'abcdefabcdef');
    // What was not touched reads as it did, though its row group was decoded and written anew.
    const other = day5[0]!;
    assert.deepEqual(rows.get(other.source_file), readBefore.get(other.source_file));
    assert.equal((rows.get(other.source_file)?.start_time_utc as Date).toISOString(), (other.start_time_utc as Date).toISOString());
  });

  it('merges small row groups once there are many, so many small arrivals do not make a file of tiny row groups', async () => {
    const file = path.join(tempDir(), 'manifest.parquet');
    let runs = 0;
    for (let day = 1; day <= 12; day++) {
      const outcome = await appendToManifest(file, batch(runsOf(day, 3)), TEST_PARAMETERS);
      runs += 3;
      assert.equal(outcome.runs, runs);
    }
    const groups = readParquetFooter(readFileSync(file)).rowGroups.length;
    assert.ok(groups <= 8, `${groups} row groups after 12 small batches`);
    assert.equal((await read(file)).length, 36);
  });

  it("rewrites a manifest another writer made (an older strata's, through DuckDB) once, keeping every run", async () => {
    const file = path.join(tempDir(), 'manifest.parquet');
    const old = runsOf(4, 15);
    await writeTestManifest(file, old);
    const outcome = await appendToManifest(file, batch(runsOf(6, 5), { dropped: new Set([old[0]!.source_file]) }), TEST_PARAMETERS);
    assert.deepEqual(outcome, { runs: 19, how: 'rewritten', regrouped: 1 });
    assert.match(readParquetFooter(readFileSync(file)).createdBy, /^strata/);
    const rows = bySource(await read(file));
    assert.equal(rows.size, 19);
    assert.equal(rows.has(old[0]!.source_file), false);
    assert.equal((rows.get(old[1]!.source_file)?.start_time_utc as Date).toISOString(), (old[1]!.start_time_utc as Date).toISOString());
    // The next batch appends.
    assert.equal((await appendToManifest(file, batch(runsOf(7, 2)), TEST_PARAMETERS)).how, 'appended');
  });

  it('keeps a parameter column the YAML no longer maps, and gives a new one to every run (null for the older ones) without rewriting them', async () => {
    const file = path.join(tempDir(), 'manifest.parquet');
    const old = runsOf(4, 4);
    await appendToManifest(file, batch(old), TEST_PARAMETERS);
    const before = readFileSync(file);
    const oldGroup = readParquetFooter(before).rowGroups[0]!;
    const grown: ParameterColumn[] = [...TEST_PARAMETERS.filter((p) => p.name !== 'sample'), { name: 'gain', type: 'int' }, { name: 'label', type: 'str' }];
    const newRuns = valid([manifestRow({ start: '2025-09-08T10:00:00Z', fileIdx: 1, extra: { gain: 3, label: 'x' } })], grown);
    assert.deepEqual(await appendToManifest(file, batch(newRuns, {}, grown), grown), { runs: 5, how: 'appended', regrouped: 0 });
    // The old runs' column chunks are the same bytes, at the same place (the new columns' nulls come after them).
    const after = readFileSync(file);
    assert.ok(after.subarray(oldGroup.start, oldGroup.end).equals(before.subarray(oldGroup.start, oldGroup.end)));
    const rows = await read(file);
    assert.equal(rows.length, 5);
    assert.ok(rows.every((r) => 'sample' in r));
    assert.deepEqual(rows.map((r) => r.gain).sort(), [3, null, null, null, null]);
    assert.deepEqual(rows.map((r) => r.label).sort(), [null, null, null, null, 'x']);
    const oldRow = bySource(rows).get(old[2]!.source_file)!;
    assert.equal(oldRow.sample, old[2]!.sample);
    assert.equal((oldRow.start_time_utc as Date).toISOString(), (old[2]!.start_time_utc as Date).toISOString());
    // strata's own reader (hyparquet) agrees, column by column, and the next batch appends again.
    const seen = await readManifestColumns(file, ['source_file', 'gain', 'sample']);
    assert.deepEqual(seen.map((r) => (r.gain == null ? null : Number(r.gain))).sort(), [3, null, null, null, null]);
    assert.equal(seen.find((r) => r.source_file === old[2]!.source_file)?.sample, old[2]!.sample);
    assert.equal((await appendToManifest(file, batch(runsOf(9, 2), {}, grown), grown)).how, 'appended');
    assert.equal((await read(file)).length, 7);
  });

  it('rewrites the manifest once when a parameter column changes type', async () => {
    const file = path.join(tempDir(), 'manifest.parquet');
    await appendToManifest(file, batch(runsOf(4, 3)), TEST_PARAMETERS);
    const retyped: ParameterColumn[] = TEST_PARAMETERS.map((p) => (p.name === 'sample' ? { ...p, type: 'int' } : p));
    const outcome = await appendToManifest(file, batch(valid([manifestRow({ start: '2025-09-08T10:00:00Z', fileIdx: 1, extra: { sample: 7 } })], retyped), {}, retyped), retyped);
    assert.equal(outcome.how, 'rewritten');
    assert.equal((await read(file)).length, 4);
  });
});
