// The photoresponse of a time trace with the laser switched on and off: how far the signal moved while lit.
import type { PhotoresponseDeclaration } from '../../schema/metric-declarations.js';
import { finiteRows, noValue, notApplicable, type MetricOutcome, type RunInput } from './run-input.js';

export type PhotoresponseAnalysis =
  | { readonly kind: 'failed'; readonly flag: string }
  | { readonly kind: 'dark' }
  | {
      readonly kind: 'analysed';
      /** The signal at the last lit sample minus at the first: the change the light made (the lab's delta). */
      readonly delta: number;
      /** mean(lit) / mean(dark) - 1; null when the dark mean is 0. */
      readonly ratio: number | null;
      readonly confidence: number;
      readonly flags: readonly string[];
      readonly details: Readonly<Record<string, unknown>>;
    };

export const photoresponseAnalysisKey = (d: PhotoresponseDeclaration) => JSON.stringify(['photo', d.signal, d.light, d.thresholdV, d.minSamples]);

const meanOf = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const stdOf = (v: readonly number[]) => {
  const m = meanOf(v);
  return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
};

export function analysePhotoresponse(run: RunInput, d: PhotoresponseDeclaration): PhotoresponseAnalysis {
  const signalColumn = run.column(d.signal);
  const lightColumn = run.column(d.light);
  if (run.hasLight === false) return { kind: 'dark' };
  if (signalColumn === undefined || lightColumn === undefined) return { kind: 'failed', flag: 'MISSING_COLUMN' };
  const [signal, light] = finiteRows([signalColumn, lightColumn]) as [Float64Array, Float64Array];
  const lit = Array.from(light, (v) => v > d.thresholdV);
  const on: number[] = [];
  const off: number[] = [];
  lit.forEach((l, i) => (l ? on : off).push(signal[i]!));
  if (on.length < d.minSamples || off.length < d.minSamples) return { kind: 'failed', flag: on.length < d.minSamples ? 'TOO_FEW_LIT_SAMPLES' : 'TOO_FEW_DARK_SAMPLES' };
  const first = lit.indexOf(true);
  const last = lit.lastIndexOf(true);
  const delta = signal[last]! - signal[first]!;
  const meanOn = meanOf(on);
  const meanOff = meanOf(off);
  const stdOn = stdOf(on);
  const stdOff = stdOf(off);
  const ratio = Math.abs(meanOff) > 1e-15 ? meanOn / meanOff - 1 : null;
  const cycles = cycleDeltas(signal, lit);
  const noise = Math.max(stdOn, stdOff);
  const snr = noise > 0 ? Math.abs(delta) / noise : null;
  const spread = cycles.deltas.length > 1 ? stdOf(cycles.deltas) : null;
  const checks = {
    goodSnr: snr !== null && snr > 3,
    multipleCycles: cycles.count >= 2,
    consistent: spread !== null && Math.abs(delta) > 0 && spread / Math.abs(delta) < 0.2,
    lowNoise: stdOn < Math.abs(meanOn) * 0.1 && stdOff < Math.abs(meanOff) * 0.1,
    noResponse: Math.abs(delta) < noise,
  };
  // The lab's scoring: points for each quality, less when the light made no difference.
  let confidence = (checks.goodSnr ? 0.4 : 0) + (checks.multipleCycles ? 0.2 : 0) + (checks.consistent ? 0.2 : 0) + (checks.lowNoise ? 0.2 : 0);
  if (checks.noResponse) confidence = Math.max(0.1, confidence - 0.5);
  const flags = [
    ...(checks.noResponse ? ['NO_RESPONSE'] : []),
    ...(checks.goodSnr ? [] : ['LOW_SNR']),
    ...(checks.multipleCycles ? [] : ['SINGLE_CYCLE']),
    ...(checks.multipleCycles && !checks.consistent ? ['INCONSISTENT_CYCLES'] : []),
  ];
  const details = {
    delta,
    mean_on: meanOn,
    mean_off: meanOff,
    std_on: stdOn,
    std_off: stdOff,
    ratio,
    samples_on: on.length,
    samples_off: off.length,
    cycles: cycles.count,
    cycle_deltas: cycles.deltas,
    snr,
  };
  return { kind: 'analysed', delta, ratio, confidence: Math.min(1, confidence), flags, details };
}

/**
 * Each light cycle's mean(lit) - mean(the dark that follows), pairing the k-th switch-on with the k-th switch-off
 * as the lab does: a run that starts lit pairs each dark stretch with the lit one before it.
 */
function cycleDeltas(signal: Float64Array, lit: readonly boolean[]): { count: number; deltas: number[] } {
  const ons: number[] = [];
  const offs: number[] = [];
  for (let i = 1; i < lit.length; i++) {
    if (lit[i] && !lit[i - 1]) ons.push(i);
    if (!lit[i] && lit[i - 1]) offs.push(i);
  }
  const count = Math.min(ons.length, offs.length);
  const deltas: number[] = [];
  for (let k = 0; k < count; k++) {
    const onValues = Array.from(signal.subarray(ons[k]!, offs[k]!));
    const offValues = Array.from(signal.subarray(offs[k]!, ons[k + 1] ?? signal.length));
    if (onValues.length > 0 && offValues.length > 0) deltas.push(meanOf(onValues) - meanOf(offValues));
  }
  return { count, deltas };
}

export function photoresponseMetric(analysis: PhotoresponseAnalysis, d: PhotoresponseDeclaration): MetricOutcome {
  if (analysis.kind === 'dark') return notApplicable;
  if (analysis.kind === 'failed') return noValue([analysis.flag]);
  const value = d.value === 'delta' ? analysis.delta : analysis.ratio;
  if (value === null) return noValue(['DARK_MEAN_ZERO'], analysis.details);
  return { kind: 'value', value, confidence: analysis.confidence, flags: analysis.flags, details: analysis.details };
}
