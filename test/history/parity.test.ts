// `strata parity` against old-style history files the tests write, and (when present) the old system's real metadata.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../src/version.js';
import { lastJson, runCli } from '../support/run-cli.js';
import { stageInto } from '../support/stage-lake.js';
import { tempDir } from '../support/temp-dir.js';
import { manifestRow, writeTestManifest } from './manifest-fixtures.js';

type Finding = { kind: string; what: string; file: string; message: string };
type Report = { ok: boolean; differences: number; histories?: { compared: number; findings: Finding[] }; metadata?: { compared: number; absent: number; findings: Finding[] } };

const OLD_COLUMNS = 'seq,date,time_hms,proc,summary,source_file,file_idx,start_time,day_folder,has_light';

/** A line as the old system wrote it: its source_file is `raw_data/<day>/<file>`. */
function oldLine(seq: number, row: Record<string, unknown>): string {
  const start = new Date(String(row['start_time_utc']));
  const source = String(row['source_file']);
  const [day] = source.split('/');
  return [seq, day, start.toISOString().slice(11, 19), row['proc'], String(row['summary']).replaceAll(',', ';'), `raw_data/${source}`, row['file_idx'], start.getTime() / 1000, day, row['has_light']].join(',');
}

describe('strata parity --legacy-histories', () => {
  const a = manifestRow({ start: '2025-09-04T13:00:00Z', fileIdx: 1 });
  const b = manifestRow({ start: '2025-09-04T14:00:00Z', fileIdx: 2, proc: 'IVg', light: false });
  const c = manifestRow({ start: '2025-09-04T15:00:00Z', fileIdx: 3 });
  const d = manifestRow({ start: '2025-09-05T12:00:00Z', fileIdx: 4 });
  const typedOther = manifestRow({ start: '2025-09-12T12:00:00Z', fileIdx: 1, chip: 71, group: 'other', proc: 'IV' });

  async function lake(): Promise<{ dir: string; manifest: string }> {
    const dir = tempDir();
    const manifest = path.join(dir, 'manifest.parquet');
    await writeTestManifest(manifest, [a, b, c, d, typedOther]);
    mkdirSync(path.join(dir, 'old'));
    return { dir, manifest };
  }

  it('reports no difference when the old histories list the same runs in the same order', async () => {
    const { dir, manifest } = await lake();
    writeFileSync(path.join(dir, 'old', 'Alisson67_history.csv'), [OLD_COLUMNS, ...[a, b, c, d].map((r, i) => oldLine(i + 1, r)), ''].join('\n'));
    const run = await runCli(['parity', '--manifest', manifest, '--legacy-histories', 'old', '--json'], { cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    const report = lastJson<Report>(run);
    assert.equal(report.differences, 0);
    assert.equal(report.histories?.compared, 4);
    assert.equal(run.stdout.trim().split('\n').length, 1);
  });

  it('reports exactly a run listed twice, a run typed `other`, a missing run and two runs swapped, in words', async () => {
    const { dir, manifest } = await lake();
    // Alisson67: b and c swapped, a listed twice, d missing. Alisson71 lists the run whose header says `other`.
    writeFileSync(path.join(dir, 'old', 'Alisson67_history.csv'), [OLD_COLUMNS, oldLine(1, a), oldLine(2, c), oldLine(3, b), oldLine(4, a), ''].join('\n'));
    writeFileSync(path.join(dir, 'old', 'Alisson71_history.csv'), [OLD_COLUMNS, oldLine(1, typedOther), ''].join('\n'));
    const json = await runCli(['parity', '--manifest', manifest, '--legacy-histories', 'old', '--json'], { cwd: dir });
    assert.equal(json.code, 1);
    const findings = lastJson<Report>(json).histories!.findings;
    assert.deepEqual(
      findings.map((f) => `${f.kind} ${f.what} ${f.file}`).sort(),
      [
        `difference chip ${typedOther['source_file']}`,
        `difference extra ${d['source_file']}`,
        `difference order ${c['source_file']}`,
        `old-fault listed-twice ${a['source_file']}`,
      ].sort(),
    );
    const words = await runCli(['parity', '--manifest', manifest, '--legacy-histories', 'old'], { cwd: dir });
    assert.equal(words.code, 1);
    assert.equal(words.stdout, '');
    const base = (r: Record<string, unknown>) => path.posix.basename(String(r['source_file']));
    assert.match(words.stderr, new RegExp(`Alisson67: ${base(c)} and ${base(b)} are in the opposite order`));
    assert.match(words.stderr, new RegExp(`Alisson67: strata has ${String(d['source_file'])} .*the old history does not list it`));
    assert.match(words.stderr, /the old system listed this run twice in Alisson67's history; strata keeps one run/);
    assert.match(words.stderr, /types the chip group as "other", so strata filed it as [Oo]ther71, but the old system listed it under Alisson71.*--chip-params/);
    assert.match(words.stderr, /Old chip histories: 4 run\(s\) compared, 3 difference\(s\), 1 explained/);
  });

  it('says when the old history disagrees on proc, light or start time, and when a raw file present was never staged', async () => {
    const { dir, manifest } = await lake();
    const edited = oldLine(1, a).split(',');
    edited[3] = 'IVg'; // proc
    edited[7] = String(Number(edited[7]) + 2); // start time, 2 s later
    edited[9] = 'false'; // light
    const ghost = { ...c, source_file: '2025-09-04/It2025-09-04_9.csv' };
    mkdirSync(path.join(dir, 'raw', '2025-09-04'), { recursive: true });
    writeFileSync(path.join(dir, 'raw', '2025-09-04', 'It2025-09-04_9.csv'), '#Procedure: <x.It>\n');
    writeFileSync(path.join(dir, 'old', 'Alisson67_history.csv'), [OLD_COLUMNS, edited.join(','), ...[b, c, d].map((r, i) => oldLine(i + 2, r)), oldLine(6, ghost), ''].join('\n'));
    const run = await runCli(['parity', '--manifest', manifest, '--legacy-histories', 'old', '--raw-root', 'raw'], { cwd: dir });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /the old system says it is a IVg run, strata says It/);
    assert.match(run.stderr, /the old system says dark, strata says with light/);
    assert.match(run.stderr, /\(2\.000 s apart\)/);
    assert.match(run.stderr, /It2025-09-04_9\.csv: the old system lists it in Alisson67's history, strata has not staged it/);
  });

  it('is a usage error without an old folder, and names a folder that does not exist', async () => {
    const { dir, manifest } = await lake();
    assert.equal((await runCli(['parity', '--manifest', manifest], { cwd: dir })).code, 2);
    const missing = await runCli(['parity', '--manifest', manifest, '--legacy-histories', 'nowhere'], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nowhere: no such folder/);
  });
});

const corpus = path.resolve(projectRoot, '../shared/corpus');
const corpusSkip = process.env['STRATA_REQUIRE_CORPUS'] === '1' ? false : existsSync(path.join(corpus, 'legacy', 'metadata')) ? false : `the shared corpus is not at ${corpus}`;

describe('strata parity --legacy-metadata on the shared corpus', { skip: corpusSkip }, () => {
  const days = ['Alisson_15_sept', 'Alisson_12_sept', '2025-10-21'];

  function copyDays(): string {
    const raw = path.join(tempDir(), 'raw');
    for (const day of days) cpSync(path.join(corpus, 'lab', day), path.join(raw, day), { recursive: true });
    return raw;
  }

  async function parity(raw: string): Promise<{ code: number; report: Report; stderr: string }> {
    const lakeRoot = tempDir();
    const staged = await stageInto(raw, lakeRoot);
    assert.equal(staged.summary.rejected, 0);
    const run = await runCli(['parity', '--manifest', staged.config.manifestPath, '--legacy-metadata', path.join(corpus, 'legacy', 'metadata'), '--raw-root', raw, '--json']);
    return { code: run.code, report: lastJson<Report>(run), stderr: run.stderr };
  }

  it('finds no difference; the runs Alisson_15_sept_test lists again are the old system\'s fault, said so', async () => {
    const { code, report } = await parity(copyDays());
    assert.equal(code, 0, JSON.stringify(report.metadata?.findings.filter((f) => f.kind === 'difference')));
    assert.equal(report.metadata!.findings.filter((f) => f.what === 'listed-twice').length, 62);
    assert.ok(report.metadata!.findings.some((f) => f.what === 'group-other' && f.file.includes('IV2025-09-12_1.csv')));
    // Not compared, not a difference: the rows of the day folders not copied, and the two runs 2025-10-21 lists
    // whose raw files the corpus does not have.
    const rowsOf = (day: string) => readFileSync(path.join(corpus, 'legacy', 'metadata', day, 'metadata.csv'), 'utf8').trim().split('\n').length - 1;
    const notCopied = readdirSync(path.join(corpus, 'legacy', 'metadata')).filter((d) => !days.includes(d) && d !== 'Alisson_15_sept_test');
    assert.equal(report.metadata!.absent, notCopied.reduce((n, d) => n + rowsOf(d), 0) + 2);
  });

  it('reports each edit of a staged copy: a start time, a chip number, a laser turned off', async () => {
    const raw = copyDays();
    const edit = (file: string, from: RegExp, to: string) => {
      const full = path.join(raw, file);
      const text = readFileSync(full, 'latin1');
      assert.match(text, from, file);
      writeFileSync(full, text.replace(from, to), 'latin1');
    };
    edit('Alisson_15_sept/It2025-09-15_2.csv', /Start time: 1757954324\.3573768/, 'Start time: 1757954324.8573768');
    edit('Alisson_15_sept/It2025-09-15_3.csv', /Chip number: 68/, 'Chip number: 99');
    edit('Alisson_15_sept/It2025-09-15_4.csv', /Laser voltage: [\d.]+ V/, 'Laser voltage: 0.0 V');
    const { code, report } = await parity(raw);
    assert.equal(code, 1);
    const differences = report.metadata!.findings.filter((f) => f.kind === 'difference');
    assert.deepEqual(differences.map((f) => `${f.what} ${f.file}`).sort(), [
      'chip Alisson_15_sept/It2025-09-15_3.csv',
      'light Alisson_15_sept/It2025-09-15_4.csv',
      'start Alisson_15_sept/It2025-09-15_2.csv',
    ]);
    assert.match(differences.find((f) => f.what === 'chip')!.message, /the old system says chip Alisson68, strata says Alisson99/);
  });
});
