// A gate sweep split into its monotonic legs, keeping those that cross (nearly) the whole voltage range.

export type SweepDirection = 'forward' | 'backward';

/** One monotonic traversal: the points [start, end) of the sweep, rising (forward) or falling (backward). */
export interface SweepLeg {
  readonly start: number;
  readonly end: number;
  readonly direction: SweepDirection;
}

/**
 * The legs of `gate` (in acquisition order) whose span covers at least `fullRange` of the sweep's whole span: for
 * 0 -> -5 -> +5 -> -5 -> 0 V, the forward leg -5 -> +5 and the backward leg +5 -> -5, not the half legs at the
 * ends. A step of exactly 0 V counts as rising, and a turning point starts the next leg, as the lab's
 * segmentation has it. Legs of fewer than 3 points are never kept.
 */
export function fullRangeLegs(gate: ArrayLike<number>, fullRange: number): SweepLeg[] {
  const n = gate.length;
  if (n < 3) return [];
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    min = Math.min(min, gate[i]!);
    max = Math.max(max, gate[i]!);
  }
  if (!(max - min > 0)) return [];
  const threshold = fullRange * (max - min);
  const rising = (i: number) => gate[i + 1]! - gate[i]! + 1e-12 > 0;
  const legs: SweepLeg[] = [];
  const keep = (start: number, end: number) => {
    const leg = spanOf(gate, start, end);
    if (end - start >= 3 && leg.max - leg.min >= threshold) {
      legs.push({ start, end, direction: gate[end - 1]! > gate[start]! ? 'forward' : 'backward' });
    }
  };
  let start = 0;
  // A leg ends where the direction of the step from point b to b + 1 differs from that of the step before it.
  for (let b = 1; b <= n - 2; b++) {
    if (rising(b) === rising(b - 1)) continue;
    keep(start, b);
    start = b;
  }
  keep(start, n);
  return legs;
}

function spanOf(values: ArrayLike<number>, start: number, end: number): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = start; i < end; i++) {
    min = Math.min(min, values[i]!);
    max = Math.max(max, values[i]!);
  }
  return { min, max };
}
