// The optical power a lit run received: its laser voltage read on the curve of the calibration nearest in time.
import type { LaserPowerDeclaration } from '../../schema/metric-declarations.js';
import { noValue, notApplicable, type MetricOutcome, type RunInput } from './run-input.js';

/** One calibration run: when, at which wavelength, and its power curve (voltages ascending); null when unreadable. */
export interface CalibrationRun {
  readonly runId: string;
  readonly startMs: number;
  readonly wavelength: number | null;
  readonly curve: { readonly voltage: Float64Array; readonly power: Float64Array } | null;
}

const HOUR_MS = 3_600_000;

/** The calibration a run uses: the latest one at its wavelength taken before it, else the first taken after it. */
function nearestCalibration(calibrations: readonly CalibrationRun[], wavelength: number, startMs: number): CalibrationRun | null {
  let before: CalibrationRun | null = null;
  let after: CalibrationRun | null = null;
  for (const c of calibrations) {
    if (c.wavelength !== wavelength) continue;
    if (c.startMs <= startMs) {
      if (before === null || c.startMs > before.startMs) before = c;
    } else if (after === null || c.startMs < after.startMs) after = c;
  }
  return before ?? after;
}

/** Linear interpolation on ascending x, held at the end values outside them (numpy's interp). */
function interpolate(x: Float64Array, y: Float64Array, at: number): number {
  const n = x.length;
  if (at <= x[0]!) return y[0]!;
  if (at >= x[n - 1]!) return y[n - 1]!;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= at) lo = mid;
    else hi = mid;
  }
  const span = x[hi]! - x[lo]!;
  return span === 0 ? y[lo]! : y[lo]! + ((y[hi]! - y[lo]!) * (at - x[lo]!)) / span;
}

export function laserPowerMetric(run: RunInput, d: LaserPowerDeclaration, calibrations: readonly CalibrationRun[]): MetricOutcome {
  if (run.hasLight !== true) return notApplicable;
  const wavelength = run.manifest(d.wavelength);
  const voltage = run.manifest(d.laserVoltage);
  if (typeof wavelength !== 'number') return noValue(['NO_WAVELENGTH']);
  if (typeof voltage !== 'number') return noValue(['NO_LASER_VOLTAGE']);
  if (run.startMs === null) return noValue(['NO_START_TIME']);
  const calibration = nearestCalibration(calibrations, wavelength, run.startMs);
  if (calibration === null) {
    const available = [...new Set(calibrations.map((c) => c.wavelength).filter((w) => w !== null))].sort((a, b) => a! - b!);
    return noValue(['NO_CALIBRATION'], { wavelength_nm: wavelength, calibrated_wavelengths_nm: available });
  }
  const hours = (run.startMs - calibration.startMs) / HOUR_MS;
  const details = { calibration_run_id: calibration.runId, calibration_age_hours: hours, wavelength_nm: wavelength, laser_voltage_v: voltage };
  const curve = calibration.curve;
  if (curve === null || curve.voltage.length < 2) return noValue(['CALIBRATION_UNREADABLE'], details);
  const outside = voltage < curve.voltage[0]! || voltage > curve.voltage[curve.voltage.length - 1]!;
  const flags = [...(hours < 0 ? ['CALIBRATION_AFTER_RUN'] : []), ...(hours > d.staleHours ? ['CALIBRATION_STALE'] : []), ...(outside ? ['VOLTAGE_OUTSIDE_CALIBRATION'] : [])];
  const confidence = (hours < 0 ? 0.7 : 1) * (hours > d.staleHours ? 0.8 : 1) * (outside ? 0.5 : 1);
  return { kind: 'value', value: interpolate(curve.voltage, curve.power, voltage), confidence, flags, details };
}

/** A calibration's curve from its data columns: finite pairs, sorted by voltage. */
export function calibrationCurve(voltage: Float64Array | undefined, power: Float64Array | undefined): CalibrationRun['curve'] {
  if (voltage === undefined || power === undefined) return null;
  const pairs: [number, number][] = [];
  for (let i = 0; i < voltage.length; i++) if (Number.isFinite(voltage[i]!) && Number.isFinite(power[i]!)) pairs.push([voltage[i]!, power[i]!]);
  pairs.sort((a, b) => a[0] - b[0]);
  return { voltage: Float64Array.from(pairs, (p) => p[0]), power: Float64Array.from(pairs, (p) => p[1]) };
}
