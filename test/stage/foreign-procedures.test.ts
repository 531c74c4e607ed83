// A lab's older procedures YAML (the design documents' shape, the lab system's own) stages the same files, and the
// lake keeps the column names that YAML gives; a procedure added in YAML only stages with its summary and light rule.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Engine, sqlLiteral } from '../../src/engine/duckdb.js';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { readManifest } from '../../src/lake/manifest-store.js';
import { loadProcedureCatalog } from '../../src/schema/procedures-schema.js';
import { runCli } from '../support/run-cli.js';
import { stageInto } from '../support/stage-lake.js';
import { tempDir } from '../support/temp-dir.js';
import { SHIPPED_PROCEDURES_YAML } from '../../src/schema/shipped-procedures.js';

const COMMON = `      Chip group name: str
      Chip number: int
      Laser voltage: float
      Laser wavelength: float
      Sample: str
      Information: str
      Procedure version: str
    Metadata:
      Start time: datetime`;

/** The design documents' shape (000, section 3): header names and column names exactly as the instrument writes them. */
const DESIGN_YAML = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'design-procedures.yml'), 'utf8');

/** The lab system's own shape: a global ManifestColumnMap, Config blocks, Data as a type or {type, required}. */
const LAB_YAML = `# written for this test in the shape of the lab's config/procedures.yml
ManifestColumnMap:
  vg_fixed_v: [VG, Vg]
  vds_v: [VDS, Vds]
  wavelength_nm: [Laser wavelength]
  laser_voltage_V: [Laser voltage]
  sample: [Sample]
Validation:
  strict: false
procedures:
  It:
    Parameters:
${COMMON}
      VG: float
      VDS: float
    Data:
      t (s): float
      I (A): { type: float, required: true }
    Config:
      light_detection: standard
      requires_chip: true
  IVg:
    Parameters:
${COMMON}
      VDS: float
    Data:
      Vg (V): float
      I (A): float
    Config:
      light_detection: standard
  IV:
    Parameters:
${COMMON}
    Data:
      Vsd (V): float
      I (A): float
  LaserCalibration:
    Parameters:
      Laser wavelength: float_no_unit
    Data:
      VL (V): float
      Power (W): float
    Config:
      light_detection: laser_calibration
      requires_chip: false
`;

async function stageWith(yaml: string, seed: number) {
  const root = tempDir();
  const raw = path.join(root, 'raw');
  await generateLabCorpus({ root: raw, files: 24, seed, procedures: ['It', 'IVg', 'IV', 'LaserCalibration'], variants: false, badFiles: false });
  writeFileSync(path.join(root, 'procedures.yml'), yaml);
  const lake = await stageInto(raw, root, { proceduresYaml: path.join(root, 'procedures.yml') });
  const engine = await Engine.open();
  const conn = await engine.connect();
  const rows = await readManifest(conn, lake.config.manifestPath);
  const columnsOf = async (proc: string) => {
    const run = rows.find((r) => r.proc === proc);
    assert.ok(run, `a staged ${proc} run`);
    const file = path.join(lake.config.stageRoot, run.path);
    return (await conn.all(`DESCRIBE SELECT * FROM read_parquet(${sqlLiteral(file)})`)).map((r) => String(r['column_name']));
  };
  return { root, lake, rows, columnsOf };
}

describe('a foreign procedures YAML', () => {
  it('in the design shape stages every file and keeps `I (A)`, `Vsd (V)`, `t (s)` as the lake column names', async () => {
    const { lake, rows, columnsOf } = await stageWith(DESIGN_YAML, 41);
    assert.equal(lake.summary.rejected, 0, JSON.stringify(lake.summary.rejects));
    assert.equal(lake.summary.ok, 24);
    const it = await columnsOf('It');
    for (const name of ['t (s)', 'I (A)', 'VL (V)']) assert.ok(it.includes(name), `${name} in ${it.join(', ')}`);
    assert.ok(!it.includes('i_a') && !it.includes('t_s'), it.join(', '));
    assert.ok((await columnsOf('IV')).includes('Vsd (V)'));
    // The light rule and the duration come through the translation: every It run knows its light and its length.
    for (const run of rows.filter((r) => r.proc === 'It')) {
      assert.notEqual(run.has_light, null, run.source_file);
      assert.ok(typeof run.duration_s === 'number' && run.duration_s > 0, run.source_file);
    }
    assert.ok(rows.filter((r) => r.proc === 'LaserCalibration').every((r) => r.has_light === null || typeof r.has_light === 'boolean'));
  });

  it("in the lab system's shape stages every file, with its manifest column names and a note of what it ignored", async () => {
    const { root, lake, rows, columnsOf } = await stageWith(LAB_YAML, 42);
    assert.equal(lake.summary.rejected, 0, JSON.stringify(lake.summary.rejects));
    const catalog = loadProcedureCatalog(path.join(root, 'procedures.yml'));
    assert.equal(catalog.shape, 'lab');
    assert.match(catalog.note ?? '', /ignored: .*Validation.*Config\.requires_chip/);
    const it = rows.filter((r) => r.proc === 'It');
    assert.ok(it.length > 0);
    for (const run of it) {
      assert.equal(typeof run['vg_fixed_v'], 'number', run.source_file);
      assert.notEqual(run.has_light, null);
    }
    assert.ok(rows.filter((r) => r.proc === 'LaserCalibration').every((r) => r.has_light === true));
    assert.ok((await columnsOf('It')).includes('I (A)'));
    assert.ok(rows.some((r) => /^Dark It|^It/.test(r.summary)));
  });

  it('is read by the CLI, which prints the note on stderr and stages', async () => {
    const root = tempDir();
    await generateLabCorpus({ root: path.join(root, 'raw'), files: 4, seed: 43, procedures: ['It'], variants: false, badFiles: false });
    writeFileSync(path.join(root, 'p.yml'), LAB_YAML);
    const run = await runCli(['stage', '--raw-root', 'raw', '--stage-root', 'lake/stage', '--settle', '0', '--procedures-yaml', 'p.yml'], { cwd: root });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /lab-shaped procedures YAML; ignored: Validation/);
    assert.ok(existsSync(path.join(root, 'lake', '_manifest', 'manifest.parquet')));
  });

  it("strata's own YAML keeps its snake_case names", async () => {
    const { columnsOf } = await stageWith(
      await import('node:fs').then((fs) => fs.readFileSync(SHIPPED_PROCEDURES_YAML, 'utf8')),
      44,
    );
    const it = await columnsOf('It');
    assert.ok(it.includes('i_a') && it.includes('t_s') && !it.includes('I (A)'), it.join(', '));
  });
});

describe('a procedure added by editing YAML only', () => {
  it('stages with its own columns, summary, light rule and range', async () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'raw'));
    const file = (name: string, wavelength: number, laser: number, freq: string) =>
      writeFileSync(
        path.join(root, 'raw', name),
        `#Procedure: <laser_setup.procedures.Cf.Cf>\n#Parameters:\n#\tChip group name: Alisson\n#\tChip number: 67\n` +
          `#\tFrequency: ${freq}\n#\tLamp: ${laser} V\n#\tColour: ${wavelength}\n#Metadata:\n#\tStart time: 1760371684.5\n#Data:\n` +
          `f (Hz),C (F)\n1,1e-12\n10,2e-12\n`,
      );
    file('Alisson67_Cf_1.csv', 530, 2, '1000 Hz');
    file('Alisson67_Cf_2.csv', 530, 0, '-5 Hz');
    const shipped = (await import('node:fs')).readFileSync(SHIPPED_PROCEDURES_YAML, 'utf8');
    const added = `${shipped}
  Cf:
    description: Capacitance over frequency (added for this test).
    light: { voltage: lamp_v, wavelength: colour_nm }
    summary:
      title: "{proc} scan"
      dark_title: "Dark {proc} scan"
      parts: ["f={frequency_hz}Hz", { text: "λ={colour_nm}nm", when: lit }]
    parameters: { Frequency: float, Lamp: float, Colour: float }
    manifest:
      Frequency: { column: frequency_hz, min: 0 }
      Lamp: lamp_v
      Colour: colour_nm
    data:
      f_hz: { type: float, required: true, header: "f (Hz)" }
      c_f:  { type: float, required: true, header: "C (F)" }
`;
    writeFileSync(path.join(root, 'p.yml'), added);
    const lake = await stageInto(path.join(root, 'raw'), root, { proceduresYaml: path.join(root, 'p.yml') });
    assert.equal(lake.summary.ok, 1, JSON.stringify(lake.summary.rejects));
    // The negative frequency breaks the YAML's `min: 0`: that run is refused, not staged.
    assert.equal(lake.summary.rejected, 1);
    assert.match(lake.summary.rejects[0]?.error ?? '', /frequency_hz: frequency must be at least 0 Hz/);
    // ... and leaves nothing in the lake: one run folder, the good run's.
    assert.equal(readdirSync(path.join(lake.config.stageRoot, 'proc=Cf'), { recursive: true }).filter((n) => String(n).endsWith('.parquet')).length, 1);
    assert.equal(readdirSync(path.join(lake.config.stageRoot, 'proc=Cf'), { recursive: true }).filter((n) => path.basename(String(n)).startsWith('run_id=')).length, 1);
    const conn = await (await Engine.open()).connect();
    const [run] = await readManifest(conn, lake.config.manifestPath);
    assert.equal(run?.summary, 'Cf scan (f=1000Hz, λ=530nm)');
    assert.equal(run?.has_light, true);
    const parquet = path.join(lake.config.stageRoot, run!.path);
    const names = (await conn.all(`DESCRIBE SELECT * FROM read_parquet(${sqlLiteral(parquet)})`)).map((r) => String(r['column_name']));
    assert.ok(names.includes('f_hz') && names.includes('c_f') && names.includes('frequency_hz'), names.join(', '));
  });
});

describe('a YAML proposed by infer-schema', () => {
  it('names the light rule after the laser columns it proposes, so its runs know their light', async () => {
    const root = tempDir();
    await generateLabCorpus({ root: path.join(root, 'raw'), files: 12, seed: 45, procedures: ['It'], variants: false, badFiles: false });
    const infer = await runCli(['infer-schema', '--raw-root', 'raw', '--out', 'proposed.yml'], { cwd: root });
    assert.equal(infer.code, 0, infer.stderr);
    const catalog = loadProcedureCatalog(path.join(root, 'proposed.yml'));
    assert.equal(catalog.procedures.get('It')?.light.kind, 'columns');
    const lake = await stageInto(path.join(root, 'raw'), root, { proceduresYaml: path.join(root, 'proposed.yml') });
    const rows = await readManifest(await (await Engine.open()).connect(), lake.config.manifestPath);
    assert.equal(rows.length, 12);
    assert.ok(rows.every((r) => r.has_light !== null), JSON.stringify(rows.map((r) => r.has_light)));
  });
});
