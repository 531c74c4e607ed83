// dy/dx by a Savitzky-Golay filter: a polynomial fitted to each window of points, differentiated at its centre.
import { fitPolynomial, solveLinear } from './linear-solve.js';

/**
 * The window and polynomial order actually used for `n` points: the window at most the largest odd number <= n,
 * at least `order + 2`, always odd; the order below the window.
 */
export function savitzkyGolayShape(n: number, window: number, order: number): { window: number; order: number } {
  const largestOdd = n % 2 === 1 ? n : n - 1;
  let w = Math.min(window, largestOdd);
  if (w < order + 2) w = order + 2;
  if (w % 2 === 0) w += 1;
  if (w > n) w = largestOdd;
  return { window: w, order: order >= w ? w - 1 : order };
}

/** The weights that give the first derivative at a window's centre (in steps of 1) from its points. */
function centreWeights(window: number, order: number): number[] | null {
  const half = (window - 1) / 2;
  const size = order + 1;
  // Least squares on positions -half..half: the derivative at 0 is the linear coefficient, row 1 of (A'A)^-1 A'.
  const normal = Array.from({ length: size }, (_, r) => Array.from({ length: size }, (_, c) => sumPowers(half, r + c)));
  const unit = Array.from({ length: size }, (_, r) => (r === 1 ? 1 : 0));
  const row = solveLinear(normal, unit);
  if (row === null) return null;
  return Array.from({ length: window }, (_, k) => {
    const t = k - half;
    let w = 0;
    for (let j = 0; j < size; j++) w += row[j]! * t ** j;
    return w;
  });
}

const sumPowers = (half: number, power: number) => {
  let sum = 0;
  for (let t = -half; t <= half; t++) sum += t ** power;
  return sum;
};

/**
 * dy/dx of y sampled every `step` in x: a polynomial of `order` fitted to each `window` of points; the first and
 * last half-windows take the derivative of the polynomial fitted to the first and last whole window (scipy's
 * `savgol_filter(..., deriv=1, mode='interp')`). `step` keeps its sign, so a falling sweep differentiates right.
 */
export function savitzkyGolayDerivative(y: ArrayLike<number>, options: { readonly window: number; readonly order: number; readonly step: number }): Float64Array {
  const n = y.length;
  const { window, order, step } = options;
  const out = new Float64Array(n).fill(NaN);
  const half = (window - 1) / 2;
  const weights = centreWeights(window, order);
  if (weights === null || n < window) return out;
  for (let i = half; i < n - half; i++) {
    let sum = 0;
    for (let k = 0; k < window; k++) sum += weights[k]! * y[i - half + k]!;
    out[i] = sum / step;
  }
  const positions = Array.from({ length: window }, (_, k) => k);
  const edge = (from: number, at: readonly number[]) => {
    const coefficients = fitPolynomial(positions, Array.prototype.slice.call(y, from, from + window) as number[], order);
    for (const p of at) {
      let d = 0;
      for (let j = 1; coefficients !== null && j < coefficients.length; j++) d += j * coefficients[j]! * p ** (j - 1);
      out[from + p] = coefficients === null ? NaN : d / step;
    }
  };
  edge(0, positions.slice(0, half));
  edge(n - window, positions.slice(window - half));
  return out;
}
