// The lab's chip parameters (--chip-params): the declared group wins with a warning, validate-manifest reports runs
// of a procedure a chip is not expected to have; and header values that do not fit are said, never silently null.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Engine } from '../../src/engine/duckdb.js';
import { readManifest } from '../../src/lake/manifest-store.js';
import type { ManifestRow } from '../../src/lake/manifest-row.js';
import { lastJson, runCli } from '../support/run-cli.js';
import { stageInto } from '../support/stage-lake.js';
import { tempDir } from '../support/temp-dir.js';

interface FileSpec {
  readonly proc?: string;
  readonly group?: string;
  readonly chip?: string;
  readonly start?: string;
  readonly extra?: string;
}

function rawFile(spec: FileSpec): string {
  return (
    `#Procedure: <laser_setup.procedures.${spec.proc ?? 'It'}.${spec.proc ?? 'It'}>\n#Parameters:\n` +
    `#\tChip group name: ${spec.group ?? 'Alisson'}\n#\tChip number: ${spec.chip ?? '71'}\n#\tLaser voltage: 2.5 V\n` +
    `#\tLaser wavelength: 455\n#\tVG: -3 V\n${spec.extra ?? ''}#Metadata:\n#\tStart time: ${spec.start ?? '1760371684.3'}\n#Data:\n` +
    `t (s),I (A),Vg (V)\n0,1e-9,0\n1,2e-9,1\n`
  );
}

function rawFolder(files: Readonly<Record<string, FileSpec>>): string {
  const root = tempDir();
  mkdirSync(path.join(root, 'raw'));
  for (const [name, spec] of Object.entries(files)) writeFileSync(path.join(root, 'raw', name), rawFile(spec));
  return root;
}

async function manifestRows(manifestPath: string): Promise<Map<string, ManifestRow>> {
  const rows = await readManifest(await (await Engine.open()).connect(), manifestPath);
  return new Map(rows.map((r) => [r.source_file, r]));
}

const CHIP_PARAMS = `# chip number -> parameters, as the design's config/chip_params.yaml
71:
  chip_group: "Alisson"
  notes: "Primary test device"
  expected_procs: ["It"]
68:
  chip_group: "Alisson"
defaults:
  local_tz: "America/Santiago"
`;

describe('chip parameters', () => {
  it("files a run whose header group disagrees under the declared group, with a warning in the run's event", async () => {
    const root = rawFolder({ 'a_It_1.csv': { group: 'other' }, 'b_It_2.csv': {}, 'c_IVg_3.csv': { proc: 'IVg', start: '1760371990' } });
    writeFileSync(path.join(root, 'chips.yml'), CHIP_PARAMS);
    const lake = await stageInto(path.join(root, 'raw'), root, { chipParams: path.join(root, 'chips.yml') });
    assert.equal(lake.summary.ok, 3, JSON.stringify(lake.summary.rejects));
    const rows = await manifestRows(lake.config.manifestPath);
    assert.equal(rows.get('a_It_1.csv')?.chip_name, 'Alisson71');
    assert.equal(rows.get('a_It_1.csv')?.chip_group, 'Alisson');
    assert.match(rows.get('a_It_1.csv')?.warnings ?? '', /the header says chip group 'Other' for chip 71, .*chips\.yml says 'Alisson': filed under Alisson71/);
    assert.equal(rows.get('b_It_2.csv')?.warnings, '[]');

    const validate = await runCli(['validate-manifest', '--manifest', lake.config.manifestPath, '--chip-params', 'chips.yml', '--json'], { cwd: root });
    assert.equal(validate.code, 1, validate.stderr);
    const findings = lastJson<{ findings: { kind: string; proc: string; chip: number }[] }>(validate).findings;
    assert.deepEqual(findings.map((f) => [f.kind, f.proc, f.chip]), [['unexpected_procedure', 'IVg', 71]]);
    assert.match(validate.stderr, /chip 71 was measured with IVg, but the chip parameters expect only It/);
    const plain = await runCli(['validate-manifest', '--manifest', lake.config.manifestPath], { cwd: root });
    assert.equal(plain.code, 0, plain.stderr);

    // The chip's history carries its notes, and holds the run filed under the declared group.
    const history = await runCli(['history', 'Alisson71', '--manifest', lake.config.manifestPath, '--chip-params', 'chips.yml', '--json'], { cwd: root });
    assert.equal(history.code, 0, history.stderr);
    assert.deepEqual(lastJson(history), { chip: 'Alisson71', runs: 3, manifest: lake.config.manifestPath, notes: 'Primary test device' });
    const table = await runCli(['history', '71', '--manifest', lake.config.manifestPath, '--chip-params', 'chips.yml'], { cwd: root });
    assert.match(table.stdout, /History of Alisson71: Primary test device/);
  });

  it('is read from --chip-params on the CLI and from the chip-params key of a config file', async () => {
    const root = rawFolder({ 'a_It_1.csv': { group: 'other' } });
    writeFileSync(path.join(root, 'chips.yml'), CHIP_PARAMS);
    writeFileSync(path.join(root, 'strata.yml'), 'chip-params: chips.yml\n');
    for (const [args, lakeDir] of [
      [['--chip-params', 'chips.yml'], 'flag'],
      [['--config', 'strata.yml'], 'file'],
    ] as const) {
      const run = await runCli(['stage', '--raw-root', 'raw', '--stage-root', `${lakeDir}/stage`, '--settle', '0', '--quiet', ...args], { cwd: root });
      assert.equal(run.code, 0, run.stderr);
      const rows = await manifestRows(path.join(root, lakeDir, '_manifest', 'manifest.parquet'));
      assert.equal(rows.get('a_It_1.csv')?.chip_name, 'Alisson71', lakeDir);
    }
  });

  it('exits 2 naming the file and the key when the chip parameters file is wrong', async () => {
    const root = rawFolder({ 'a_It_1.csv': {} });
    writeFileSync(path.join(root, 'chips.yml'), '71:\n  chip_grup: Alisson\n');
    const run = await runCli(['stage', '--raw-root', 'raw', '--stage-root', 's/stage', '--settle', '0', '--chip-params', 'chips.yml'], { cwd: root });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /chips\.yml is invalid at '71': Unrecognized key: "chip_grup"/);
  });
});

describe('header values that do not fit', () => {
  it('says so for a chip number in words or below zero, a start time before 1990, and a parameter given twice', async () => {
    const root = rawFolder({
      'words_It_1.csv': { chip: 'seventy' },
      'negative_It_2.csv': { chip: '-3', start: '1760371690' },
      'old_It_3.csv': { start: '315532800' },
      'twice_It_4.csv': { start: '1760371700', extra: '#\tVG: -2 V\n' },
      'future_It_5.csv': { start: String(Math.round(Date.now() / 1000) + 3 * 86400) },
    });
    const lake = await stageInto(path.join(root, 'raw'), root);
    assert.equal(lake.summary.ok, 5, JSON.stringify(lake.summary.rejects));
    const rows = await manifestRows(lake.config.manifestPath);
    const warnings = (file: string) => rows.get(file)?.warnings ?? '';
    assert.match(warnings('words_It_1.csv'), /'Chip number: seventy' is not a whole number/);
    assert.equal(rows.get('words_It_1.csv')?.chip_number, null);
    assert.match(warnings('negative_It_2.csv'), /'Chip number: -3' is a negative chip number/);
    assert.match(warnings('old_It_3.csv'), /start time 1980-01-01T00:00:00.000Z is before 1990/);
    assert.match(warnings('twice_It_4.csv'), /'VG' is given 2 times \('-3 V', '-2 V'\); '-2 V' won/);
    assert.equal(rows.get('twice_It_4.csv')?.['vg_v'], -2);
    assert.match(warnings('future_It_5.csv'), /more than a day in the future/);
  });

  it('keeps the text of a value that does not cast in the manifest warnings, never a silent null', async () => {
    const root = rawFolder({ 'a_It_1.csv': { extra: '#\tVDS: lots\n' } });
    const lake = await stageInto(path.join(root, 'raw'), root);
    const row = (await manifestRows(lake.config.manifestPath)).get('a_It_1.csv');
    assert.equal(row?.['vds_v'], null);
    assert.match(row?.warnings ?? '', /'VDS: lots' is not a number/);
  });

  it('maps the common parameters of a procedure the YAML does not know, so its light is known', async () => {
    const root = rawFolder({ 'a_Xyz_1.csv': { proc: 'Xyz' } });
    const lake = await stageInto(path.join(root, 'raw'), root);
    const row = (await manifestRows(lake.config.manifestPath)).get('a_Xyz_1.csv');
    assert.equal(row?.has_light, true);
    assert.equal(row?.['laser_voltage_v'], 2.5);
    assert.equal(row?.['laser_wavelength_nm'], 455);
    assert.equal(row?.summary, 'Xyz (λ=455nm)');
  });
});
