// The charge-neutrality point of a gate sweep: the gate voltage where the channel's resistance peaks, per direction.
import type { CnpDeclaration } from '../../schema/metric-declarations.js';
import { parabolaVertex, type VertexFit } from '../algorithms/parabola-vertex.js';
import { fullRangeLegs, type SweepDirection, type SweepLeg } from '../algorithms/sweep-legs.js';
import { confidenceOf, finiteRows, noValue, type MetricOutcome, type RunInput } from './run-input.js';

type Fitted = Extract<VertexFit, { kind: 'fit' }>;

/** Both directions of one sweep, computed once for every CNP metric of the run. */
export type CnpAnalysis =
  | { readonly kind: 'failed'; readonly flag: string }
  | {
      readonly kind: 'analysed';
      readonly legs: readonly SweepLeg[];
      readonly signal: Float64Array;
      readonly forward: Fitted | null;
      readonly backward: Fitted | null;
      /** Why a direction has no CNP: no full-range leg, or its extremum at an end of the leg. */
      readonly missing: Readonly<Partial<Record<SweepDirection, string>>>;
      readonly gateRange: number;
    };

/** The key under which a run's analysis is shared by the metrics that differ only in `value`. */
export const cnpAnalysisKey = (d: CnpDeclaration) => JSON.stringify(['cnp', d.gate, d.signal.column, d.signal.kind, d.window, d.fullRange]);

export function analyseCnp(run: RunInput, d: CnpDeclaration): CnpAnalysis {
  const gateColumn = run.column(d.gate);
  const signalColumn = run.column(d.signal.column);
  if (gateColumn === undefined || signalColumn === undefined) return { kind: 'failed', flag: 'MISSING_COLUMN' };
  const [gate, signal] = finiteRows([gateColumn, signalColumn]) as [Float64Array, Float64Array];
  if (gate.length === 0) return { kind: 'failed', flag: 'NO_DATA' };
  const legs = fullRangeLegs(gate, d.fullRange);
  if (legs.length === 0) return { kind: 'failed', flag: 'SWEEP_NOT_LOOPED' };
  const extremum = d.signal.kind === 'current' ? 'min' : 'max';
  const fits: Partial<Record<SweepDirection, Fitted>> = {};
  const missing: Partial<Record<SweepDirection, string>> = {};
  for (const leg of legs) {
    if (fits[leg.direction] !== undefined) continue; // the first leg of a direction that fits is the one kept
    const fit = parabolaVertex(gate, signal, leg, { windowFraction: d.window, extremum });
    if (fit.kind === 'fit') {
      fits[leg.direction] = fit;
      delete missing[leg.direction];
    } else {
      missing[leg.direction] = fit.kind === 'at-edge' ? 'CNP_AT_EDGE' : 'NO_VERTEX';
    }
  }
  for (const direction of ['forward', 'backward'] as const) if (fits[direction] === undefined) missing[direction] ??= 'NO_FULL_LEG';
  // No direction fits: say what went wrong on the legs there are, rather than that a direction has none.
  if (fits.forward === undefined && fits.backward === undefined) return { kind: 'failed', flag: Object.values(missing).find((m) => m !== 'NO_FULL_LEG') ?? 'NO_VERTEX' };
  let min = Infinity;
  let max = -Infinity;
  for (const v of gate) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return { kind: 'analysed', legs, signal, forward: fits.forward ?? null, backward: fits.backward ?? null, missing, gateRange: max - min };
}

/** The |signal| of a leg swings by more than half its largest value: a clear resistance peak. */
function modulated(signal: Float64Array, leg: SweepLeg | undefined): boolean {
  if (leg === undefined) return false;
  let min = Infinity;
  let max = 0;
  for (let i = leg.start; i < leg.end; i++) {
    const a = Math.abs(signal[i]!);
    min = Math.min(min, a);
    max = Math.max(max, a);
  }
  return max > 0 && (max - min) / max > 0.5;
}

/** The resistance at a vertex: drain voltage over |current|, or |voltage| over the drain current. */
function resistanceAt(fit: Fitted, d: CnpDeclaration, run: RunInput): number | null {
  const bias = run.manifest(d.signal.kind === 'current' ? d.signal.drainVoltage : d.signal.drainCurrent);
  if (typeof bias !== 'number' || !Number.isFinite(bias) || bias === 0) return null;
  const r = d.signal.kind === 'current' ? Math.abs(bias) / Math.abs(fit.y) : Math.abs(fit.y) / Math.abs(bias);
  return Number.isFinite(r) ? r : null;
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

export function cnpMetric(analysis: CnpAnalysis, d: CnpDeclaration, run: RunInput): MetricOutcome {
  if (analysis.kind === 'failed') return noValue([analysis.flag]);
  const { forward, backward } = analysis;
  const hysteresis = forward !== null && backward !== null ? backward.x - forward.x : null;
  const details = {
    v_forward: forward?.x ?? null,
    v_backward: backward?.x ?? null,
    signal_forward: forward?.y ?? null,
    signal_backward: backward?.y ?? null,
    hysteresis_v: hysteresis,
    full_range_legs: analysis.legs.length,
    window_points: (forward ?? backward)?.windowPoints ?? null,
    gate_range_v: analysis.gateRange,
    missing: analysis.missing,
  };
  const own = d.value === 'forward' ? forward : d.value === 'backward' ? backward : (forward ?? backward);
  if (own === null) return noValue([analysis.missing[d.value as SweepDirection] ?? 'NO_VERTEX'], details);
  const both = forward !== null && backward !== null;
  const firstLeg = d.value === 'forward' || d.value === 'backward' ? analysis.legs.find((l) => l.direction === d.value) : analysis.legs[0];
  const failed = {
    SWEEP_INCOMPLETE: !both,
    HIGH_HYSTERESIS: hysteresis !== null && Math.abs(hysteresis) > d.hysteresisWarnV,
    LOW_MODULATION: !modulated(analysis.signal, firstLeg),
  };
  const flags = Object.entries(failed).filter(([, f]) => f).map(([name]) => name);
  const confidence = confidenceOf(failed, { SWEEP_INCOMPLETE: 0.7, HIGH_HYSTERESIS: 0.6, LOW_MODULATION: 0.4 });
  const fits = [forward, backward].filter((f): f is Fitted => f !== null);
  let value: number | null;
  switch (d.value) {
    case 'forward':
    case 'backward':
      value = own.x;
      break;
    case 'average':
      value = mean(fits.map((f) => f.x));
      break;
    case 'hysteresis':
      if (hysteresis === null) return noValue(['SWEEP_INCOMPLETE'], details);
      value = hysteresis;
      break;
    case 'resistance': {
      const rs = fits.map((f) => resistanceAt(f, d, run));
      if (rs.some((r) => r === null)) return noValue(['NO_DRAIN_BIAS'], details);
      value = mean(rs as number[]);
      break;
    }
  }
  return { kind: 'value', value, confidence, flags, details };
}
