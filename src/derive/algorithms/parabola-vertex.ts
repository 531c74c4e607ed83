// The vertex of a parabola fitted to a few points around a leg's extremum: where a gate sweep's |I| is lowest.
import { fitPolynomial } from './linear-solve.js';

export type VertexFit =
  | {
      readonly kind: 'fit';
      /** The gate voltage of the vertex, and the fitted signal there. */
      readonly x: number;
      readonly y: number;
      /** y = a x^2 + b x + c over the window. */
      readonly a: number;
      readonly b: number;
      readonly c: number;
      readonly windowPoints: number;
      /** Index (in the leg) of the sample with the extreme |signal|. */
      readonly extremumIndex: number;
    }
  /** The extreme sample is too close to an end of the leg for a window around it: the CNP may lie beyond. */
  | { readonly kind: 'at-edge'; readonly extremumIndex: number }
  /** The window's points lie on a line, or the vertex falls outside the window. */
  | { readonly kind: 'no-vertex'; readonly extremumIndex: number };

/** Python's round(): halves go to the even neighbour (round(2.5) is 2), as the lab's window width does. */
function roundHalfEven(value: number): number {
  const floor = Math.floor(value);
  const diff = value - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Fits a parabola to the samples around the smallest (`min`) or largest (`max`) |y| of x[start, end): the window
 * is `windowFraction` of the leg's points wide, at least 3, centred on that sample.
 */
export function parabolaVertex(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  leg: { readonly start: number; readonly end: number },
  options: { readonly windowFraction: number; readonly extremum: 'min' | 'max' },
): VertexFit {
  const n = leg.end - leg.start;
  let best = 0;
  for (let i = 1; i < n; i++) {
    const v = Math.abs(y[leg.start + i]!);
    const b = Math.abs(y[leg.start + best]!);
    if (options.extremum === 'min' ? v < b : v > b) best = i;
  }
  const width = Math.max(3, roundHalfEven(options.windowFraction * n));
  const half = Math.max(1, Math.floor(width / 2));
  if (best - half < 0 || best + half >= n) return { kind: 'at-edge', extremumIndex: best };
  const from = leg.start + best - half;
  const to = leg.start + best + half + 1;
  const wx = Array.prototype.slice.call(x, from, to) as number[];
  const wy = Array.prototype.slice.call(y, from, to) as number[];
  const fit = fitPolynomial(wx, wy, 2);
  const [c, b, a] = fit ?? [NaN, NaN, NaN];
  if (fit === null || !Number.isFinite(a!) || Math.abs(a!) < 1e-30) return { kind: 'no-vertex', extremumIndex: best };
  const vertex = -b! / (2 * a!);
  if (!Number.isFinite(vertex) || vertex < Math.min(...wx) || vertex > Math.max(...wx)) return { kind: 'no-vertex', extremumIndex: best };
  return { kind: 'fit', x: vertex, y: c! - (b! * b!) / (4 * a!), a: a!, b: b!, c: c!, windowPoints: to - from, extremumIndex: best };
}
