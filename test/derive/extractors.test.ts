// The extractors on curves whose answer is known: a looped gate sweep with a set CNP per direction, a cubic's
// derivative, a relaxation of microamps with a set tau, a lit trace, calibrations before and after a run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { savitzkyGolayDerivative } from '../../src/derive/algorithms/savitzky-golay.js';
import { fitStretchedExponential } from '../../src/derive/algorithms/stretched-exponential.js';
import { fullRangeLegs } from '../../src/derive/algorithms/sweep-legs.js';
import { runMetrics } from '../../src/derive/extractors/extractor-catalog.js';
import type { CalibrationRun } from '../../src/derive/extractors/laser-power.js';
import type { MetricOutcome, RunInput } from '../../src/derive/extractors/run-input.js';
import { parseProcedureCatalog } from '../../src/schema/procedures-schema.js';
import type { MetricDeclaration } from '../../src/schema/metric-declarations.js';

/** The lab's sweep shape: 0 -> start -> end -> start -> 0 in steps of `step`. */
function loopedGate(start: number, end: number, step: number): number[] {
  const ramp = (a: number, b: number) => {
    const n = Math.round(Math.abs(b - a) / step);
    return Array.from({ length: n }, (_, k) => a + Math.sign(b - a) * k * step);
  };
  return [...ramp(0, start), ...ramp(start, end), ...ramp(end, start), ...ramp(start, 0), 0];
}

function run(columns: Record<string, ArrayLike<number>>, manifest: Record<string, number | null> = {}, extra: Partial<RunInput> = {}): RunInput {
  return {
    runId: 'r1',
    proc: 'IVg',
    hasLight: false,
    startMs: Date.UTC(2025, 9, 14, 12),
    manifest: (c) => manifest[c] ?? null,
    column: (name) => (columns[name] === undefined ? undefined : Float64Array.from(columns[name]!)),
    ...extra,
  };
}

/** The declarations of the shipped YAML's shape, parsed from a small YAML so defaults apply as for a user's. */
function declared(proc: string, metrics: string, data = 'vg_v: { type: float }\n      i_a: { type: float }\n      vds_v: { type: float }\n      t_s: { type: float }\n      vl_v: { type: float }'): MetricDeclaration[] {
  const yaml = `version: 1
procedures:
  ${proc}:
    manifest: { VDS: vds_v, Drain-Source current: ids_a, Laser voltage: laser_voltage_v, Laser wavelength: laser_wavelength_nm }
    data:
      ${data}
    metrics:
${metrics}
  LaserCalibration:
    data: { vl_v: { type: float }, power_w: { type: float } }
`;
  return [...parseProcedureCatalog(yaml).procedures.get(proc)!.metrics];
}

const value = (o: MetricOutcome) => (o.kind === 'value' ? o.value : undefined);
const flags = (o: MetricOutcome) => (o.kind === 'value' ? o.flags : ['(not applicable)']);
const noCalibrations = { calibrations: () => [] };

describe('the CNP of a looped gate sweep', () => {
  const gate = loopedGate(-5, 5, 0.05);
  // |I| has its minimum at +0.30 V going up and +0.10 V coming back: a hysteresis of -0.20 V.
  const legs = fullRangeLegs(gate, 0.95);
  const current = gate.map((vg, i) => {
    const rising = legs.some((l) => l.direction === 'forward' && i >= l.start && i < l.end);
    const cnp = rising ? 0.3 : 0.1;
    return 1e-6 * (1 + 0.4 * (vg - cnp) ** 2);
  });
  const ds = declared(
    'IVg',
    `      cnp_voltage: { extractor: cnp, current: i_a }
      cnp_forward: { extractor: cnp, current: i_a, value: forward }
      cnp_backward: { extractor: cnp, current: i_a, value: backward }
      cnp_hysteresis: { extractor: cnp, current: i_a, value: hysteresis }
      cnp_resistance: { extractor: cnp, current: i_a, value: resistance }`,
  );

  it('splits 0 -> -5 -> 5 -> -5 -> 0 into one forward and one backward full-range leg', () => {
    assert.deepEqual(
      legs.map((l) => [l.direction, gate[l.start], Math.round(gate[l.end - 1]! * 100) / 100]),
      [
        ['forward', -5, 4.95],
        ['backward', 5, -4.95],
      ].map(([d, a, b]) => [d, a, b]),
    );
  });

  it('finds each direction\'s vertex, their mean, the hysteresis and the resistance there', () => {
    const out = runMetrics(run({ vg_v: gate, i_a: current }, { vds_v: 0.1 }), ds, noCalibrations).map(value);
    const [average, forward, backward, hysteresis, resistance] = out as number[];
    assert.ok(Math.abs(forward! - 0.3) < 1e-9 && Math.abs(backward! - 0.1) < 1e-9, `${forward} ${backward}`);
    assert.ok(Math.abs(average! - 0.2) < 1e-9 && Math.abs(hysteresis! + 0.2) < 1e-9);
    assert.ok(Math.abs(resistance! - 0.1 / 1e-6) < 1e-3, `${resistance}`);
  });

  it('gives a flagged null, not a crash, for a sweep that only goes one way, and for a run without its drain voltage', () => {
    const oneWay = Array.from({ length: 201 }, (_, k) => -5 + k * 0.05);
    const out = runMetrics(run({ vg_v: oneWay, i_a: oneWay.map((v) => 1e-6 * (1 + v * v)) }, { vds_v: 0.1 }), ds, noCalibrations);
    // A single rising leg is the forward one: the backward CNP and the hysteresis have none.
    assert.equal(value(out[2]!), null);
    assert.deepEqual(flags(out[2]!), ['NO_FULL_LEG']);
    assert.deepEqual(flags(out[3]!), ['SWEEP_INCOMPLETE']);
    const flat = runMetrics(run({ vg_v: gate.map(() => 1), i_a: current }, { vds_v: 0.1 }), ds, noCalibrations);
    assert.deepEqual(flat.map(flags), Array(5).fill(['SWEEP_NOT_LOOPED']));
    const noBias = runMetrics(run({ vg_v: gate, i_a: current }, {}), ds, noCalibrations);
    assert.deepEqual(flags(noBias[4]!), ['NO_DRAIN_BIAS']);
    const missing = runMetrics(run({ vg_v: gate }, { vds_v: 0.1 }), ds, noCalibrations);
    assert.deepEqual(flags(missing[0]!), ['MISSING_COLUMN']);
  });

  it('takes the CNP of a VVg sweep where |VDS| peaks, and the resistance as |VDS| over the drain current', () => {
    const vvg = declared('VVg', '      cnp_voltage: { extractor: cnp, voltage: vds_v }\n      cnp_resistance: { extractor: cnp, voltage: vds_v, value: resistance }');
    const vds = gate.map((vg) => 0.05 / (1 + 0.4 * (vg - 0.25) ** 2));
    const [cnp, r] = runMetrics(run({ vg_v: gate, vds_v: vds }, { ids_a: 1e-6 }), vvg, noCalibrations).map(value) as number[];
    assert.ok(Math.abs(cnp! - 0.25) < 1e-9, `${cnp}`);
    assert.ok(Math.abs(r! - 0.05 / 1e-6) < 1e-3);
  });
});

describe('the transconductance', () => {
  it('is the exact derivative of a cubic, edges included (a Savitzky-Golay filter of order 3 keeps cubics)', () => {
    const x = Array.from({ length: 41 }, (_, k) => -2 + k * 0.1);
    const y = x.map((v) => 2 * v ** 3 - v ** 2 + 3 * v);
    const d = savitzkyGolayDerivative(y, { window: 9, order: 3, step: 0.1 });
    x.forEach((v, k) => assert.ok(Math.abs(d[k]! - (6 * v * v - 2 * v + 3)) < 1e-9, `at ${v}: ${d[k]}`));
  });

  it('is the largest |dI/dVg| of each leg, averaged over the two legs', () => {
    const gate = loopedGate(-5, 5, 0.05);
    // I = 1e-6 (1 + (Vg - 0.2)^2): |dI/dVg| peaks at the sweep's ends, 2e-6 * 5.2 at -5 V.
    const current = gate.map((vg) => 1e-6 * (1 + (vg - 0.2) ** 2));
    const [gm] = runMetrics(run({ vg_v: gate, i_a: current }), declared('IVg', '      gm: { extractor: transconductance }'), noCalibrations).map(value);
    assert.ok(Math.abs(gm! - 2e-6 * 5.2) < 2e-6 * 0.06, `${gm}`);
  });
});

describe('the relaxation after the light goes off', () => {
  it('recovers tau and beta of microamps relaxing, from a starting tau far off, where damping by a constant would not move tau', () => {
    // A current that climbs back after the light: the starting estimate (from the maximum) is far from 12 s.
    const t = Array.from({ length: 600 }, (_, k) => k * 0.1);
    const y = t.map((s) => 4e-5 - 3e-7 * Math.exp(-((s / 12) ** 0.8)));
    const fit = fitStretchedExponential(t, y)!;
    assert.ok(fit.converged);
    assert.ok(Math.abs(fit.tau - 12) < 1e-3 && Math.abs(fit.beta - 0.8) < 1e-4, `${fit.tau} ${fit.beta}`);
    assert.ok(Math.abs(fit.tauStart - 12) > 1, 'it started elsewhere');
  });

  it('fits the longest dark stretch after the light goes off, and declines a tau the stretch cannot show', () => {
    const t = Array.from({ length: 1800 }, (_, k) => k * 0.1);
    const lit = t.map((s) => (s >= 60 && s < 120 ? 2 : 0));
    const relax = (tau: number) => t.map((s) => (s < 120 ? 4e-5 : 4e-5 + 2e-7 * Math.exp(-(((s - 120) / tau) ** 0.9))));
    const ds = declared('It', '      tau_dark: { extractor: relaxation }\n      beta_dark: { extractor: relaxation, value: beta }');
    const [tau, beta] = runMetrics(run({ t_s: t, i_a: relax(8), vl_v: lit }, {}, { hasLight: true }), ds, noCalibrations);
    assert.ok(Math.abs(value(tau!)! - 8) < 0.05, `${value(tau!)}`);
    assert.ok(Math.abs(value(beta!)! - 0.9) < 0.01);
    const slow = runMetrics(run({ t_s: t, i_a: relax(5000), vl_v: lit }, {}, { hasLight: true }), ds, noCalibrations);
    assert.equal(value(slow[0]!), null);
    assert.deepEqual(flags(slow[0]!), ['TAU_UNDETERMINED']);
  });
});

describe('the photoresponse', () => {
  const t = Array.from({ length: 300 }, (_, k) => k);
  const vl = t.map((s) => (s >= 100 && s < 200 ? 2.3 : 0));
  const i = t.map((s) => (s >= 100 && s < 200 ? 1e-5 - 2e-8 * (s - 100) : 1e-5));
  const ds = declared('It', '      delta_current: { extractor: photoresponse, signal: i_a }\n      ratio: { extractor: photoresponse, signal: i_a, value: ratio }');

  it('is the last lit sample minus the first, and the lit mean over the dark mean minus 1', () => {
    const [delta, ratio] = runMetrics(run({ t_s: t, i_a: i, vl_v: vl }, {}, { hasLight: true }), ds, noCalibrations).map(value);
    assert.ok(Math.abs(delta! - -2e-8 * 99) < 1e-18);
    const litMean = 1e-5 - 2e-8 * 49.5;
    assert.ok(Math.abs(ratio! - (litMean / 1e-5 - 1)) < 1e-12);
  });

  it('does not apply to a dark run (no row), and flags a lit run whose laser column never rises', () => {
    assert.deepEqual(runMetrics(run({ t_s: t, i_a: i, vl_v: vl }, {}, { hasLight: false }), ds, noCalibrations).map((o) => o.kind), ['not-applicable', 'not-applicable']);
    const out = runMetrics(run({ t_s: t, i_a: i, vl_v: t.map(() => 0) }, {}, { hasLight: true }), ds, noCalibrations);
    assert.deepEqual(flags(out[0]!), ['TOO_FEW_LIT_SAMPLES']);
  });
});

describe('the laser power', () => {
  const curve = { voltage: Float64Array.from([0, 1, 2, 3]), power: Float64Array.from([0, 1e-6, 3e-6, 6e-6]) };
  const hour = 3_600_000;
  const at = Date.UTC(2025, 9, 14, 12);
  const calibration = (id: string, hours: number, wavelength: number): CalibrationRun => ({ runId: id, startMs: at + hours * hour, wavelength, curve });
  const ds = declared('It', '      laser_power: { extractor: laser_power }');
  const power = (calibrations: CalibrationRun[], voltage: number, wavelength = 455) =>
    runMetrics(run({}, { laser_voltage_v: voltage, laser_wavelength_nm: wavelength }, { hasLight: true, startMs: at }), ds, { calibrations: () => calibrations })[0]!;

  it('reads the run\'s laser voltage on the latest calibration before it at its wavelength', () => {
    const out = power([calibration('old', -30, 455), calibration('recent', -2, 455), calibration('other', -1, 365), calibration('after', 1, 455)], 1.5);
    assert.ok(Math.abs(value(out)! - 2e-6) < 1e-18);
    assert.deepEqual(flags(out), []);
    assert.equal(out.kind === 'value' && out.details?.['calibration_run_id'], 'recent');
  });

  it('falls back to the first calibration after the run, flags a stale one or a voltage off the curve, and has none for an uncalibrated wavelength', () => {
    assert.deepEqual(flags(power([calibration('after', 3, 455)], 1)), ['CALIBRATION_AFTER_RUN']);
    assert.deepEqual(flags(power([calibration('old', -30, 455)], 1)), ['CALIBRATION_STALE']);
    const off = power([calibration('recent', -1, 455)], 5);
    assert.equal(value(off), 6e-6);
    assert.deepEqual(flags(off), ['VOLTAGE_OUTSIDE_CALIBRATION']);
    const none = power([calibration('recent', -1, 455)], 1, 850);
    assert.equal(value(none), null);
    assert.deepEqual(flags(none), ['NO_CALIBRATION']);
  });
});

describe('an extractor that throws', () => {
  it('gives its metric the flag EXTRACTOR_ERROR and leaves the run\'s other metrics alone', () => {
    const ds = declared('It', '      laser_power: { extractor: laser_power }\n      delta_current: { extractor: photoresponse, signal: i_a }');
    const broken = { calibrations: (): never => { throw new Error('calibrations unavailable'); } };
    const t = Array.from({ length: 30 }, (_, k) => k);
    const out = runMetrics(run({ t_s: t, i_a: t.map(() => 1e-5), vl_v: t.map((s) => (s > 10 && s < 20 ? 1 : 0)) }, { laser_voltage_v: 1, laser_wavelength_nm: 455 }, { hasLight: true }), ds, broken);
    assert.deepEqual(flags(out[0]!), ['EXTRACTOR_ERROR']);
    assert.equal(value(out[1]!), 0);
  });
});
