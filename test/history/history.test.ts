import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { lastJson, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';
import { manifestRow, writeTestManifest } from './manifest-fixtures.js';

type Json = Record<string, unknown>;

async function historyJson(manifest: string, chip: string, ...flags: string[]): Promise<Json[]> {
  const run = await runCli(['history', chip, '--manifest', manifest, '--format', 'json', ...flags]);
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout) as Json[];
}

const chip67 = [
  manifestRow({ start: '2025-09-05T14:00:00Z', fileIdx: 1, proc: 'IVg' }),
  manifestRow({ start: '2025-09-04T15:00:00Z', fileIdx: 7 }),
  manifestRow({ start: '2025-09-04T15:00:00Z', fileIdx: 3 }), // same second: file_idx breaks the tie
  manifestRow({ start: '2025-09-04T13:00:00Z', fileIdx: 9, light: false }),
  manifestRow({ start: '2025-10-01T12:00:00Z', fileIdx: 1 }),
];
const otherChips = [
  manifestRow({ start: '2025-09-04T10:00:00Z', fileIdx: 2, chip: 72 }),
  manifestRow({ start: '2025-09-04T11:00:00Z', fileIdx: 1, chip: null, group: null, proc: 'LaserCalibration' }),
];

describe('strata history', () => {
  it('numbers a chip\'s runs from 1 across days by start time, then file_idx, leaving other chips out', async () => {
    const manifest = path.join(tempDir(), 'manifest.parquet');
    await writeTestManifest(manifest, [...chip67, ...otherChips]);
    const runs = await historyJson(manifest, '67');
    assert.deepEqual(runs.map((r) => r['seq']), [1, 2, 3, 4, 5]);
    assert.deepEqual(runs.map((r) => `${r['date_local']} ${r['file_idx']}`), ['2025-09-04 9', '2025-09-04 3', '2025-09-04 7', '2025-09-05 1', '2025-10-01 1']);
    assert.deepEqual(Object.keys(runs[0]!), ['seq', 'date_local', 'time_local', 'proc', 'has_light', 'summary', 'file_idx', 'run_id', 'source_file']);
    assert.equal(runs[0]!['has_light'], false);
    assert.equal(runs[0]!['summary'], 'Dark It (Vg=-3V, 120s)');
  });

  it('keeps the full-history seq when filtering by procedure and accepts a chip name', async () => {
    const manifest = path.join(tempDir(), 'manifest.parquet');
    await writeTestManifest(manifest, [...chip67, ...otherChips]);
    const ivg = await historyJson(manifest, 'alisson67', '--proc', 'IVg');
    assert.deepEqual(ivg.map((r) => [r['seq'], r['proc']]), [[4, 'IVg']]);
  });

  it('never changes the seq of existing runs when later runs are staged', async () => {
    const manifest = path.join(tempDir(), 'manifest.parquet');
    await writeTestManifest(manifest, chip67);
    const before = await historyJson(manifest, '67');
    const later = [manifestRow({ start: '2025-10-02T12:00:00Z', fileIdx: 1 }), manifestRow({ start: '2025-10-01T12:00:00Z', fileIdx: 2 })];
    await writeTestManifest(manifest, [...chip67, ...later]);
    const after = await historyJson(manifest, '67');
    assert.deepEqual(after.slice(0, before.length).map((r) => [r['run_id'], r['seq']]), before.map((r) => [r['run_id'], r['seq']]));
    assert.deepEqual(after.slice(before.length).map((r) => r['seq']), [6, 7]);
  });

  it('shows local dates and times in America/Santiago across both DST changes', async () => {
    const manifest = path.join(tempDir(), 'manifest.parquet');
    const rows = [
      // Clocks went back at 2025-04-06 00:00 local (03:00Z): 23:30 happens twice on 2025-04-05.
      manifestRow({ start: '2025-04-06T02:30:00Z', fileIdx: 1, dateLocal: '2025-04-05' }),
      manifestRow({ start: '2025-04-06T03:30:00Z', fileIdx: 2, dateLocal: '2025-04-05' }),
      // Clocks went forward at 2025-09-07 00:00 local (04:00Z): midnight never happened.
      manifestRow({ start: '2025-09-07T03:59:59Z', fileIdx: 3, dateLocal: '2025-09-06' }),
      manifestRow({ start: '2025-09-07T04:00:00Z', fileIdx: 4, dateLocal: '2025-09-07' }),
    ];
    await writeTestManifest(manifest, rows);
    const runs = await historyJson(manifest, '67');
    assert.deepEqual(runs.map((r) => `${r['date_local']} ${r['time_local']}`), [
      '2025-04-05 23:30:00',
      '2025-04-05 23:30:00',
      '2025-09-06 23:59:59',
      '2025-09-07 01:00:00',
    ]);
    const utc = await historyJson(manifest, '67', '--local-tz', 'UTC');
    assert.equal(utc[3]!['time_local'], '04:00:00');
  });

  it('places a run without a start time at the start of its folder date', async () => {
    const manifest = path.join(tempDir(), 'manifest.parquet');
    await writeTestManifest(manifest, [...chip67, manifestRow({ start: null, dateLocal: '2025-09-05', fileIdx: 4 })]);
    const runs = await historyJson(manifest, '67');
    assert.deepEqual(runs.map((r) => r['time_local'] === null), [false, false, false, true, false, false]);
    assert.equal(runs[3]!['date_local'], '2025-09-05');
  });

  it('asks for --group when two groups use the chip number, and prints a table that fits the terminal', async () => {
    const manifest = path.join(tempDir(), 'manifest.parquet');
    await writeTestManifest(manifest, [...chip67, manifestRow({ start: '2025-09-09T12:00:00Z', group: 'rojas', fileIdx: 1 })]);
    const ambiguous = await runCli(['history', '67', '--manifest', manifest]);
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.stderr, /groups Alisson, Rojas: pass --group/);
    const table = await runCli(['history', '67', '--group', 'Rojas', '--manifest', manifest]);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /History of Rojas67/);
    assert.match(table.stdout, /☀ light/);
    assert.ok(table.stdout.split('\n').every((line) => line.length <= 120));
  });

  it('writes CSV to --out and a JSON summary line', async () => {
    const dir = tempDir();
    const manifest = path.join(dir, 'manifest.parquet');
    await writeTestManifest(manifest, chip67);
    const run = await runCli(['history', '67', '--manifest', manifest, '--format', 'csv', '--out', 'h.csv', '--json'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(lastJson(run), { chip: 'Alisson67', runs: 5, manifest });
    const records = parse(readFileSync(path.join(dir, 'h.csv')), { columns: true }) as Json[];
    assert.deepEqual(records.map((r) => r['seq']), ['1', '2', '3', '4', '5']);
  });

  it('refuses a bad chip argument, a bad format and a missing manifest', async () => {
    assert.equal((await runCli(['history', 'chip?'])).code, 2);
    assert.equal((await runCli(['history', '67', '--format', 'xml'])).code, 2);
    const missing = await runCli(['history', '67', '--manifest', path.join(tempDir(), 'none.parquet')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no manifest at/);
  });

  it('says there is no such chip and exits 1, in history and inspect-manifest; a chip whose filters leave nothing is not an error', async () => {
    const dir = tempDir();
    const manifest = path.join(dir, 'manifest.parquet');
    await writeTestManifest(manifest, [...chip67, ...otherChips]);
    for (const args of [
      ['history', '999'],
      ['history', '999', '--format', 'csv', '--out', 'h.csv'],
      ['history', 'Bruno67'],
      ['inspect-manifest', '--chip', '999'],
    ]) {
      const run = await runCli([...args, '--manifest', manifest], { cwd: dir });
      assert.equal(run.code, 1, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stdout, '', args.join(' '));
      assert.match(run.stderr, /^strata: there is no chip (999|Bruno67) in .*manifest\.parquet; its chips with the most runs: Alisson67, Alisson72\n$/);
    }
    assert.equal(existsSync(path.join(dir, 'h.csv')), false);
    const filtered = await runCli(['history', '72', '--proc', 'IVg', '--manifest', manifest, '--format', 'json']);
    assert.equal(filtered.code, 0, filtered.stderr);
    assert.deepEqual(JSON.parse(filtered.stdout), []);
    assert.match(filtered.stderr, /no runs of chip 72 match these filters/);
  });
});

describe('strata histories', () => {
  it('writes one <Group><Number>_history.csv per chip with at least N runs', async () => {
    const dir = tempDir();
    const manifest = path.join(dir, 'manifest.parquet');
    await writeTestManifest(manifest, [...chip67, ...otherChips]);
    const run = await runCli(['histories', '--manifest', manifest, '--out-dir', 'h', '--min-experiments', '2', '--json'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(lastJson(run)['chips'], 1);
    assert.ok(existsSync(path.join(dir, 'h', 'Alisson67_history.csv')));
    assert.ok(!existsSync(path.join(dir, 'h', 'Alisson72_history.csv')));
  });

  it('keeps every seq when later runs arrive, and says so when an earlier-dated run arriving late moves them', async () => {
    const dir = tempDir();
    const manifest = path.join(dir, 'manifest.parquet');
    const args = ['histories', '--manifest', manifest, '--out-dir', dir, '--json'];
    await writeTestManifest(manifest, chip67);
    await runCli(args);
    await writeTestManifest(manifest, [...chip67, manifestRow({ start: '2025-11-01T12:00:00Z', fileIdx: 1 })]);
    const later = await runCli(args);
    assert.equal(lastJson(later)['renumbered'], 0);
    await writeTestManifest(manifest, [...chip67, manifestRow({ start: '2025-11-01T12:00:00Z', fileIdx: 1 }), manifestRow({ start: '2025-09-01T12:00:00Z', fileIdx: 1 })]);
    const late = await runCli(args);
    assert.equal(lastJson(late)['renumbered'], 6);
    assert.match(late.stderr, /Alisson67: 6 runs moved to a new seq/);
  });
});

describe('strata inspect-manifest and export-metadata', () => {
  it('filters by chip, procedure, dates and light', async () => {
    const manifest = path.join(tempDir(), 'manifest.parquet');
    await writeTestManifest(manifest, [...chip67, ...otherChips]);
    const count = async (...flags: string[]) => {
      const run = await runCli(['inspect-manifest', '--manifest', manifest, '--format', 'json', ...flags]);
      assert.equal(run.code, 0, run.stderr);
      return (JSON.parse(run.stdout) as Json[]).length;
    };
    assert.equal(await count(), 7);
    assert.equal(await count('--chip', '67'), 5);
    assert.equal(await count('--proc', 'ivg'), 1);
    assert.equal(await count('--date', '2025-09-04'), 5);
    assert.equal(await count('--from', '2025-09-05', '--to', '2025-10-01'), 2);
    assert.equal(await count('--light', 'no'), 1);
    assert.equal((await runCli(['inspect-manifest', '--manifest', manifest, '--date', '2025-09-04', '--from', '2025-09-01'])).code, 2);
  });

  it('writes one metadata.csv per day whose text cells cannot run as spreadsheet formulas', async () => {
    const dir = tempDir();
    const manifest = path.join(dir, 'manifest.parquet');
    const rows = [
      manifestRow({ start: '2025-09-04T15:00:00Z', fileIdx: 1, extra: { information: '=HYPERLINK("http://x")', sample: '-3 dB' } }),
      manifestRow({ start: '2025-09-05T15:00:00Z', fileIdx: 1, extra: { information: '@SUM(A1)', sample: 'biotite' } }),
    ];
    await writeTestManifest(manifest, rows);
    const run = await runCli(['export-metadata', '--manifest', manifest, '--out-dir', 'days', '--json'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(lastJson(run)['days'], 2);
    const day = parse(readFileSync(path.join(dir, 'days', '2025-09-04', 'metadata.csv')), { columns: true }) as Json[];
    assert.equal(day[0]!['information'], `'=HYPERLINK("http://x")`);
    assert.equal(day[0]!['sample'], `'-3 dB`);
    assert.equal(day[0]!['vg_v'], '-3'); // a number stays a number
    const one = await runCli(['export-metadata', '--manifest', manifest, '--out-dir', 'one', '--date', '2025-09-05', '--json'], { cwd: dir });
    assert.equal(lastJson(one)['days'], 1);
  });
});
