// The relaxation time of a time trace after the light goes off: a stretched exponential fitted to the dark stretch.
import type { RelaxationDeclaration } from '../../schema/metric-declarations.js';
import { fitStretchedExponential, type RelaxationFit } from '../algorithms/stretched-exponential.js';
import { finiteRows, noValue, type MetricOutcome, type RunInput } from './run-input.js';

export type RelaxationAnalysis =
  | { readonly kind: 'failed'; readonly flag: string; readonly details?: Readonly<Record<string, unknown>> }
  | { readonly kind: 'fitted'; readonly fit: RelaxationFit; readonly details: Readonly<Record<string, unknown>> };

export const relaxationAnalysisKey = (d: RelaxationDeclaration) => JSON.stringify(['relax', d.time, d.signal, d.light, d.thresholdV, d.minDurationS, d.minPoints]);

/** Below this R^2 a fit says nothing about the run (the lab drops it too). */
const MIN_R_SQUARED = 0.5;

/**
 * The dark stretch to fit, [start, end): the longest (in seconds) that begins where the light goes off; in a run
 * whose light never goes off, the longest dark stretch (in points) there is, which for a dark run is all of it.
 */
function darkStretch(time: Float64Array, lit: Uint8Array): { start: number; end: number } | null {
  const n = lit.length;
  const offEdges: number[] = [];
  for (let i = 1; i < n; i++) if (lit[i - 1] === 1 && lit[i] === 0) offEdges.push(i);
  if (offEdges.length > 0) {
    let best: { start: number; end: number; seconds: number } | null = null;
    for (const start of offEdges) {
      let end = start;
      while (end < n && lit[end] === 0) end++;
      const seconds = time[end - 1]! - time[start]!;
      if (best === null || seconds > best.seconds) best = { start, end, seconds };
    }
    return best;
  }
  let best: { start: number; end: number } | null = null;
  for (let i = 0; i < n; ) {
    if (lit[i] === 1) {
      i++;
      continue;
    }
    let end = i;
    while (end < n && lit[end] === 0) end++;
    if (best === null || end - i > best.end - best.start) best = { start: i, end };
    i = end;
  }
  return best;
}

export function analyseRelaxation(run: RunInput, d: RelaxationDeclaration): RelaxationAnalysis {
  const timeColumn = run.column(d.time);
  const signalColumn = run.column(d.signal);
  const lightColumn = run.column(d.light);
  if (timeColumn === undefined || signalColumn === undefined || lightColumn === undefined) return { kind: 'failed', flag: 'MISSING_COLUMN' };
  const [time, signal, light] = finiteRows([timeColumn, signalColumn, lightColumn]) as [Float64Array, Float64Array, Float64Array];
  const lit = Uint8Array.from(light, (v) => (v > d.thresholdV ? 1 : 0));
  const stretch = darkStretch(time, lit);
  if (stretch === null) return { kind: 'failed', flag: 'NO_DARK_STRETCH' };
  const seconds = time[stretch.end - 1]! - time[stretch.start]!;
  if (seconds < d.minDurationS || stretch.end - stretch.start < d.minPoints) {
    return { kind: 'failed', flag: 'DARK_STRETCH_TOO_SHORT', details: { seconds, points: stretch.end - stretch.start } };
  }
  // The first dark sample is skipped: it is often taken while the laser is still switching off.
  const from = stretch.start + 1;
  const t = Float64Array.from(time.subarray(from, stretch.end), (v) => v - time[from]!);
  const y = signal.subarray(from, stretch.end);
  const fit = fitStretchedExponential(t, y);
  const where = { segment_start_s: time[from]!, segment_end_s: time[stretch.end - 1]!, points: t.length };
  if (fit === null) return { kind: 'failed', flag: 'FLAT_SIGNAL', details: where };
  const details = {
    tau_s: fit.tau,
    beta: fit.beta,
    amplitude: fit.amplitude,
    baseline: fit.baseline,
    r_squared: fit.rSquared,
    iterations: fit.iterations,
    converged: fit.converged,
    tau_start_s: fit.tauStart,
    after_light: run.hasLight !== false && lit.includes(1),
    ...where,
  };
  // A fit still moving after its last iteration with tau past the stretch is crawling up the same valley.
  const span = (details.segment_end_s - details.segment_start_s);
  if (fit.atLimit || (!fit.converged && fit.tau > span)) return { kind: 'failed', flag: 'TAU_UNDETERMINED', details };
  if (!fit.converged) return { kind: 'failed', flag: 'FIT_NOT_CONVERGED', details };
  if (fit.rSquared < MIN_R_SQUARED) return { kind: 'failed', flag: 'POOR_FIT', details };
  return { kind: 'fitted', fit, details };
}

export function relaxationMetric(analysis: RelaxationAnalysis, d: RelaxationDeclaration): MetricOutcome {
  {
    if (analysis.kind === 'failed') return noValue([analysis.flag], analysis.details ?? null);
    const { fit, details } = analysis;
    const span = (details['segment_end_s'] as number) - (details['segment_start_s'] as number);
    let confidence = 1;
    if (fit.rSquared < 0.95) confidence *= 0.8;
    if (fit.rSquared < 0.9) confidence *= 0.7;
    if (fit.rSquared < 0.8) confidence *= 0.5;
    const flags: string[] = [];
    if (fit.rSquared < 0.8) flags.push('LOW_R_SQUARED');
    if (fit.tau > span) {
      // The stretch ends before the signal has relaxed: tau is an extrapolation.
      flags.push('TAU_BEYOND_STRETCH');
      confidence *= 0.5;
    }
    if (fit.tau < 1) flags.push('VERY_FAST_RELAXATION');
    if (fit.beta < 0.3) flags.push('HIGHLY_STRETCHED');
    return { kind: 'value', value: d.value === 'tau' ? fit.tau : fit.beta, confidence, flags, details };
  }
}
