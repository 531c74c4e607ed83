// The derived metrics `strata derive` writes (03_derived/_metrics/metrics.parquet), read into memory once per
// version of the file and joined with the manifest for a chip's views.
import { existsSync, statSync } from 'node:fs';
import { sqlIdentifier } from '../engine/duckdb.js';
import { manifestColumnLabel, type ColumnLabel } from './column-labels.js';
import { plain, type ChipSummary, type LakeView, type ManifestRecord } from './lake-view.js';

/** The columns of metrics.parquet this view reads (the contract's list). */
const METRIC_COLUMNS = ['run_id', 'metric_name', 'value_float', 'unit', 'method', 'confidence', 'flags'] as const;
const TABLE = 'serve_metrics';

export type MetricsState =
  | { readonly kind: 'ready'; readonly path: string }
  | { readonly kind: 'absent'; readonly path: string; readonly hint: string }
  | { readonly kind: 'unreadable'; readonly path: string; readonly hint: string };

export interface MetricValue {
  readonly value: number | null;
  readonly unit: string | null;
  readonly method: string | null;
  readonly confidence: number | null;
  readonly flags: string | null;
}

/** One run of a chip with its metrics by name: its place in the history and the manifest columns asked for. */
export interface RunMetrics {
  readonly run_id: string;
  readonly seq: number;
  readonly proc: string;
  readonly date_local: string;
  readonly time_local: string | null;
  readonly has_light: boolean | null;
  readonly context: Readonly<Record<string, unknown>>;
  readonly metrics: Record<string, MetricValue>;
}

export interface ChipMetrics {
  readonly state: MetricsState;
  readonly context: readonly ColumnLabel[];
  readonly runs: readonly RunMetrics[];
}

export class MetricsView {
  private loadedMtime = -1;
  private state: MetricsState;

  constructor(
    private readonly lake: LakeView,
    readonly path: string,
  ) {
    this.state = absent(path);
  }

  /** Loads the file again when `strata derive` has replaced it; says how to make it when there is none. */
  async fresh(): Promise<MetricsState> {
    if (!existsSync(this.path)) {
      this.loadedMtime = -1;
      return (this.state = absent(this.path));
    }
    const mtime = statSync(this.path).mtimeMs;
    if (mtime === this.loadedMtime) return this.state;
    this.loadedMtime = mtime;
    try {
      const columns = await this.lake.conn.all<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet($file)`, { file: this.path });
      const have = new Set(columns.map((c) => c.column_name));
      const lacking = METRIC_COLUMNS.filter((c) => !have.has(c));
      if (lacking.length > 0) return (this.state = unreadable(this.path, `it has no column ${lacking.join(', ')}`));
      await this.lake.conn.run(
        `CREATE OR REPLACE TABLE ${TABLE} AS SELECT run_id, metric_name, CAST(value_float AS DOUBLE) AS value_float, unit, method,
           CAST(confidence AS DOUBLE) AS confidence, CAST(flags AS VARCHAR) AS flags FROM read_parquet($file)`,
        { file: this.path },
      );
      return (this.state = { kind: 'ready', path: this.path });
    } catch (error) {
      return (this.state = unreadable(this.path, (error as Error).message.split('\n')[0] ?? 'DuckDB could not read it'));
    }
  }

  /** Each metric name with its unit and how many runs have it. */
  async names(): Promise<{ state: MetricsState; metrics: ManifestRecord[] }> {
    const state = await this.fresh();
    if (state.kind !== 'ready') return { state, metrics: [] };
    const rows = await this.lake.conn.all(
      `SELECT metric_name, any_value(unit) AS unit, count(DISTINCT run_id) AS runs FROM ${TABLE} GROUP BY metric_name ORDER BY metric_name`,
    );
    return { state, metrics: rows.map(plain) };
  }

  /** A chip's metrics with its runs' `seq`, local date and time, light, and the manifest columns in `context`. */
  async forChip(chip: ChipSummary, context: readonly string[]): Promise<ChipMetrics> {
    const state = await this.fresh();
    const known: string[] = [];
    for (const c of context) if (await this.lake.hasColumn(c)) known.push(c);
    const labels = known.map((c) => manifestColumnLabel(c, this.lake.options.catalog));
    if (state.kind !== 'ready') return { state, context: labels, runs: [] };
    const picked = known.map((c, i) => `c.${sqlIdentifier(c)} AS ${sqlIdentifier(`ctx_${i}`)}`).join(', ');
    const { manifest, runs } = this.lake.tables;
    const rows = await this.lake.conn.all(
      `SELECT r.run_id, r.seq, r.proc, r.date_local, r.time_local, r.has_light${picked ? `, ${picked}` : ''},
         m.metric_name, m.value_float AS value, m.unit, m.method, m.confidence, m.flags
       FROM ${runs} r JOIN ${TABLE} m ON m.run_id = r.run_id JOIN ${manifest} c ON c.run_id = r.run_id
       WHERE r.chip_group = $group AND r.chip_number = $chip
       ORDER BY r.seq, m.metric_name`,
      { group: chip.chip_group, chip: chip.chip_number },
    );
    const byRun = new Map<string, RunMetrics>();
    for (const r of rows) {
      const id = String(r['run_id']);
      let run = byRun.get(id);
      if (run === undefined) {
        const head = plain(r);
        run = {
          run_id: id,
          seq: Number(head['seq']),
          proc: String(head['proc']),
          date_local: String(head['date_local']),
          time_local: (head['time_local'] as string | null) ?? null,
          has_light: (head['has_light'] as boolean | null) ?? null,
          context: Object.fromEntries(known.map((c, i) => [c, head[`ctx_${i}`] ?? null])),
          metrics: {},
        };
        byRun.set(id, run);
      }
      run.metrics[String(r['metric_name'])] = {
        value: (r['value'] as number | null) ?? null,
        unit: (r['unit'] as string | null) ?? null,
        method: (r['method'] as string | null) ?? null,
        confidence: (r['confidence'] as number | null) ?? null,
        flags: (r['flags'] as string | null) ?? null,
      };
    }
    return { state, context: labels, runs: [...byRun.values()] };
  }
}

function absent(path: string): MetricsState {
  return { kind: 'absent', path, hint: `There are no derived metrics yet: \`strata derive\` computes them into ${path}.` };
}

function unreadable(path: string, why: string): MetricsState {
  return { kind: 'unreadable', path, hint: `${path} cannot be read as derived metrics (${why}); \`strata derive\` writes it again.` };
}
