// The median of a list of numbers, as numpy.median gives it (the mean of the two middle values of an even count).

/** The median of `values` (NaN when there are none); `values` itself is left in its order. */
export function medianOf(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
