// Runs that sweep a voltage: IVg and IVgT (gate), IV (drain), VVg (gate, voltage read), LaserCalibration (laser).
import {
  NO_SENSOR_CELLS,
  conductance,
  drainSweep,
  gateSweep,
  laserPower,
  ramp,
  reading,
  sensorCells,
  stepForRows,
  temperatureProfile,
} from './lab-measurement-series.js';
import {
  SENSOR_COLUMNS,
  chipEntries,
  inFileOrder,
  keithleyEntries,
  laserEntries,
  laserVoltage,
  laserWavelength,
  plain,
  quantity,
  text,
  type HeaderEntry,
  type LabRunBody,
  type LabRunContext,
} from './lab-run-parts.js';
import { formatSignificant, pythonFloat, pythonFloatRecurring, roundSignificant } from './python-number-format.js';

const IVG_INFORMATION = ['monitoring', 'after light', 'hbn', 'first measurement', 'other gate pad', 'after repositioning needles', 'test no light'];

interface GateSweepSettings {
  readonly start: number;
  readonly end: number;
  readonly step: number;
  readonly values: readonly number[];
  readonly wavelength: number;
  readonly voltage: number;
  readonly burnInS: number;
  readonly stepTimeS: number;
}

/** A gate sweep mostly over -5..5 V (sometimes wider), with a step that gives about the rows wanted. */
function gateSweepSettings(context: LabRunContext): GateSweepSettings {
  const { random } = context;
  const span = Number(random.weighted({ '5': 92, '10': 2, '15': 2, '20': 4 }));
  const step = stepForRows(6 * span, context.rows);
  const voltage = laserVoltage(random, 0.7);
  const wavelength = voltage === 0 && random.chance(0.6) ? 0 : laserWavelength(random);
  const burnInS = voltage === 0 ? random.pick([0, 0, 60]) : random.pick([60, 300]);
  const stepTimeS = random.chance(0.85) ? 0 : random.pick([0.5, 2]);
  return { start: -span, end: span, step, values: gateSweep(-span, span, step), wavelength, voltage, burnInS, stepTimeS };
}

function gateSweepEntries(sweep: GateSweepSettings): HeaderEntry[] {
  return [
    ...laserEntries(sweep.wavelength, sweep.voltage),
    quantity('burn_in_t', 'Burn-in time', sweep.burnInS, 's'),
    quantity('step_time', 'Step time', sweep.stepTimeS, 's'),
    quantity('vg_start', 'VG start', sweep.start, 'V'),
    quantity('vg_end', 'VG end', sweep.end, 'V'),
    quantity('vg_step', 'VG step', sweep.step, 'V'),
  ];
}

function sweepElapsed(sweep: GateSweepSettings): number {
  return sweep.burnInS + sweep.values.length * (sweep.stepTimeS + 0.12);
}

/** Which way a sweep point is heading, for the hysteresis of the device. */
function sweepingUp(values: readonly number[], index: number): boolean {
  return (values[index + 1] ?? Infinity) >= (values[index] ?? 0);
}

/** IVg (and IVgT, with the plate held at a target temperature): drain current over a gate sweep. */
export function currentVersusGate(context: LabRunContext, proc: 'IVg' | 'IVgT'): LabRunBody {
  const { random, device } = context;
  const sweep = gateSweepSettings(context);
  const vds = random.chance(0.95) ? 0.1 : 0.05;
  const heated = proc === 'IVgT' ? { initialC: random.int(20, 26), targetC: random.pick([25, 40, 60, 80, 100]) } : null;
  const parameters: HeaderEntry[] = [
    ...keithleyEntries(random),
    ...chipEntries(context, IVG_INFORMATION, proc === 'IVg' ? '2.1.0' : '1.0.0'),
    ...gateSweepEntries(sweep),
    quantity('vds', 'VDS', vds, 'V'),
    ...(heated ? [quantity('initial_T', 'Initial (current) T', heated.initialC, 'C'), quantity('target_T', 'Target T', heated.targetC, 'C')] : []),
  ];
  const profile = heated ? temperatureProfile(random, heated.targetC, heated.targetC, 0) : null;
  const photo = 1 + sweep.voltage * device.photoGain;
  const lines = sweep.values.map((vg, i) => {
    const current = vds * conductance(device, vg, sweepingUp(sweep.values, i)) * photo;
    const t = sweep.burnInS + i * (sweep.stepTimeS + 0.12);
    return `${pythonFloatRecurring(vg)},${reading(random, current, 1e-3)}${profile ? sensorCells(random, profile, t) : NO_SENSOR_CELLS}`;
  });
  const columns = ['Vg (V)', 'I (A)', ...SENSOR_COLUMNS];
  return { parameters: inFileOrder(parameters), metadata: [], columns, lines, durationS: null, elapsedS: sweepElapsed(sweep) };
}

/** IV: drain current over a small drain-source sweep at a fixed gate; the device is about ohmic there. */
export function currentVersusDrain(context: LabRunContext): LabRunBody {
  const { random, device } = context;
  const span = random.pick([0.1, 0.5, 1]);
  const step = stepForRows(4 * span, context.rows);
  const vg = random.pick([0, 0, -1, 1]);
  const parameters: HeaderEntry[] = [
    ...keithleyEntries(random),
    ...chipEntries(context, ['iv test', 'contacts check', 'test 71 muerto :(', 'first measurement'], '2.0.1'),
    ...laserEntries(0, 0),
    quantity('burn_in_t', 'Burn-in time', 600, 's'),
    quantity('step_time', 'Step time', 0, 's'),
    quantity('vg', 'VG', vg, 'V'),
    quantity('vsd_start', 'VSD start', -span, 'V'),
    quantity('vsd_end', 'VSD end', span, 'V'),
    quantity('vsd_step', 'VSD step', step, 'V'),
  ];
  const values = drainSweep(-span, span, step);
  const g = conductance(device, vg);
  const lines = values.map((vsd) => `${pythonFloatRecurring(vsd)},${formatSignificant(vsd * g + random.normal(0, 3e-10), 7)}${NO_SENSOR_CELLS}`);
  const columns = ['Vsd (V)', 'I (A)', ...SENSOR_COLUMNS];
  return { parameters: inFileOrder(parameters), metadata: [], columns, lines, durationS: null, elapsedS: 600 + values.length * 0.12 };
}

/** VVg: the drain-source voltage at a fixed drain current over a gate sweep, with the Keithley's own clock. */
export function voltageVersusGate(context: LabRunContext): LabRunBody {
  const { random, device } = context;
  const sweep = gateSweepSettings(context);
  const ids = random.pick([1e-6, 5e-6, 1e-5]);
  const parameters: HeaderEntry[] = [
    plain('NPLC', 'NPLC', 1),
    quantity('Vrange', 'Vrange', 1, 'V'),
    ...chipEntries(context, IVG_INFORMATION, '1.0.0'),
    quantity('ids', 'Drain-Source current', ids, 'A'),
    ...gateSweepEntries(sweep),
  ];
  const profile = temperatureProfile(random, 0, 25, 1e9);
  const times = sweep.values.map((_, i) => (i === 0 ? 0 : roundSignificant(i * (sweep.stepTimeS + 0.12) + random.normal(0, 0.002), 7)));
  const lines = sweep.values.map((vg, i) => {
    const t = times[i] ?? 0;
    const vds = ids / (conductance(device, vg, sweepingUp(sweep.values, i)) * (1 + sweep.voltage * device.photoGain));
    return `${pythonFloatRecurring(vg)},${reading(random, vds, 1e-3)},${formatSignificant(t, 7)}${sensorCells(random, profile, t)}`;
  });
  const columns = ['Vg (V)', 'VDS (V)', 't (s)', ...SENSOR_COLUMNS];
  const last = times[times.length - 1] ?? 0;
  return { parameters: inFileOrder(parameters), metadata: [], columns, lines, durationS: last, elapsedS: sweepElapsed(sweep) };
}

/** LaserCalibration: the power meter's reading (mean of N_avg) as the laser voltage rises; no chip. */
export function laserCalibration(context: LabRunContext): LabRunBody {
  const { random } = context;
  const wavelength = laserWavelength(random);
  // the lab's calibrations are 0-5 V in 0.1 V steps (51 points); a fine one for the rare large run
  const step = context.rows >= 500 ? 0.05 : 0.1;
  const stepTimeS = random.pick([0.5, 2, 2]);
  const parameters: HeaderEntry[] = [
    plain('N_avg', 'N_avg', 2),
    text('fiber', 'Optical fiber', random.chance(0.8) ? 'F1 (M92L02)' : 'F2 (M92L02)'),
    text('info', 'Information', random.pick(['None', 'max current', 'max current calib', String(wavelength), 'after collimating'])),
    plain('laser_wl', 'Laser wavelength', wavelength),
    text('procedure_version', 'Procedure version', '1.1.1'),
    quantity('step_time', 'Step time', stepTimeS, 's'),
    quantity('vl_end', 'Laser voltage end', 5, 'V'),
    quantity('vl_start', 'Laser voltage start', 0, 'V'),
    quantity('vl_step', 'Laser voltage step', step, 'V'),
  ];
  const values = ramp(0, 5, step, true).map((_, i) => i * step);
  const lines = values.map((vl) => {
    const power = laserPower(wavelength, vl);
    // the mean of two readings of 9 digits each, with the float artefacts of numpy's mean
    const pair = [0, 1].map(() => roundSignificant(power * (1 + random.normal(0, 2e-3)), 9));
    return `${pythonFloatRecurring(vl)},${pythonFloat(((pair[0] ?? 0) + (pair[1] ?? 0)) / 2)}`;
  });
  const metadata = [text('sensor', 'Sensor model', 'S120VC')];
  return { parameters: inFileOrder(parameters), metadata, columns: ['VL (V)', 'Power (W)'], lines, durationS: null, elapsedS: values.length * (stepTimeS + 0.3) };
}
