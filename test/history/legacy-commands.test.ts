// The Python system's commands and flags (design docs 001 s.7, 002 Phase 5) still work, and the history flags it had.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { Engine } from '../../src/engine/duckdb.js';
import { lastJson, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';
import { manifestRow, writeTestManifest } from './manifest-fixtures.js';

const CHIPS = [{ group: 'Alisson', number: 67 }, { group: 'Alisson', number: 75 }];
const MANIFEST = 'data/02_stage/_manifest/manifest.parquet';

/** A generated corpus staged with `stage-all`, the old system's flags included. */
async function stagedWithStageAll(): Promise<{ cwd: string; stderr: string; summary: Record<string, unknown> }> {
  const cwd = tempDir();
  await generateLabCorpus({ root: path.join(cwd, 'data', '01_raw'), files: 30, chips: CHIPS, days: 2 });
  const run = await runCli(
    ['stage-all', '--raw-root', 'data/01_raw', '--stage-root', 'data/02_stage/raw_measurements', '--local-tz', 'America/Santiago', '--workers', '2',
      '--polars-threads', '2', '--extraction-version', 'v0.4.2+g1a2b3c', '--settle', '0', '--json'],
    { cwd },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.equal(run.stdout.trim().split('\n').length, 1, 'with --json the summary is the only stdout line');
  return { cwd, stderr: run.stderr, summary: lastJson(run) };
}

const csvOf = (file: string) => parse(readFileSync(file), { columns: true }) as Record<string, string>[];

describe("the Python system's commands", () => {
  it('stage-all stages with --polars-threads accepted and said unused, and records --extraction-version', async () => {
    const { cwd, stderr, summary } = await stagedWithStageAll();
    assert.equal(summary['rejected'], 0);
    assert.ok(Number(summary['ok']) > 0);
    assert.match(stderr, /--polars-threads is accepted .* and unused/);
    const engine = await Engine.open();
    const conn = await engine.connect();
    try {
      const rows = await conn.all<{ v: string }>(`SELECT DISTINCT extraction_version AS v FROM read_parquet('${path.join(cwd, MANIFEST)}')`);
      assert.deepEqual(rows.map((r) => r.v), ['v0.4.2+g1a2b3c']);
    } finally {
      conn.close();
      engine.close();
    }
  });

  it('stage-all defaults to the layout data/01_raw -> data/02_stage/raw_measurements, as the Python system did', async () => {
    const cwd = tempDir();
    await generateLabCorpus({ root: path.join(cwd, 'data', '01_raw'), files: 6, chips: CHIPS, days: 1 });
    const run = await runCli(['stage-all', '--settle', '0', '--json'], { cwd });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(lastJson(run)['ok'], 6);
    assert.ok(existsSync(path.join(cwd, MANIFEST)));
    assert.ok(readdirSync(path.join(cwd, 'data', '02_stage', 'raw_measurements')).some((d) => d.startsWith('proc=')));
    assert.equal((await runCli(['stage', '--settle', '0'], { cwd })).code, 2, 'stage itself keeps requiring its roots');
  });

  it('chip-histories, build-history, build-all-histories, full-pipeline and validate-manifest take the old flags', async () => {
    const { cwd } = await stagedWithStageAll();
    const chip = await runCli(['chip-histories', '--manifest-path', MANIFEST, '--chip', '67', '--out-csv', 'h/Alisson67_history.csv'], { cwd });
    assert.equal(chip.code, 0, chip.stderr);
    const rows = csvOf(path.join(cwd, 'h', 'Alisson67_history.csv'));
    assert.ok(rows.length > 0);
    assert.deepEqual(Object.keys(rows[0]!), ['seq', 'date_local', 'time_local', 'proc', 'has_light', 'light', 'summary', 'file_idx', 'run_id', 'source_file']);
    assert.ok(rows.every((r) => r['light'] === (r['has_light'] === 'true' ? '💡' : r['has_light'] === 'false' ? '🌙' : '❗')));

    const its = await runCli(['build-history', '--manifest-path', MANIFEST, '--chip', '67', '--chip-group', 'Alisson', '--proc', 'It', '--out-csv', 'it.csv'], { cwd });
    assert.equal(its.code, 0, its.stderr);
    const itRows = csvOf(path.join(cwd, 'it.csv'));
    assert.deepEqual(itRows.map((r) => r['run_id']), rows.filter((r) => r['proc'] === 'It').map((r) => r['run_id']));

    const all = await runCli(['build-all-histories', '--manifest-path', MANIFEST, '--histories-dir', 'histories', '--min-experiments', '1', '--chip-group', 'Alisson', '--json'], { cwd });
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(readdirSync(path.join(cwd, 'histories')).sort(), ['Alisson67_history.csv', 'Alisson75_history.csv']);

    const check = await runCli(['validate-manifest', '--manifest-path', MANIFEST], { cwd });
    assert.equal(check.code, 0, check.stderr);

    const full = await runCli(
      ['full-pipeline', '--raw-root', 'data/01_raw', '--stage-root', 'data/02_stage/raw_measurements', '--manifest-path', MANIFEST, '--chip', '75',
        '--history-out', 'data/histories/Alisson75_history.csv', '--settle', '0', '--json'],
      { cwd },
    );
    assert.equal(full.code, 0, full.stderr);
    assert.equal(full.stdout.trim().split('\n').length, 1);
    assert.equal(lastJson(full)['chip_runs'], csvOf(path.join(cwd, 'data', 'histories', 'Alisson75_history.csv')).length);
  });

  it('history --format parquet writes the history with each run\'s Parquet path, a file that exists', async () => {
    const { cwd } = await stagedWithStageAll();
    const run = await runCli(['history', '67', '--manifest', MANIFEST, '--format', 'parquet', '--out', 'h.parquet'], { cwd });
    assert.equal(run.code, 0, run.stderr);
    const many = await runCli(['histories', '--manifest', MANIFEST, '--out-dir', 'hp', '--format', 'parquet', '--json'], { cwd });
    assert.equal(many.code, 0, many.stderr);
    assert.ok(existsSync(path.join(cwd, 'hp', 'Alisson67_history.parquet')));
    const engine = await Engine.open();
    const conn = await engine.connect();
    try {
      const rows = await conn.all<{ seq: number; parquet_path: string; light: string }>(`SELECT seq, parquet_path, light FROM read_parquet('${path.join(cwd, 'h.parquet')}') ORDER BY seq`);
      assert.ok(rows.length > 0);
      assert.deepEqual(rows.map((r) => r.seq), rows.map((_, i) => i + 1));
      for (const r of rows) assert.ok(existsSync(r.parquet_path), r.parquet_path);
      assert.ok(rows.every((r) => ['💡', '🌙', '❗'].includes(r.light)));
      const [other] = await conn.all<{ n: number }>(`SELECT count(*) AS n FROM read_parquet('${path.join(cwd, 'hp', 'Alisson67_history.parquet')}')`);
      assert.equal(other!.n, rows.length);
    } finally {
      conn.close();
      engine.close();
    }
    const noOut = await runCli(['history', '67', '--manifest', MANIFEST, '--format', 'parquet'], { cwd });
    assert.equal(noOut.code, 2);
  });
});

describe('history --light and --limit', () => {
  it('keep the runs with or without light, or the most recent n, with seq as in the full history', async () => {
    const manifest = path.join(tempDir(), 'manifest.parquet');
    await writeTestManifest(manifest, [
      manifestRow({ start: '2025-09-04T13:00:00Z', fileIdx: 1, light: false }),
      manifestRow({ start: '2025-09-04T14:00:00Z', fileIdx: 2 }),
      manifestRow({ start: '2025-09-04T15:00:00Z', fileIdx: 3, light: false }),
      manifestRow({ start: '2025-09-04T16:00:00Z', fileIdx: 4 }),
    ]);
    const seqs = async (...flags: string[]) => {
      const run = await runCli(['history', '67', '--manifest', manifest, '--format', 'json', ...flags]);
      assert.equal(run.code, 0, run.stderr);
      return (JSON.parse(run.stdout) as { seq: number }[]).map((r) => r.seq);
    };
    assert.deepEqual(await seqs('--light', 'yes'), [2, 4]);
    assert.deepEqual(await seqs('--light', 'no'), [1, 3]);
    assert.deepEqual(await seqs('--limit', '2'), [3, 4]);
    assert.deepEqual(await seqs('--light', 'no', '--limit', '1'), [3]);
    assert.equal((await runCli(['history', '67', '--manifest', manifest, '--limit', '0'])).code, 2);
    const dir = path.dirname(manifest);
    const all = await runCli(['histories', '--manifest', manifest, '--out-dir', 'h', '--light', 'no', '--limit', '1'], { cwd: dir });
    assert.equal(all.code, 0, all.stderr);
    assert.deepEqual(csvOf(path.join(dir, 'h', 'Alisson67_history.csv')).map((r) => [r['seq'], r['light']]), [['3', '🌙']]);
  });
});
