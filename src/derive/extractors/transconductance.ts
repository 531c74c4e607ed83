// The transconductance of a gate sweep: the largest |dI/dVg| on each full-range leg, on the hole or electron side.
import type { TransconductanceDeclaration } from '../../schema/metric-declarations.js';
import { medianOf } from '../algorithms/median.js';
import { savitzkyGolayDerivative, savitzkyGolayShape } from '../algorithms/savitzky-golay.js';
import { fullRangeLegs, type SweepDirection, type SweepLeg } from '../algorithms/sweep-legs.js';
import { confidenceOf, finiteRows, noValue, type MetricOutcome, type RunInput } from './run-input.js';

/** The peak of one branch: dI/dVg with its sign (S), and the gate voltage where it is. */
interface BranchPeak {
  readonly gm: number;
  readonly gate: number;
  readonly points: number;
}

/** One leg's peaks on either side of its lowest |I| (the coarse CNP, which belongs to neither side). */
interface LegPeaks {
  readonly holes: BranchPeak | null;
  readonly electrons: BranchPeak | null;
  readonly coarseCnp: number;
  /** The share of the leg's points within 1 % of its largest |I|: a current clipped at the instrument's compliance. */
  readonly saturation: number;
}

export type TransconductanceAnalysis =
  | { readonly kind: 'failed'; readonly flag: string }
  | { readonly kind: 'analysed'; readonly legs: Readonly<Partial<Record<SweepDirection, LegPeaks>>> };

export const transconductanceAnalysisKey = (d: TransconductanceDeclaration) => JSON.stringify(['gm', d.gate, d.current, d.window, d.order, d.fullRange]);

export function analyseTransconductance(run: RunInput, d: TransconductanceDeclaration): TransconductanceAnalysis {
  const gateColumn = run.column(d.gate);
  const currentColumn = run.column(d.current);
  if (gateColumn === undefined || currentColumn === undefined) return { kind: 'failed', flag: 'MISSING_COLUMN' };
  const [gate, current] = finiteRows([gateColumn, currentColumn]) as [Float64Array, Float64Array];
  if (gate.length === 0) return { kind: 'failed', flag: 'NO_DATA' };
  const legs = fullRangeLegs(gate, d.fullRange);
  if (legs.length === 0) return { kind: 'failed', flag: 'SWEEP_NOT_LOOPED' };
  const byDirection: Partial<Record<SweepDirection, LegPeaks>> = {};
  // A later leg of the same direction replaces an earlier one, as in the lab's mobility extractor.
  for (const leg of legs) byDirection[leg.direction] = legPeaks(gate, current, leg, d);
  return { kind: 'analysed', legs: byDirection };
}

function legPeaks(gate: Float64Array, current: Float64Array, leg: SweepLeg, d: TransconductanceDeclaration): LegPeaks {
  const order = Array.from({ length: leg.end - leg.start }, (_, k) => leg.start + k).sort((a, b) => gate[a]! - gate[b]!);
  const vg = Float64Array.from(order, (i) => gate[i]!);
  const id = Float64Array.from(order, (i) => current[i]!);
  const step = medianOf(Float64Array.from({ length: vg.length - 1 }, (_, k) => vg[k + 1]! - vg[k]!));
  const shape = savitzkyGolayShape(vg.length, d.window, d.order);
  const gm = savitzkyGolayDerivative(id, { ...shape, step });
  let lowest = 0;
  let largest = 0;
  for (let k = 0; k < id.length; k++) {
    if (Math.abs(id[k]!) < Math.abs(id[lowest]!)) lowest = k;
    largest = Math.max(largest, Math.abs(id[k]!));
  }
  const cnp = vg[lowest]!;
  const peak = (side: (v: number) => boolean): BranchPeak | null => {
    let best = -1;
    let points = 0;
    for (let k = 0; k < vg.length; k++) {
      if (!side(vg[k]!)) continue;
      points++;
      if (best < 0 || Math.abs(gm[k]!) > Math.abs(gm[best]!)) best = k;
    }
    return best < 0 || !Number.isFinite(gm[best]!) ? null : { gm: gm[best]!, gate: vg[best]!, points };
  };
  let clipped = 0;
  for (const v of id) if (Math.abs(Math.abs(v) - largest) < 0.01 * largest) clipped++;
  return { holes: peak((v) => v < cnp), electrons: peak((v) => v > cnp), coarseCnp: cnp, saturation: largest > 0 ? clipped / id.length : 0 };
}

/** The branch's peak |gm| of a leg, the larger of the two for `any`. */
function legValue(peaks: LegPeaks | undefined, branch: TransconductanceDeclaration['branch']): { gm: number; points: number } | null {
  if (peaks === undefined) return null;
  const sides = branch === 'holes' ? [peaks.holes] : branch === 'electrons' ? [peaks.electrons] : [peaks.holes, peaks.electrons];
  const found = sides.filter((s): s is BranchPeak => s !== null);
  if (found.length === 0) return null;
  return { gm: Math.max(...found.map((s) => Math.abs(s.gm))), points: Math.min(...found.map((s) => s.points)) };
}

export function transconductanceMetric(analysis: TransconductanceAnalysis, d: TransconductanceDeclaration): MetricOutcome {
  if (analysis.kind === 'failed') return noValue([analysis.flag]);
  const { forward, backward } = analysis.legs;
  const details = {
    branch: d.branch,
    forward: forward ?? null,
    backward: backward ?? null,
  };
  const f = legValue(forward, d.branch);
  const b = legValue(backward, d.branch);
  const chosen = d.direction === 'forward' ? (f === null ? [] : [f]) : d.direction === 'backward' ? (b === null ? [] : [b]) : f !== null && b !== null ? [f, b] : [];
  if (chosen.length === 0) return noValue(['SWEEP_INCOMPLETE'], details);
  const legs = d.direction === 'forward' ? [forward] : d.direction === 'backward' ? [backward] : [forward, backward];
  const saturation = Math.max(...legs.map((l) => l?.saturation ?? 0));
  const failed = {
    SATURATED: saturation >= 0.1,
    HEAVILY_SATURATED: saturation >= 0.5,
    FEW_BRANCH_POINTS: Math.min(...chosen.map((c) => c.points)) < 5,
    SWEEP_INCOMPLETE: f === null || b === null,
  };
  return {
    kind: 'value',
    value: chosen.reduce((sum, c) => sum + c.gm, 0) / chosen.length,
    confidence: confidenceOf(failed, { SATURATED: 0.6, HEAVILY_SATURATED: 0.2, FEW_BRANCH_POINTS: 0.3, SWEEP_INCOMPLETE: 0.7 }),
    flags: Object.entries(failed).filter(([, x]) => x).map(([name]) => name),
    details,
  };
}
