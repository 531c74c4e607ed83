// Runs that record against time: It, ITt, It2 (current), Vt (voltage), Pt (optical power), Tt (temperature).
import {
  NO_SENSOR_CELLS,
  conductance,
  laserIsOn,
  laserPower,
  photoResponse,
  reading,
  sampleTimes,
  sensorCells,
  temperatureProfile,
  plateTemperature,
  type TemperatureProfile,
} from './lab-measurement-series.js';
import {
  SENSOR_COLUMNS,
  chipEntries,
  gateVoltage,
  inFileOrder,
  keithleyEntries,
  laserEntries,
  laserVoltage,
  laserWavelength,
  quantity,
  plain,
  temperatureEntries,
  text,
  type HeaderEntry,
  type LabRunBody,
  type LabRunContext,
} from './lab-run-parts.js';
import { formatSignificant, pythonFloat } from './python-number-format.js';

const IT_INFORMATION = ['Light testing', 'Light testing - hbn', 'test biotite', 'first measurement', 'Light testing 455 mn', 'dark - biotite', 'Pa medir luz', 'after uv illumination - biotite'];

/** Laser ON+OFF periods in seconds; the long ones are the overnight runs. */
function laserPeriod(context: LabRunContext): number {
  return Number(context.random.weighted({ '120': 88, '240': 4, '360': 4, '2000': 2, '4500': 2 }));
}

interface LightSettings {
  readonly periodS: number;
  readonly wavelength: number;
  readonly voltage: number;
}

function lightSettings(context: LabRunContext, darkChance: number): LightSettings {
  const voltage = laserVoltage(context.random, darkChance);
  return { periodS: laserPeriod(context), wavelength: laserWavelength(context.random), voltage };
}

function timed(lines: string[], times: readonly number[], elapsedExtraS: number, parts: Omit<LabRunBody, 'lines' | 'durationS' | 'elapsedS'>): LabRunBody {
  const last = times[times.length - 1] ?? 0;
  return { ...parts, lines, durationS: last, elapsedS: last + elapsedExtraS };
}

/** The temperature-step parameters: It keeps the defaults (no step), ITt, Vt and Tt heat the plate. */
function temperatureSettings(context: LabRunContext, heats: boolean): { initialC: number; targetC: number; stepStartS: number } {
  if (!heats) return { initialC: 0, targetC: 25, stepStartS: 120 };
  const { random } = context;
  return { initialC: random.int(20, 26), targetC: random.pick([30, 35, 40, 50, 60, 80]), stepStartS: random.pick([60, 120, 300]) };
}

/** It, ITt and It2: drain current at fixed VDS and VG while the laser goes off, on, off. */
export function currentVersusTime(context: LabRunContext, proc: 'It' | 'ITt' | 'It2'): LabRunBody {
  const { random, device } = context;
  const light = lightSettings(context, 0.3);
  const laserOn = pythonFloat(light.voltage);
  const heat = temperatureSettings(context, proc === 'ITt');
  const vds = random.chance(0.9) ? 0.1 : 0.05;
  const vg = gateVoltage(random);
  const version = { It: '2.2.0', ITt: '1.0.0', It2: '1.0.0' }[proc];
  const parameters: HeaderEntry[] = [
    ...keithleyEntries(random),
    ...chipEntries(context, IT_INFORMATION, version),
    ...laserEntries(light.wavelength, light.voltage),
    ...temperatureEntries(heat.initialC, heat.targetC, heat.stepStartS),
    quantity('laser_T', 'Laser ON+OFF period', light.periodS, 's'),
    quantity('sampling_t', 'Sampling time (excluding Keithley)', 0, 's'),
    quantity('vds', 'VDS', vds, 'V'),
    quantity('vg', 'VG', vg, 'V'),
  ];
  const sensors = proc === 'It' ? null : temperatureProfile(random, heat.initialC, heat.targetC, heat.stepStartS);
  const times = sampleTimes(random, context.rows, light.periodS * 1.5);
  const dark = vds * conductance(device, vg);
  const second = dark * random.between(0.6, 1.6);
  const lines = times.map((t) => {
    const photo = light.voltage * device.photoGain * photoResponse(t, light.periodS, device.tauS);
    const thermal = sensors ? 1 + 0.004 * (plateTemperature(sensors, t) - 25) : 1;
    const drift = 1 - 2e-5 * t;
    const laser = laserIsOn(t, light.periodS) ? laserOn : '0.0';
    const currents = proc === 'It2'
      ? `${reading(random, dark * thermal * drift * (1 + photo))},${reading(random, second * thermal * drift * (1 + 0.7 * photo))}`
      : reading(random, dark * thermal * drift * (1 + photo));
    return `${formatSignificant(t, 7)},${currents},${laser}${sensors ? sensorCells(random, sensors, t) : NO_SENSOR_CELLS}`;
  });
  const currentColumns = proc === 'It2' ? ['I1 (A)', 'I2 (A)'] : ['I (A)'];
  return timed(lines, times, 2, { parameters: inFileOrder(parameters), metadata: [], columns: ['t (s)', ...currentColumns, 'VL (V)', ...SENSOR_COLUMNS] });
}

/** Vt: the drain-source voltage needed to push a fixed current, with the laser off, on, off and a plate heated. */
export function voltageVersusTime(context: LabRunContext): LabRunBody {
  const { random, device } = context;
  const light = lightSettings(context, 0.3);
  const laserOn = pythonFloat(light.voltage);
  const heat = temperatureSettings(context, true);
  const ids = random.pick([1e-6, 5e-6, 1e-5]);
  const vg = gateVoltage(random);
  const parameters: HeaderEntry[] = [
    plain('NPLC', 'NPLC', 1),
    quantity('Vrange', 'Vrange', 1, 'V'),
    ...chipEntries(context, IT_INFORMATION, '1.1.0'),
    quantity('ids', 'Drain-Source current', ids, 'A'),
    ...laserEntries(light.wavelength, light.voltage),
    ...temperatureEntries(heat.initialC, heat.targetC, heat.stepStartS),
    quantity('laser_T', 'Laser ON+OFF period', light.periodS, 's'),
    quantity('sampling_t', 'Sampling time (excluding Keithley)', 0, 's'),
    quantity('vg', 'VG', vg, 'V'),
  ];
  const sensors = temperatureProfile(random, heat.initialC, heat.targetC, heat.stepStartS);
  const times = sampleTimes(random, context.rows, light.periodS * 1.5);
  const lines = times.map((t) => {
    const photo = light.voltage * device.photoGain * photoResponse(t, light.periodS, device.tauS);
    const thermal = 1 + 0.004 * (plateTemperature(sensors, t) - 25);
    const vds = ids / (conductance(device, vg) * thermal * (1 + photo));
    const laser = laserIsOn(t, light.periodS) ? laserOn : '0.0';
    return `${formatSignificant(t, 7)},${reading(random, vds)},${laser}${sensorCells(random, sensors, t)}`;
  });
  return timed(lines, times, 2, { parameters: inFileOrder(parameters), metadata: [], columns: ['t (s)', 'VDS (V)', 'VL (V)', ...SENSOR_COLUMNS] });
}

/** Pt: optical power on the power meter while the laser goes off, on, off (no chip). */
export function powerVersusTime(context: LabRunContext): LabRunBody {
  const { random } = context;
  const light = { ...lightSettings(context, 0), periodS: random.pick([20, 60, 120]) };
  const laserOn = pythonFloat(light.voltage);
  const parameters: HeaderEntry[] = [
    quantity('Irange', 'Irange', 0.001, 'A'),
    plain('N_avg', 'N_avg', 2),
    text('fiber', 'Optical fiber', random.pick(['F1 (M92L02)', 'F2 (M92L02)', 'F3 (M96L02)'])),
    text('info', 'Information', random.pick(['None', 'stability', 'after collimating', 'warm-up'])),
    ...laserEntries(light.wavelength, light.voltage),
    quantity('laser_T', 'Laser ON+OFF period', light.periodS, 's'),
    text('procedure_version', 'Procedure version', '0.1.1'),
    quantity('sampling_t', 'Sampling time (excluding Keithley)', 0, 's'),
  ];
  const times = sampleTimes(random, context.rows, light.periodS * 1.5);
  const lines = times.map((t) => {
    const on = laserIsOn(t, light.periodS);
    const power = on ? laserPower(light.wavelength, light.voltage) * (1 - 0.002 * (t - light.periodS / 2)) : 1.3e-9;
    return `${formatSignificant(t, 7)},${reading(random, power, 3e-3)},${on ? laserOn : '0.0'}`;
  });
  const metadata = [text('sensor', 'Sensor model', 'S120VC')];
  return timed(lines, times, 1, { parameters: inFileOrder(parameters), metadata, columns: ['t (s)', 'P (W)', 'VL (V)'] });
}

/** Tt: the plate temperature over a fixed time, heated at `T step start time`; the Arduino's columns are named its own way. */
export function temperatureVersusTime(context: LabRunContext): LabRunBody {
  const { random } = context;
  const heat = temperatureSettings(context, true);
  const totalS = random.pick([600, 1800, 3600]);
  const parameters: HeaderEntry[] = [
    ...chipEntries(context, ['plate test', 'heating ramp', 'cooldown check', 'None'], '2.0.1'),
    ...temperatureEntries(heat.initialC, heat.targetC, heat.stepStartS),
    quantity('sampling_t', 'Sampling time (excluding Keithley)', 0.15, 's'),
    quantity('step_time', 'Step time', totalS, 's'),
  ];
  const profile: TemperatureProfile = temperatureProfile(random, heat.initialC, heat.targetC, heat.stepStartS);
  const times = sampleTimes(random, context.rows, totalS);
  const lines = times.map((t) => `${formatSignificant(t, 7)}${sensorCells(random, profile, t)}`);
  const columns = ['Time (s)', 'Plate Temperature (degC)', 'Ambient Temperature (degC)', 'Clock'];
  return timed(lines, times, 1, { parameters: inFileOrder(parameters), metadata: [], columns });
}
