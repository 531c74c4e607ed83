// Small dense linear algebra for the fits: a square solve and a polynomial least-squares fit.

/** Solves `a x = b` (n x n, row-major) by Gaussian elimination with partial pivoting; null when `a` is singular. */
export function solveLinear(a: readonly number[][], b: readonly number[]): number[] | null {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let row = col + 1; row < n; row++) if (Math.abs(m[row]![col]!) > Math.abs(m[pivot]![col]!)) pivot = row;
    if (!(Math.abs(m[pivot]![col]!) > 0)) return null;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const top = m[col]!;
    for (let row = col + 1; row < n; row++) {
      const r = m[row]!;
      const factor = r[col]! / top[col]!;
      for (let k = col; k <= n; k++) r[k] = r[k]! - factor * top[k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let row = n - 1; row >= 0; row--) {
    const r = m[row]!;
    let sum = r[n]!;
    for (let k = row + 1; k < n; k++) sum -= r[k]! * x[k]!;
    x[row] = sum / r[row]!;
  }
  return x.every(Number.isFinite) ? x : null;
}

/**
 * Least-squares polynomial of `degree` through the points (x, y): coefficients from the constant term up. The x
 * values are centred and scaled first, so that a window of gate voltages near 5 V fits as well as one near 0 V.
 */
export function fitPolynomial(x: ArrayLike<number>, y: ArrayLike<number>, degree: number): number[] | null {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i]!;
  mean /= n;
  let scale = 0;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(x[i]! - mean));
  if (!(scale > 0)) return null;
  const size = degree + 1;
  const normal = Array.from({ length: size }, () => new Array<number>(size).fill(0));
  const rhs = new Array<number>(size).fill(0);
  for (let i = 0; i < n; i++) {
    const u = (x[i]! - mean) / scale;
    const powers = [1];
    for (let k = 1; k < 2 * size - 1; k++) powers.push(powers[k - 1]! * u);
    for (let r = 0; r < size; r++) {
      rhs[r] = rhs[r]! + powers[r]! * y[i]!;
      for (let c = 0; c < size; c++) normal[r]![c] = normal[r]![c]! + powers[r + c]!;
    }
  }
  const scaled = solveLinear(normal, rhs);
  if (scaled === null) return null;
  return expandShifted(scaled, mean, scale);
}

/** The coefficients in x of p((x - mean) / scale), given those of p. */
function expandShifted(coefficients: readonly number[], mean: number, scale: number): number[] {
  const out = new Array<number>(coefficients.length).fill(0);
  // (x - mean)^k / scale^k, expanded binomially.
  for (let k = 0; k < coefficients.length; k++) {
    const ck = coefficients[k]! / scale ** k;
    let binomial = 1;
    for (let j = 0; j <= k; j++) {
      out[j] = out[j]! + ck * binomial * (-mean) ** (k - j);
      binomial = (binomial * (k - j)) / (j + 1);
    }
  }
  return out;
}
