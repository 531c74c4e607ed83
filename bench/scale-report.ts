// What the scale benchmark reports: detail lines as it goes, and one summary table (Markdown) to paste into
// docs/benchmarks.md, each row a strata figure beside its baseline from the same invocation.
import { fmt } from './harness.js';

export interface SummaryRow {
  readonly workload: string;
  readonly strata: string;
  readonly baseline: string;
  /** strata's time over the baseline's (how many times longer strata took), or another comparison in words. */
  readonly ratio: string;
  readonly peak: string;
  readonly target: string;
  /** Whether the target is met in this invocation; null when the row has no target of its own. */
  readonly met: boolean | null;
}

export interface PartReport {
  readonly lines: string[];
  readonly rows: SummaryRow[];
}

export function newReport(): PartReport {
  return { lines: [], rows: [] };
}

export function summaryTable(rows: readonly SummaryRow[]): string {
  const cells = (r: SummaryRow) => [r.workload, r.strata, r.baseline, r.ratio, r.peak, r.target, r.met === null ? '' : r.met ? 'met' : 'not met'];
  const head = ['workload', 'strata', 'baseline', 'strata / baseline', 'peak memory (strata / baseline)', 'target', ''];
  return [head, head.map(() => '---'), ...rows.map(cells)].map((c) => `| ${c.join(' | ')} |`).join('\n');
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/** The nearest-rank percentile (p in 0-100) of `values`; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Milliseconds as the docs write them, with every round's figure after the median. */
export function msOf(values: readonly number[]): string {
  const m = fmt.ms(median(values));
  return values.length > 1 ? `${m} (${values.map(fmt.ms).join(', ')})` : m;
}

export function mbOf(values: readonly number[]): string {
  const finite = values.filter(Number.isFinite);
  return finite.length === 0 ? '?' : fmt.mb(Math.max(...finite));
}

export const times = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}x` : '?');

export const count = (n: number): string => n.toLocaleString('en-US');
