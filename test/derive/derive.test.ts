// `strata derive` on a generated lab corpus: the YAML declares the metrics, re-runs are idempotent, only new or
// restaged runs (and changed declarations) are computed, a bad run gives a flag and never a crash, and enriched
// histories carry the metric columns.
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { deriveMetrics, type DeriveSummary } from '../../src/derive/derive-metrics.js';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { Engine, sqlLiteral } from '../../src/engine/duckdb.js';
import { loadProcedureCatalog, parseProcedureCatalog, type ProcedureCatalog } from '../../src/schema/procedures-schema.js';
import { lastJson, runCli } from '../support/run-cli.js';
import { stageInto } from '../support/stage-lake.js';
import { tempDir } from '../support/temp-dir.js';
import { SHIPPED_PROCEDURES_YAML } from '../../src/schema/shipped-procedures.js';

const SHIPPED_YAML = SHIPPED_PROCEDURES_YAML;
const shipped = loadProcedureCatalog(SHIPPED_YAML);

interface Lake {
  readonly raw: string;
  readonly root: string;
  readonly manifest: string;
  readonly stageRoot: string;
  readonly derived: string;
}

/** A generated corpus of every procedure over a few days and chips, and more time traces and calibrations, staged. */
async function stagedLake(files = 90): Promise<Lake> {
  const root = tempDir('strata-derive-');
  const raw = path.join(root, 'raw');
  await generateLabCorpus({ root: raw, files, chips: 3, days: 3, seed: 7 });
  await generateLabCorpus({ root: raw, files: Math.ceil(files / 3), chips: 3, days: 1, seed: 8, startDate: '2025-09-20', procedures: ['Vt', 'ITt', 'VVg', 'LaserCalibration'] });
  const { config } = await stageInto(raw, root);
  return { raw, root, manifest: config.manifestPath, stageRoot: config.stageRoot, derived: path.join(root, '03_derived') };
}

const derive = (lake: Lake, options: { catalog?: ProcedureCatalog; force?: boolean } = {}): Promise<DeriveSummary> =>
  deriveMetrics({ manifestFile: lake.manifest, stageRoot: lake.stageRoot, derivedRoot: lake.derived, catalog: options.catalog ?? shipped, force: options.force ?? false, extractionVersion: 'test' });

type Row = { run_id: string; proc: string; metric_name: string; value_float: number | null; flags: string | null; confidence: number | null; unit: string | null };

async function query<T extends Record<string, unknown>>(sql: string): Promise<T[]> {
  const engine = await Engine.open();
  const conn = await engine.connect();
  try {
    return await conn.all<T>(sql);
  } finally {
    conn.close();
    engine.close();
  }
}

const metricsOf = (lake: Lake) => query<Row>(`SELECT * FROM read_parquet(${sqlLiteral(path.join(lake.derived, '_metrics', 'metrics.parquet'))})`);
const manifestOf = (lake: Lake) => query<{ run_id: string; proc: string; path: string; source_file: string; has_light: boolean | null; chip_name: string | null }>(`SELECT * FROM read_parquet(${sqlLiteral(lake.manifest)})`);
const metricsBytes = (lake: Lake) => readFileSync(path.join(lake.derived, '_metrics', 'metrics.parquet'));

describe('strata derive on a fresh lake', () => {
  it('computes the metrics each procedure declares in the YAML, into metrics.parquet with the contract\'s columns', async () => {
    const lake = await stagedLake();
    const summary = await derive(lake);
    const columns = await query<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet(${sqlLiteral(summary.layout.metricsFile)})`);
    assert.deepEqual(
      columns.map((c) => c.column_name),
      ['run_id', 'chip_group', 'chip_number', 'proc', 'metric_name', 'value_float', 'unit', 'method', 'extraction_version', 'confidence', 'flags', 'value_json'],
    );
    const rows = await metricsOf(lake);
    const runs = await manifestOf(lake);
    for (const proc of ['IVg', 'VVg', 'It', 'Vt', 'ITt']) {
      const declared = shipped.procedures.get(proc)!.metrics.map((m) => m.name);
      const found = new Set(rows.filter((r) => r.proc === proc).map((r) => r.metric_name));
      assert.ok(found.size > 0, `${proc} has metrics`);
      for (const name of found) assert.ok(declared.includes(name), `${proc} ${name} is declared in the YAML`);
    }
    // The names the page builds its views on, with their units.
    const unitOf = (name: string) => new Set(rows.filter((r) => r.metric_name === name).map((r) => r.unit));
    assert.deepEqual(unitOf('cnp_voltage'), new Set(['V']));
    assert.deepEqual(unitOf('cnp_resistance'), new Set(['ohm']));
    assert.deepEqual(unitOf('delta_current'), new Set(['A']));
    assert.deepEqual(unitOf('delta_voltage'), new Set(['V']));
    assert.deepEqual(unitOf('laser_power'), new Set(['W']));
    // Every generated IVg sweep loops, so every one has a CNP; every lit It run has a laser power.
    const ivg = runs.filter((r) => r.proc === 'IVg');
    const cnps = rows.filter((r) => r.proc === 'IVg' && r.metric_name === 'cnp_voltage' && r.value_float !== null);
    assert.equal(cnps.length, ivg.length);
    const litIt = runs.filter((r) => r.proc === 'It' && r.has_light === true).map((r) => r.run_id);
    assert.ok(litIt.length > 0);
    for (const id of litIt) assert.ok(rows.some((r) => r.run_id === id && r.metric_name === 'laser_power'), `lit It run ${id} has a laser power row`);
    // A dark run has no photoresponse row at all (not applicable), as in the lab's model.
    const darkIt = runs.filter((r) => r.proc === 'It' && r.has_light === false).map((r) => r.run_id);
    for (const id of darkIt) assert.ok(!rows.some((r) => r.run_id === id && r.metric_name === 'delta_current'));
    assert.equal(summary.computed, new Set(rows.map((r) => r.run_id)).size + darkRunsWithoutRows(rows, runs));
  });

  it('is idempotent: a re-run computes nothing and leaves metrics.parquet as it was; --force writes the same bytes', async () => {
    const lake = await stagedLake(40);
    const first = await derive(lake);
    assert.ok(first.computed > 0 && first.written);
    const bytes = metricsBytes(lake);
    const mtime = statSync(first.layout.metricsFile).mtimeMs;
    const again = await derive(lake);
    assert.equal(again.computed, 0);
    assert.equal(again.written, false);
    assert.equal(statSync(first.layout.metricsFile).mtimeMs, mtime, 'not even rewritten');
    const forced = await derive(lake, { force: true });
    assert.equal(forced.computed, first.computed);
    assert.deepEqual(metricsBytes(lake), bytes, 'the same metrics make the same file');
  });
});

/** Runs of procedures with metrics that got no row (dark runs whose only metrics do not apply to them). */
function darkRunsWithoutRows(rows: readonly Row[], runs: readonly { run_id: string; proc: string }[]): number {
  const withRows = new Set(rows.map((r) => r.run_id));
  return runs.filter((r) => (shipped.procedures.get(r.proc)?.metrics.length ?? 0) > 0 && !withRows.has(r.run_id)).length;
}

describe('strata derive on a lake that changed', () => {
  it('computes only the new run and the restaged run, and keeps every other row as it was', async () => {
    const lake = await stagedLake(60);
    await derive(lake);
    const before = await metricsOf(lake);
    const runs = await manifestOf(lake);
    const ivg = runs.find((r) => r.proc === 'IVg' && r.has_light === false)!;
    const it = runs.find((r) => r.proc === 'It' && r.has_light === false)!;
    // A new run: the same sweep under a new name. A restaged run: one It file whose data changed.
    copyFileSync(path.join(lake.raw, ivg.source_file), path.join(lake.raw, ivg.source_file.replace(/_(\d+)\.csv$/, '_9$1.csv')));
    const itFile = path.join(lake.raw, it.source_file);
    const text = readFileSync(itFile, 'utf8');
    const lines = text.trimEnd().split('\n');
    writeFileSync(itFile, `${lines.slice(0, -1).join('\n')}\n`);
    await stageInto(lake.raw, lake.root);
    const summary = await derive(lake);
    assert.equal(summary.computed, 2, 'the new run and the restaged one');
    const after = await metricsOf(lake);
    const changed = new Set((await manifestOf(lake)).filter((r) => !runs.some((o) => o.run_id === r.run_id)).map((r) => r.run_id));
    changed.add(it.run_id);
    const untouched = (rows: readonly Row[]) => rows.filter((r) => !changed.has(r.run_id)).map((r) => JSON.stringify(r)).sort();
    assert.deepEqual(untouched(after), untouched(before));
    assert.ok(after.some((r) => changed.has(r.run_id) && r.metric_name === 'cnp_voltage' && r.value_float !== null), 'the new sweep has its CNP');
  });

  it('computes a metric added to the YAML for every run of its procedure, and drops the rows of one taken out', async () => {
    const lake = await stagedLake(60);
    await derive(lake);
    const text = readFileSync(SHIPPED_YAML, 'utf8');
    const added = text.replace('      tau_dark:             { extractor: relaxation }', '      tau_dark:             { extractor: relaxation }\n      beta_dark:            { extractor: relaxation, value: beta }');
    assert.notEqual(added, text);
    const before = await metricsOf(lake);
    const withBeta = await derive(lake, { catalog: parseProcedureCatalog(added, SHIPPED_YAML) });
    const itRuns = (await manifestOf(lake)).filter((r) => r.proc === 'It').length;
    assert.equal(withBeta.computed, itRuns, 'every It run, for its new metric only');
    const after = await metricsOf(lake);
    assert.equal(after.filter((r) => r.metric_name === 'beta_dark').length, itRuns);
    assert.deepEqual(after.filter((r) => r.metric_name !== 'beta_dark').map((r) => JSON.stringify(r)).sort(), before.map((r) => JSON.stringify(r)).sort());
    const removed = text.replace('      photoresponse_ratio:  { extractor: photoresponse, signal: i_a, value: ratio } # mean lit I over mean dark I, minus 1\n', '');
    assert.notEqual(removed, text);
    const without = await derive(lake, { catalog: parseProcedureCatalog(removed, SHIPPED_YAML) });
    assert.equal(without.computed, 0);
    assert.ok(without.dropped > 0 && without.written);
    const last = await metricsOf(lake);
    assert.equal(last.filter((r) => r.proc === 'It' && r.metric_name === 'photoresponse_ratio').length, 0);
    assert.ok(last.some((r) => r.proc === 'Vt' && r.metric_name === 'photoresponse_ratio'), 'Vt still declares it');
  });
});

describe('a bad run', () => {
  it('gives its metrics a flag and a null value, never a crash: a damaged, a missing or an escaping data file, a sweep that does not loop', async () => {
    const root = tempDir('strata-derive-bad-');
    const raw = path.join(root, 'raw');
    await generateLabCorpus({ root: raw, files: 40, chips: 2, days: 2, seed: 3 });
    // One IVg whose gate never moved (its output off): there is no leg to find a CNP on.
    const ivgFile = (readdirSync(raw, { recursive: true }) as string[]).find((f) => /IVg\d/.test(path.basename(f)))!;
    const lines = readFileSync(path.join(raw, ivgFile), 'utf8').split('\n');
    const header = lines.findIndex((l) => l.startsWith('#Data:'));
    writeFileSync(path.join(raw, ivgFile), lines.map((l, i) => (i > header + 1 && l.includes(',') ? `0.0${l.slice(l.indexOf(','))}` : l)).join('\n'));
    const { config } = await stageInto(raw, root);
    const lake: Lake = { raw, root, manifest: config.manifestPath, stageRoot: config.stageRoot, derived: path.join(root, '03_derived') };
    const runs = await manifestOf(lake);
    const its = runs.filter((r) => r.proc === 'It' && r.has_light === true);
    const [damaged, missing, escaping] = its;
    writeFileSync(path.join(lake.stageRoot, damaged!.path), 'PAR1 not a parquet file');
    rmSync(path.join(lake.stageRoot, missing!.path));
    await query(`COPY (SELECT * REPLACE (CASE WHEN run_id = ${sqlLiteral(escaping!.run_id)} THEN '../../../../etc/passwd' ELSE path END AS path) FROM read_parquet(${sqlLiteral(lake.manifest)})) TO ${sqlLiteral(`${lake.manifest}.new`)} (FORMAT parquet)`);
    rmSync(lake.manifest);
    copyFileSync(`${lake.manifest}.new`, lake.manifest);

    const summary = await derive(lake);
    const rows = await metricsOf(lake);
    const of = (runId: string, metric: string) => rows.find((r) => r.run_id === runId && r.metric_name === metric);
    for (const [run, flag] of [
      [damaged!, 'DATA_FILE_UNREADABLE'],
      [missing!, 'DATA_FILE_MISSING'],
      [escaping!, 'DATA_FILE_OUTSIDE_LAKE'],
    ] as const) {
      assert.equal(of(run.run_id, 'delta_current')?.value_float, null);
      assert.equal(of(run.run_id, 'delta_current')?.flags, flag);
      const power = of(run.run_id, 'laser_power');
      assert.ok(power !== undefined && !(power.flags ?? '').includes('DATA_FILE'), `${flag}: the laser power needs no data file`);
    }
    const sweep = runs.find((r) => r.source_file === ivgFile.split(path.sep).join('/'))!;
    assert.equal(of(sweep.run_id, 'cnp_voltage')?.value_float, null);
    assert.equal(of(sweep.run_id, 'cnp_voltage')?.flags, 'SWEEP_NOT_LOOPED');
    assert.ok(summary.missingByFlag.some((m) => m.flag === 'SWEEP_NOT_LOOPED' && m.example.sourceFile === sweep.source_file));
    assert.ok(rows.filter((r) => r.metric_name === 'cnp_voltage' && r.value_float !== null).length > 0, 'the other runs are derived');
  });
});

describe('enriched chip histories', () => {
  it('carry one column per metric, and are rewritten only for the chips whose runs changed', async () => {
    const lake = await stagedLake(60);
    const first = await runCli(['derive', '--manifest', lake.manifest, '--derived-root', lake.derived, '--json']);
    assert.equal(first.code, 0, first.stderr);
    const summary = lastJson<{ histories: { written: number; unchanged: number; dir: string } }>(first);
    const chips = readdirSync(summary.histories.dir).filter((f) => f.endsWith('_history.parquet'));
    assert.equal(summary.histories.written, chips.length);
    const file = path.join(summary.histories.dir, chips[0]!);
    const columns = (await query<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet(${sqlLiteral(file)})`)).map((c) => c.column_name);
    for (const name of ['seq', 'proc', 'run_id', 'parquet_path', 'cnp_voltage', 'delta_current', 'laser_power', 'tau_dark']) assert.ok(columns.includes(name), name);
    const [check] = await query<{ n: number }>(
      `SELECT count(*) AS n FROM read_parquet(${sqlLiteral(file)}) h JOIN read_parquet(${sqlLiteral(path.join(lake.derived, '_metrics', 'metrics.parquet'))}) m
       ON h.run_id = m.run_id AND m.metric_name = 'cnp_voltage' WHERE h.cnp_voltage IS DISTINCT FROM m.value_float`,
    );
    assert.equal(check!.n, 0, "the history's cnp_voltage is the run's metric");
    const [chipRow] = await query<{ chip_group: string; chip_number: number }>(`SELECT chip_group, chip_number FROM read_parquet(${sqlLiteral(file)}) LIMIT 1`);
    const history = await runCli(['history', String(chipRow!.chip_number), '--group', chipRow!.chip_group, '--manifest', lake.manifest, '--format', 'json']);
    const seqs = (JSON.parse(history.stdout) as { seq: number; run_id: string }[]).map((r) => `${r.seq}:${r.run_id}`);
    const enriched = (await query<{ seq: number; run_id: string }>(`SELECT seq, run_id FROM read_parquet(${sqlLiteral(file)}) ORDER BY seq`)).map((r) => `${r.seq}:${r.run_id}`);
    assert.deepEqual(enriched, seqs, 'seq as `strata history` numbers the runs');

    // One new IVg run of one chip: that chip's history is written again, the others are not.
    const runs = await manifestOf(lake);
    const ivg = runs.find((r) => r.proc === 'IVg' && r.chip_name !== null)!;
    copyFileSync(path.join(lake.raw, ivg.source_file), path.join(lake.raw, ivg.source_file.replace(/_(\d+)\.csv$/, '_9$1.csv')));
    await stageInto(lake.raw, lake.root);
    const second = lastJson<{ computed: number; histories: { written: number; unchanged: number } }>(await runCli(['derive', '--manifest', lake.manifest, '--derived-root', lake.derived, '--json']));
    assert.equal(second.computed, 1);
    assert.equal(second.histories.written, 1);
    assert.equal(second.histories.unchanged, chips.length - 1);
  });
});

describe('the derive command', () => {
  it('prints progress and sentences on stderr, one JSON summary with --json, nothing with --quiet', async () => {
    const lake = await stagedLake(30);
    const talk = await runCli(['derive', '--manifest', lake.manifest, '--derived-root', lake.derived]);
    assert.equal(talk.code, 0, talk.stderr);
    assert.equal(talk.stdout, '');
    assert.match(talk.stderr, /deriving metrics: \d+\/\d+/);
    assert.match(talk.stderr, /derived the metrics of \d+ runs/);
    const quiet = await runCli(['derive', '--manifest', lake.manifest, '--derived-root', lake.derived, '--quiet', '--force']);
    assert.equal(quiet.code, 0);
    assert.equal(quiet.stderr + quiet.stdout, '');
    const json = await runCli(['derive', '--manifest', lake.manifest, '--derived-root', lake.derived, '--json']);
    assert.equal(json.stdout.trim().split('\n').length, 1);
    const summary = lastJson(json);
    for (const key of ['runs', 'computed', 'unchanged', 'values', 'missing', 'metrics', 'histories', 'seconds']) assert.ok(key in summary, key);
    assert.equal(summary['computed'], 0);
  });

  it('says what is wrong, in a sentence and exit 2, for a missing manifest or a metric naming a column its procedure lacks', async () => {
    const dir = tempDir();
    const missing = await runCli(['derive', '--manifest', path.join(dir, 'nope.parquet'), '--stage-root', dir]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no manifest at .*nope\.parquet/);
    const yaml = path.join(dir, 'procedures.yml');
    writeFileSync(yaml, readFileSync(SHIPPED_YAML, 'utf8').replace('delta_current:        { extractor: photoresponse, signal: i_a }', 'delta_current:        { extractor: photoresponse, signal: id_a }'));
    const lake = await stagedLake(10);
    const bad = await runCli(['derive', '--manifest', lake.manifest, '--procedures-yaml', yaml]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /metric 'delta_current' of It reads data column 'id_a', which It does not declare under data:/);
  });
});
