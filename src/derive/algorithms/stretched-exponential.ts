// Fitting y(t) = baseline + amplitude * exp(-(t / tau)^beta) to a relaxation, by Levenberg-Marquardt.
import { medianOf } from './median.js';
import { solveLinear } from './linear-solve.js';

export interface StretchedExponential {
  readonly baseline: number;
  readonly amplitude: number;
  /** Seconds. */
  readonly tau: number;
  /** 0 < beta <= 1; 1 is a plain exponential. */
  readonly beta: number;
}

export interface RelaxationFit extends StretchedExponential {
  readonly rSquared: number;
  readonly iterations: number;
  /** The cost stopped falling: a (local) minimum was reached before the iteration limit. */
  readonly converged: boolean;
  /** Where the fit started from: tau at the sample nearest to baseline + (max - baseline) / e. */
  readonly tauStart: number;
  /** Tau ended on (or near) its upper limit, TAU_LIMIT times the stretch: the stretch is too short to measure it. */
  readonly atLimit: boolean;
}

const BETA_MIN = 0.01;
/** A longer stretch (a dark run of hours at 10 samples a second) is fitted on this many bin means. */
const MAX_FIT_POINTS = 2000;
const MAX_ITERATIONS = 200;
/** The fit has converged when a step lowers the cost, or moves the (unit-free) parameters, by less than this. */
const TOLERANCE = 1e-9;

/** The mean of the last fifth of y (at least 10 points): the level a relaxation settles to. */
function tailMean(y: ArrayLike<number>): number {
  const n = y.length;
  const tail = Math.min(n, Math.max(10, Math.floor(n / 5)));
  let sum = 0;
  for (let i = n - tail; i < n; i++) sum += y[i]!;
  return sum / tail;
}

/**
 * The lab's starting tau: the time of the sample nearest to baseline + (max(y) - baseline) / e (the median time
 * when that is the first sample), at least one sample step.
 */
function startingTau(t: ArrayLike<number>, y: ArrayLike<number>): number {
  const baseline = tailMean(y);
  let max = -Infinity;
  for (let i = 0; i < y.length; i++) max = Math.max(max, y[i]!);
  const target = baseline + (max - baseline) / Math.E;
  let best = 0;
  for (let i = 1; i < y.length; i++) if (Math.abs(y[i]! - target) < Math.abs(y[best]! - target)) best = i;
  return Math.max(best > 0 ? t[best]! : medianOf(t), t[1]! - t[0]!);
}

/**
 * Fits the stretched exponential to (t, y), t starting at 0 and at least 10 points. Time and signal are scaled to
 * order 1 and tau is fitted as its logarithm, with Marquardt's damping (proportional to each parameter's own
 * curvature), so the fit moves tau and beta as freely as the baseline whatever the units: damping by a constant
 * would leave tau where it started when the signal is a few microamps.
 */
export function fitStretchedExponential(t: ArrayLike<number>, y: ArrayLike<number>): RelaxationFit | null {
  const n = t.length;
  const duration = t[n - 1]!;
  if (n < 10 || !(duration > 0)) return null;
  const baseline0 = tailMean(y);
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(y[i]! - baseline0));
  if (!(scale > 0)) return null;
  const tauStart = startingTau(t, y);
  // Unit-free data: time in segment lengths, signal in its largest excursion; log(t) computed once. A long stretch
  // is fitted on the means of consecutive bins, each weighted by its points, and R^2 is taken on every point.
  const binned = binMeans(t, y, Math.ceil(n / MAX_FIT_POINTS));
  const logT = Float64Array.from(binned.t, (v) => Math.log(v / duration));
  const ys = Float64Array.from(binned.y, (v) => (v - baseline0) / scale);
  const model = new Model(logT, ys, binned.weight);
  let q = bounded([0, ys[0]!, Math.log(tauStart / duration), 0.7])!;
  let cost = model.cost(q);
  let lambda = 1e-3;
  let iterations = 0;
  let converged = false;
  while (iterations < MAX_ITERATIONS) {
    iterations++;
    const { jtj, jtr } = model.normalEquations(q);
    const step = boundedStep(jtj, jtr, q, lambda);
    const next = step === null ? null : bounded(q.map((v, i) => v + step[i]!));
    const nextCost = next === null ? Infinity : model.cost(next);
    if (next !== null && nextCost < cost) {
      const drop = (cost - nextCost) / Math.max(cost, 1e-300);
      const moved = Math.max(...next.map((v, i) => Math.abs(v - q[i]!) / (1 + Math.abs(q[i]!))));
      q = next;
      cost = nextCost;
      lambda = Math.max(lambda / 10, 1e-12);
      if (drop < TOLERANCE || moved < TOLERANCE) {
        converged = true;
        break;
      }
    } else {
      lambda *= 10;
      if (lambda > 1e10) {
        converged = true; // no step in any direction lowers the cost: a minimum
        break;
      }
    }
  }
  const [b, a, logTau, beta] = q as [number, number, number, number];
  const fitted = { baseline: baseline0 + b * scale, amplitude: a * scale, tau: Math.exp(logTau) * duration, beta };
  return {
    ...fitted,
    rSquared: rSquared(t, y, fitted),
    iterations,
    converged,
    tauStart,
    // Within 5 % of the limit counts as on it: a fit crawling along the valley towards it has not come any closer.
    atLimit: logTau >= UPPER[2]! + Math.log(0.95),
  };
}

/**
 * Tau is fitted between a millionth of the stretch and TAU_LIMIT stretches: beyond that the stretch shows only the
 * start of the relaxation, which a line fits as well, and tau is not measured by it (the fit says so: `atLimit`).
 */
export const TAU_LIMIT = 20;
const LOWER = [-Infinity, -Infinity, Math.log(1e-6), BETA_MIN];
const UPPER = [Infinity, Infinity, Math.log(TAU_LIMIT), 1];

function bounded(q: number[]): number[] | null {
  if (!q.every(Number.isFinite)) return null;
  return q.map((v, i) => Math.min(Math.max(v, LOWER[i]!), UPPER[i]!));
}

/**
 * The damped Gauss-Newton step, with a parameter that sits on a bound and would step beyond it held there: the
 * others then move as if it were fixed, instead of every step being cut back to the bound (which stalls the fit
 * when the best beta would be above 1).
 */
function boundedStep(jtj: readonly number[][], jtr: readonly number[], q: readonly number[], lambda: number): number[] | null {
  // A tiny absolute term keeps the system solvable when a parameter has no effect (a zero amplitude).
  const damped = jtj.map((row, i) => row.map((v, j) => (i === j ? v * (1 + lambda) + lambda * 1e-9 : v)));
  const held = new Set<number>();
  for (;;) {
    const free = [0, 1, 2, 3].filter((i) => !held.has(i));
    const solved = solveLinear(
      free.map((i) => free.map((j) => damped[i]![j]!)),
      free.map((i) => jtr[i]!),
    );
    if (solved === null) return null;
    const step = [0, 0, 0, 0];
    free.forEach((i, k) => (step[i] = solved[k]!));
    const outward = free.filter((i) => (q[i]! <= LOWER[i]! && step[i]! < 0) || (q[i]! >= UPPER[i]! && step[i]! > 0));
    if (outward.length === 0) return step;
    for (const i of outward) held.add(i);
  }
}

/** Means of `size` consecutive points (the last bin may hold fewer), and how many points each holds. */
function binMeans(t: ArrayLike<number>, y: ArrayLike<number>, size: number): { t: Float64Array; y: Float64Array; weight: Float64Array } {
  const n = t.length;
  const bins = Math.ceil(n / size);
  const out = { t: new Float64Array(bins), y: new Float64Array(bins), weight: new Float64Array(bins) };
  for (let i = 0; i < n; i++) {
    const k = Math.floor(i / size);
    out.t[k]! += t[i]!;
    out.y[k]! += y[i]!;
    out.weight[k]! += 1;
  }
  for (let k = 0; k < bins; k++) {
    out.t[k]! /= out.weight[k]!;
    out.y[k]! /= out.weight[k]!;
  }
  return out;
}

/** The share of the signal's variance about its mean that the curve explains. */
function rSquared(t: ArrayLike<number>, y: ArrayLike<number>, c: StretchedExponential): number {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]!;
  mean /= n;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    residual += (y[i]! - c.baseline - c.amplitude * Math.exp(-((t[i]! / c.tau) ** c.beta))) ** 2;
    total += (y[i]! - mean) ** 2;
  }
  return total > 0 ? 1 - residual / total : 0;
}

/** The scaled model and its derivatives in (baseline, amplitude, log tau, beta), each point weighted. */
class Model {
  constructor(
    private readonly logT: Float64Array,
    private readonly y: Float64Array,
    private readonly weight: Float64Array,
  ) {}

  cost(q: readonly number[]): number {
    const [b, a, logTau, beta] = q as [number, number, number, number];
    let sum = 0;
    for (let i = 0; i < this.y.length; i++) {
      const u = Math.exp(beta * (this.logT[i]! - logTau));
      sum += this.weight[i]! * (this.y[i]! - b - a * Math.exp(-u)) ** 2;
    }
    return sum;
  }

  normalEquations(q: readonly number[]): { jtj: number[][]; jtr: number[] } {
    const [b, a, logTau, beta] = q as [number, number, number, number];
    // The 10 distinct sums of the symmetric J'J and the 4 of J'r, kept in locals: this loop is the fit's cost.
    let s11 = 0, s12 = 0, s13 = 0, s14 = 0, s22 = 0, s23 = 0, s24 = 0, s33 = 0, s34 = 0, s44 = 0;
    let r1 = 0, r2 = 0, r3 = 0, r4 = 0;
    const n = this.y.length;
    for (let i = 0; i < n; i++) {
      const x = this.logT[i]! - logTau; // log(t / tau)
      const u = Math.exp(beta * x);
      const e = Math.exp(-u);
      const w = this.weight[i]!;
      const r = this.y[i]! - b - a * e;
      const g2 = e;
      const g3 = a * e * u * beta;
      const g4 = x === -Infinity ? 0 : -a * e * u * x; // t = 0: u = 0, and u log u -> 0
      s11 += w;
      s12 += w * g2;
      s13 += w * g3;
      s14 += w * g4;
      s22 += w * g2 * g2;
      s23 += w * g2 * g3;
      s24 += w * g2 * g4;
      s33 += w * g3 * g3;
      s34 += w * g3 * g4;
      s44 += w * g4 * g4;
      r1 += w * r;
      r2 += w * g2 * r;
      r3 += w * g3 * r;
      r4 += w * g4 * r;
    }
    return {
      jtj: [
        [s11, s12, s13, s14],
        [s12, s22, s23, s24],
        [s13, s23, s33, s34],
        [s14, s24, s34, s44],
      ],
      jtr: [r1, r2, r3, r4],
    };
  }
}
