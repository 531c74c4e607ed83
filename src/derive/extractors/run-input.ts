// What an extractor sees of one run, and what it gives back for one metric.

/** One run: its manifest fields and its data columns (null values as NaN), in acquisition order. */
export interface RunInput {
  readonly runId: string;
  readonly proc: string;
  readonly hasLight: boolean | null;
  /** Milliseconds since 1970, UTC; null when the run has no start time. */
  readonly startMs: number | null;
  /** A manifest field of the run (a parameter column); null when absent. */
  manifest(column: string): number | string | boolean | null;
  /** A data column; undefined when the extractor did not ask for it, or the file lacks it. */
  column(name: string): Float64Array | undefined;
}

/**
 * A metric of a run: a value (null when it could not be had, with flags saying why), or nothing at all when the
 * metric does not apply to this run (the photoresponse of a dark run).
 */
export type MetricOutcome =
  | {
      readonly kind: 'value';
      readonly value: number | null;
      /** 0-1, how far the value can be trusted; null when there is no value. */
      readonly confidence: number | null;
      /** Upper-case words (`CNP_AT_EDGE`), each a reason for caution or for the missing value. */
      readonly flags: readonly string[];
      /** The numbers behind the value (fit parameters, per-direction values), stored as JSON. */
      readonly details: Readonly<Record<string, unknown>> | null;
    }
  | { readonly kind: 'not-applicable' };

export const noValue = (flags: readonly string[], details: Readonly<Record<string, unknown>> | null = null): MetricOutcome => ({
  kind: 'value',
  value: null,
  confidence: null,
  flags,
  details,
});

export const notApplicable: MetricOutcome = { kind: 'not-applicable' };

/** Rows where every one of `columns` is a finite number, as new arrays in the same order. */
export function finiteRows(columns: readonly Float64Array[]): Float64Array[] {
  const n = columns[0]?.length ?? 0;
  let kept = 0;
  const keep = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (columns.every((c) => Number.isFinite(c[i]!))) {
      keep[i] = 1;
      kept++;
    }
  }
  if (kept === n) return [...columns];
  return columns.map((c) => {
    const out = new Float64Array(kept);
    for (let i = 0, j = 0; i < n; i++) if (keep[i] === 1) out[j++] = c[i]!;
    return out;
  });
}

/** 1, multiplied by the factor of each check that failed (the lab's rule: 0.7 keeps 70 %), kept within 0-1. */
export function confidenceOf(failed: Readonly<Record<string, boolean>>, factors: Readonly<Record<string, number>>): number {
  let confidence = 1;
  for (const [check, hasFailed] of Object.entries(failed)) if (hasFailed) confidence *= factors[check] ?? 1;
  return Math.max(0, Math.min(1, confidence));
}
