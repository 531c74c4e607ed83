// Physically plausible measurement series (sweeps, laser on/off transients, temperatures) as CSV data lines.
import { formatDecimals, formatSignificant, roundSignificant } from './python-number-format.js';
import type { Random } from './seeded-random.js';

/** A graphene-like field-effect device: conductance with a minimum at the Dirac point, a little photoresponse. */
export interface DeviceModel {
  readonly gMin: number;
  readonly gSlope: number;
  readonly dirac: number;
  readonly hysteresis: number;
  /** Relative current change under a laser driven at 1 V. */
  readonly photoGain: number;
  readonly tauS: number;
}

export function deviceModel(random: Random): DeviceModel {
  return {
    gMin: random.between(1.5e-4, 4e-4),
    gSlope: random.between(1e-4, 2.5e-4),
    dirac: random.between(-0.5, 1.5),
    hysteresis: random.between(0.05, 0.4),
    photoGain: random.between(0.002, 0.02),
    tauS: random.between(5, 40),
  };
}

export function conductance(device: DeviceModel, vg: number, sweepingUp = true): number {
  const dirac = device.dirac + (sweepingUp ? -device.hysteresis : device.hysteresis);
  return device.gMin + device.gSlope * Math.sqrt((vg - dirac) ** 2 + 0.09);
}

/** Keithley readings carry 7 significant digits and a little relative noise. */
export function reading(random: Random, value: number, relativeNoise = 2e-4): string {
  return formatSignificant(value * (1 + random.normal(0, relativeNoise)), 7);
}

/** Voltages as numpy's arange writes them: `start + i*step`, float artefacts (`0.30000000000000004`) included. */
export function ramp(from: number, to: number, step: number, includeEnd: boolean): number[] {
  const count = Math.round(Math.abs(to - from) / step);
  const direction = to >= from ? 1 : -1;
  const values: number[] = [];
  for (let i = 0; i < count; i++) values.push(from + i * direction * step);
  if (includeEnd) values.push(to);
  return values;
}

/** The lab's gate sweep: 0 -> start -> end -> start -> 0, each turning point written once. */
export function gateSweep(start: number, end: number, step: number): number[] {
  return [...ramp(0, start, step, false), ...ramp(start, end, step, false), ...ramp(end, start, step, false), ...ramp(start, 0, step, true)];
}

/** The lab's drain sweep: 0 -> start -> end -> 0. */
export function drainSweep(start: number, end: number, step: number): number[] {
  return [...ramp(0, start, step, false), ...ramp(start, end, step, false), ...ramp(end, 0, step, true)];
}

/** The step (from the values people type) whose sweep over `span` volts comes closest to `rows` points. */
export function stepForRows(span: number, rows: number): number {
  const steps = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 5];
  const wanted = span / Math.max(1, rows - 1);
  return steps.reduce((best, s) => (Math.abs(Math.log(s / wanted)) < Math.abs(Math.log(best / wanted)) ? s : best));
}

/** Keithley timestamps: `rows` samples over `durationS`, with the small jitter of a real sampling loop. */
export function sampleTimes(random: Random, rows: number, durationS: number): number[] {
  const dt = durationS / Math.max(1, rows - 1);
  const times = [0];
  for (let i = 1; i < rows; i++) times.push(roundSignificant(i * dt + random.normal(0, dt * 0.002), 7));
  return times;
}

/** Laser switched on for the middle third of a run of 1.5 ON+OFF periods (off, on, off), as It and Pt do. */
export function laserIsOn(t: number, periodS: number): boolean {
  return t >= periodS / 2 && t < periodS;
}

/** The fraction of the photoresponse present at time t: rises after switch-on, decays after switch-off. */
export function photoResponse(t: number, periodS: number, tauS: number): number {
  if (t < periodS / 2) return 0;
  const rise = 1 - Math.exp(-(Math.min(t, periodS) - periodS / 2) / tauS);
  return t < periodS ? rise : rise * Math.exp(-(t - periodS) / tauS);
}

/** The optical power a laser driven at `voltage` delivers: nothing below a threshold, then about linear. */
export function laserPower(wavelength: number, voltage: number): number {
  const slope = 5e-6 * (wavelength < 420 ? 0.6 : wavelength > 600 ? 1.4 : 1);
  return 1.3e-9 + Math.max(0, voltage - 0.15) * slope;
}

/** Plate and ambient temperatures read by the PT100 sensor and the Arduino clock, or `nan` when a read failed. */
export interface TemperatureProfile {
  readonly initialC: number;
  readonly targetC: number;
  readonly stepStartS: number;
  readonly ambientC: number;
  readonly clockStartMs: number;
}

export function temperatureProfile(random: Random, initialC: number, targetC: number, stepStartS: number): TemperatureProfile {
  const ambientC = random.between(20.5, 24.5);
  return { initialC: initialC || ambientC, targetC, stepStartS, ambientC, clockStartMs: random.int(50_000, 90_000_000) };
}

export function plateTemperature(profile: TemperatureProfile, t: number): number {
  if (t < profile.stepStartS) return profile.initialC;
  return profile.targetC + (profile.initialC - profile.targetC) * Math.exp(-(t - profile.stepStartS) / 90);
}

/** `,plate,ambient,clock` for one sample; a sensor that misses a read writes nan in all three, as PyMeasure does. */
export function sensorCells(random: Random, profile: TemperatureProfile, t: number): string {
  if (random.chance(0.004)) return ',nan,nan,nan';
  const plate = formatDecimals(plateTemperature(profile, t) + random.normal(0, 0.05), 2);
  const ambient = formatDecimals(profile.ambientC + random.normal(0, 0.03), 2);
  return `,${plate},${ambient},${profile.clockStartMs + Math.round(t * 1000)}.0`;
}

/** What the early setups without a temperature sensor write in the three sensor columns. */
export const NO_SENSOR_CELLS = ',nan,nan,nan';
