import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeRun as describeWith } from './run-summary.js';
import { loadProcedureCatalog, parseProcedureCatalog } from '../schema/procedures-schema.js';
import { SHIPPED_PROCEDURES_YAML } from '../schema/shipped-procedures.js';

// The summaries are the shipped YAML's `summary:` templates; a procedure it does not know gets `common`'s.
const shipped = loadProcedureCatalog(SHIPPED_PROCEDURES_YAML);
const describeRun = (run: Record<string, unknown>) =>
  describeWith(run, (shipped.procedures.get(String(run['proc'])) ?? shipped.common).summary);

describe('the run summary line', () => {
  it('describes a lit It run with gate voltage, wavelength and duration', () => {
    assert.equal(describeRun({ proc: 'It', has_light: true, vg_v: -3, laser_wavelength_nm: 455, duration_s: 119.8 }), 'It (Vg=-3V, λ=455nm, 120s)');
  });
  it('calls an It run with the laser off dark and leaves out the wavelength', () => {
    assert.equal(describeRun({ proc: 'It', has_light: false, vg_v: -2, laser_wavelength_nm: 455, duration_s: 300 }), 'Dark It (Vg=-2V, 300s)');
  });
  it('describes a gate sweep by its range', () => {
    assert.equal(describeRun({ proc: 'IVg', has_light: false, vg_start_v: -5, vg_end_v: 5 }), 'IVg sweep (Vg=-5 to 5V)');
  });
  it('describes a laser calibration by wavelength and voltage range', () => {
    assert.equal(
      describeRun({ proc: 'LaserCalibration', has_light: true, laser_wavelength_nm: 455, laser_voltage_start_v: 0, laser_voltage_end_v: 5 }),
      'LaserCalibration 455nm 0-5V',
    );
  });
  it('describes a drain sweep, temperature runs and unknown procedures sensibly', () => {
    assert.equal(describeRun({ proc: 'IV', vsd_start_v: -1, vsd_end_v: 1, vg_v: 0 }), 'IV sweep (Vsd=-1 to 1V, Vg=0V)');
    assert.equal(describeRun({ proc: 'ITt', has_light: false, vg_v: 0.5, target_t_c: 40, duration_s: 60 }), 'Dark ITt (Vg=0.5V, T=40°C, 60s)');
    assert.equal(describeRun({ proc: 'Tt', target_t_c: 25, duration_s: 3.25 }), 'Tt (T=25°C, 3.25s)');
    assert.equal(describeRun({ proc: 'Pt', laser_wavelength_nm: 625, laser_voltage_v: 2, duration_s: 30 }), 'Pt (λ=625nm, VL=2V, 30s)');
    assert.equal(describeRun({ proc: 'VVg', vg_start_v: 0, vg_end_v: -4 }), 'VVg sweep (Vg=0 to -4V)');
    assert.equal(describeRun({ proc: 'Xyz' }), 'Xyz');
    assert.equal(describeRun({ proc: 'Xyz', has_light: false, vds_v: 0.1, duration_s: 5 }), 'Dark Xyz (Vds=0.1V, 5s)');
  });

  it('follows a summary template a procedure declares in YAML only', () => {
    const catalog = parseProcedureCatalog(
      'version: 1\nprocedures:\n  Cv:\n    summary:\n      title: "{proc} scan"\n      parts: ["f={freq_hz}Hz", { text: "dark", when: dark }]\n    data: {}\n',
    );
    const spec = catalog.procedures.get('Cv')!.summary;
    assert.equal(describeWith({ proc: 'Cv', freq_hz: 1000, has_light: false }, spec), 'Cv scan (f=1000Hz, dark)');
    assert.equal(describeWith({ proc: 'Cv', has_light: true }, spec), 'Cv scan');
  });
});
