// Nothing inside a file decides where strata writes: every file a command writes stays under the root it was given,
// whatever chip group, procedure or day a raw file or a manifest holds.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { sqlLiteral } from '../../src/engine/duckdb.js';
import { lastJson, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';
import { withConn } from '../support/with-duckdb.js';
import { manifestRow, writeTestManifest } from '../history/manifest-fixtures.js';

/** A good It file, from the golden cases: its header lines are edited to make the hostile ones. */
const GOOD = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'golden', 'unsafe-names', 'raw', '2025-10-13', 'It2025-10-13_1.csv');
/** Far more `../` than any temp folder is deep: a name made with it reaches the file system's root. */
const TO_ROOT = '../'.repeat(40);

/** Every file under `dir` with its modification time. */
function filesUnder(dir: string): Map<string, number> {
  const files = new Map<string, number>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    files.set(file, statSync(file).mtimeMs);
  }
  return files;
}

/** Runs `command` and asserts that every file it made or changed under `sandbox` lies under one of `roots`. */
async function writesOnlyUnder(sandbox: string, roots: readonly string[], command: () => Promise<void>): Promise<void> {
  const before = filesUnder(sandbox);
  await command();
  const outside = [...filesUnder(sandbox)]
    .filter(([file, mtime]) => before.get(file) !== mtime)
    .map(([file]) => file)
    .filter((file) => !roots.some((root) => file.startsWith(`${root}${path.sep}`)));
  assert.deepEqual(outside, [], `written outside ${roots.join(', ')}`);
}

/** A raw file like GOOD, its chip group, chip number, procedure and start time replaced. */
function hostileFile(raw: string, name: string, { group, number, proc, start }: { group?: string; number?: number; proc?: string; start: number }): void {
  const text = readFileSync(GOOD, 'utf8')
    .replace(/^#\tChip group name: .*$/m, group === undefined ? '$&' : `#\tChip group name: ${group}`)
    .replace(/^#\tChip number: .*$/m, number === undefined ? '$&' : `#\tChip number: ${number}`)
    .replace(/^#Procedure: .*$/m, proc === undefined ? '$&' : `#Procedure: ${proc}`)
    .replace(/^#\tStart time: .*$/m, `#\tStart time: ${start}`);
  mkdirSync(raw, { recursive: true });
  writeFileSync(path.join(raw, name), text);
}

describe('every file a command writes stays under the root it was given', () => {
  it('stage and pipeline, over raw files whose chip groups and procedures climb out of the lake', async () => {
    const sandbox = tempDir();
    // The lake sits deep in the sandbox, so a name that climbs a few folders lands in the sandbox, where it shows.
    const deep = path.join(sandbox, 'a', 'b', 'c', 'd');
    const raw = path.join(deep, 'data', '01_raw');
    const escape = path.join('/tmp', `strataescape${randomBytes(6).toString('hex')}`);
    hostileFile(raw, 'good_1.csv', { start: 1_760_372_284 });
    hostileFile(raw, 'up_2.csv', { group: '../../../../../../escaped', number: 81, start: 1_760_372_300 });
    hostileFile(raw, 'root_3.csv', { group: `${TO_ROOT}${escape.slice(1)}/escaped`, number: 82, start: 1_760_372_310 });
    hostileFile(raw, 'slash_4.csv', { group: 'Grp/sub', number: 5, start: 1_760_372_320 });
    hostileFile(raw, 'empty_5.csv', { proc: '<>', start: 1_760_372_330 });
    hostileFile(raw, 'nested_6.csv', { proc: '<x/y>', start: 1_760_372_340 });
    hostileFile(raw, 'climb_7.csv', { proc: '<a.b.c/../../../../../../P>', start: 1_760_372_350 });
    hostileFile(raw, 'quote_8.csv', { proc: '<a.It"; DROP VIEW runs; -->', start: 1_760_372_360 });
    const data = path.join(deep, 'data');
    await writesOnlyUnder(sandbox, [data], async () => {
      const run = await runCli(['pipeline', '--data-root', data, '--settle', '0', '--json']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(lastJson(run)['ok'], 1);
      assert.equal(lastJson(run)['rejected'], 7);
    });
    assert.deepEqual(readdirSync(path.join(data, '03_history')), ['Alisson67_history.csv']);
    assert.deepEqual(readdirSync(path.join(data, '02_stage', 'raw_measurements')).filter((n) => !n.startsWith('.')), ['proc=It']);
    const lake = path.join(sandbox, 'elsewhere', 'lake');
    await writesOnlyUnder(sandbox, [lake], async () => {
      const run = await runCli(['stage', '--raw-root', raw, '--stage-root', path.join(lake, 'stage'), '--settle', '0', '--json']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(lastJson(run)['rejected'], 7);
    });
    assert.equal(existsSync(escape), false, `${escape} was made`);
  });

  it('histories, export-metadata, history --out and pipeline, over a lake staged before names were checked', async () => {
    const sandbox = tempDir();
    const deep = path.join(sandbox, 'a', 'b', 'c', 'd');
    const escape = path.join('/tmp', `strataescape${randomBytes(6).toString('hex')}`);
    const data = path.join(deep, 'data');
    const manifest = path.join(data, '02_stage', '_manifest', 'manifest.parquet');
    await oldHostileManifest(manifest, escape);
    mkdirSync(path.join(data, '01_raw'), { recursive: true });
    mkdirSync(path.join(data, '02_stage', 'raw_measurements', 'proc=It'), { recursive: true });

    const out = path.join(sandbox, 'out');
    await writesOnlyUnder(sandbox, [path.join(out, 'h')], async () => {
      const run = await runCli(['histories', '--manifest', manifest, '--out-dir', path.join(out, 'h'), '--json']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /the history of chip "(\.\.\/)+escaped81" is not written: a chip name .* must be letters/);
      assert.deepEqual((lastJson(run)['refused'] as string[]).sort(), [`${TO_ROOT}${escape.slice(1)}/escaped82`, '../../../../../../escaped81', 'Grp/sub5'].sort());
    });
    await writesOnlyUnder(sandbox, [path.join(out, 'hp')], async () => {
      const run = await runCli(['histories', '--manifest', manifest, '--out-dir', path.join(out, 'hp'), '--format', 'parquet', '--json']);
      assert.equal(run.code, 0, run.stderr);
      assert.equal((lastJson(run)['refused'] as string[]).length, 3);
    });
    await writesOnlyUnder(sandbox, [path.join(out, 'days')], async () => {
      const run = await runCli(['export-metadata', '--manifest', manifest, '--out-dir', path.join(out, 'days'), '--json']);
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(lastJson(run)['files'], [path.join(out, 'days', '2025-10-13', 'metadata.csv')]);
    });
    await writesOnlyUnder(sandbox, [path.join(out, 'one')], async () => {
      const csv = await runCli(['history', '81', '--manifest', manifest, '--format', 'csv', '--out', path.join(out, 'one', 'h.csv')]);
      assert.equal(csv.code, 0, csv.stderr);
      const parquet = await runCli(['history', '67', '--manifest', manifest, '--format', 'parquet', '--out', path.join(out, 'one', 'h.parquet')]);
      assert.equal(parquet.code, 0, parquet.stderr);
    });
    // The parquet history hands on no path that strata does not write (one outside the lake, one with nested folders).
    const paths = await withConn((conn) =>
      conn.all<{ file_idx: number; parquet_path: string | null }>(`SELECT file_idx, parquet_path FROM read_parquet(${sqlLiteral(path.join(out, 'one', 'h.parquet'))}) ORDER BY file_idx`),
    );
    assert.deepEqual(paths.map((p) => [p.file_idx, p.parquet_path?.startsWith(path.join(data, '02_stage', 'raw_measurements', 'proc=It')) ?? null]), [[1, true], [5, null], [6, null]]);
    await writesOnlyUnder(sandbox, [data], async () => {
      const run = await runCli(['pipeline', '--data-root', data, '--settle', '0']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr, /the history of chip "Grp\/sub5" is not written/);
    });
    assert.equal(existsSync(escape), false, `${escape} was made`);

    const validation = await runCli(['validate-manifest', '--manifest', manifest, '--json']);
    assert.equal(validation.code, 1);
    assert.doesNotMatch(validation.stderr, /no problems found/);
    const findings = lastJson<{ findings: { kind: string; column: string; value: string }[] }>(validation).findings.filter((f) => f.kind === 'unsafe_name');
    assert.deepEqual(
      findings.map((f) => `${f.column} ${f.value}`).sort(),
      ['chip_group ../../../../../../escaped', `chip_group ${TO_ROOT}${escape.slice(1)}/escaped`, 'chip_group Grp/sub', 'path ../../../../../../etc/passwd', 'path proc=x/y/date=2025-10-13/run_id=0000000000000005/part-000.parquet', 'proc x/y'].sort(),
    );
  });
});

/**
 * The manifest of a lake staged before names were checked (and one edited by hand): chip groups that climb out
 * or hold `/`, a procedure with `/`, a data path outside the lake.
 */
async function oldHostileManifest(manifest: string, escape: string): Promise<void> {
  const rows = [
    manifestRow({ start: '2025-10-13T12:00:00-03:00', fileIdx: 1 }),
    manifestRow({ start: '2025-10-13T12:01:00-03:00', fileIdx: 2, group: '../../../../../../escaped', chip: 81 }),
    manifestRow({ start: '2025-10-13T12:02:00-03:00', fileIdx: 3, group: `${TO_ROOT}${escape.slice(1)}/escaped`, chip: 82 }),
    manifestRow({ start: '2025-10-13T12:03:00-03:00', fileIdx: 4, group: 'Grp/sub', chip: 5 }),
    { ...manifestRow({ start: '2025-10-13T12:04:00-03:00', fileIdx: 5, proc: 'x/y' }), run_id: '0000000000000005' },
    { ...manifestRow({ start: '2025-10-13T12:05:00-03:00', fileIdx: 6 }), path: '../../../../../../etc/passwd' },
  ];
  rows[4]!['path'] = 'proc=x/y/date=2025-10-13/run_id=0000000000000005/part-000.parquet';
  await writeTestManifest(manifest, rows);
}
