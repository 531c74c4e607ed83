import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadProcedureCatalog, parseProcedureCatalog } from './procedures-schema.js';
import { projectRoot } from '../version.js';
import { tempDir } from '../../test/support/temp-dir.js';

describe('the procedures YAML', () => {
  it('the example of docs/procedures.md loads as given, with its light rule, ranges and summary', () => {
    const page = readFileSync(path.join(projectRoot, 'docs', 'procedures.md'), 'utf8');
    const example = /<!-- procedures-yaml-example -->\n```yaml\n([\s\S]*?)```/.exec(page)?.[1];
    assert.ok(example, 'docs/procedures.md marks its procedures YAML example');
    const catalog = parseProcedureCatalog(example, 'docs/procedures.md');
    const it = catalog.procedures.get('It');
    assert.deepEqual(it?.light, { kind: 'columns', voltage: 'laser_voltage_v', wavelength: 'laser_wavelength_nm' });
    assert.equal(it?.timeColumn, 't_s');
    assert.deepEqual(catalog.parameterColumns.find((c) => c.name === 'laser_voltage_v'), { name: 'laser_voltage_v', type: 'float', min: 0, label: 'laser voltage' });
    assert.equal(catalog.note, null);
  });

  it('refuses an unknown key of its own shape in one line naming the file and the key', () => {
    assert.throws(() => parseProcedureCatalog('version: 1\nprocedures:\n  It:\n    colour: red\n    data: {}\n', 'p.yml'), /p\.yml is invalid at 'procedures\.It'.*colour/);
  });

  it('says a YAML syntax error in one line, with its line and column', () => {
    const file = path.join(tempDir(), 'p.yml');
    writeFileSync(file, 'version: 1\nprocedures:\n  It: [\n');
    assert.throws(
      () => loadProcedureCatalog(file),
      (error: Error) => /p\.yml is not valid YAML at line \d+, column \d+/.test(error.message) && !error.message.includes('\n'),
    );
  });

  it('reads a design-shaped YAML, keeping header and column names as written', () => {
    const catalog = parseProcedureCatalog(
      'procedures:\n  IV:\n    Parameters: { Laser voltage: float, Laser wavelength: float, VG: float }\n    Data: { "Vsd (V)": float, "I (A)": float, "t (s)": float }\n',
      'design.yml',
    );
    assert.equal(catalog.shape, 'design');
    const iv = catalog.procedures.get('IV');
    assert.deepEqual(iv?.data.map((d) => d.name), ['Vsd (V)', 'I (A)', 't (s)']);
    assert.equal(iv?.timeColumn, 't (s)');
    assert.deepEqual(iv?.light, { kind: 'columns', voltage: 'laser_voltage', wavelength: 'laser_wavelength' });
  });
});
