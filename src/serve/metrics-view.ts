// The derived metrics `strata derive` writes (03_derived/_metrics/metrics.parquet), read into memory once per
// version of the file and joined with the manifest for a chip's views.
import { existsSync, statSync } from 'node:fs';
import { sqlIdentifier } from '../engine/duckdb.js';
import { LOCAL_DATE, LOCAL_TIME, RUN_ORDER } from '../history/manifest-query.js';
import { manifestColumnLabel, type ColumnLabel } from './column-labels.js';
import { plain, type ChipSummary, type LakeView, type ManifestRecord } from './lake-view.js';

/** The columns of metrics.parquet this view reads (the contract's list). */
const METRIC_COLUMNS = ['run_id', 'metric_name', 'value_float', 'unit', 'method', 'confidence', 'flags'] as const;
const TABLE = 'serve_metrics';

export type MetricsState =
  | { readonly kind: 'ready'; readonly path: string }
  | { readonly kind: 'absent'; readonly path: string; readonly hint: string }
  | { readonly kind: 'unreadable'; readonly path: string; readonly hint: string };

export interface ChipMetrics {
  readonly state: MetricsState;
  /** One row per run and metric, the run's place in its chip's history and the manifest columns asked for. */
  readonly rows: readonly ManifestRecord[];
  readonly context: readonly ColumnLabel[];
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
    if (state.kind !== 'ready') return { state, rows: [], context: labels };
    const picked = known.map((c, i) => `c.${sqlIdentifier(c)} AS ${sqlIdentifier(`ctx_${i}`)}`).join(', ');
    const rows = await this.lake.conn.all(
      `WITH chip_runs AS (
         SELECT *, row_number() OVER (ORDER BY ${RUN_ORDER}) AS seq, ${LOCAL_DATE} AS local_date, ${LOCAL_TIME} AS local_time
         FROM ${this.lake.table} WHERE chip_group = $group AND chip_number = $chip
       )
       SELECT c.run_id, c.seq, c.proc, c.local_date AS date_local, c.local_time AS time_local, c.has_light${picked ? `, ${picked}` : ''},
         m.metric_name, m.value_float AS value, m.unit, m.method, m.confidence, m.flags
       FROM chip_runs c JOIN ${TABLE} m ON m.run_id = c.run_id
       ORDER BY c.seq, m.metric_name`,
      { group: chip.chip_group, chip: chip.chip_number, tz: this.lake.options.localTz },
    );
    return {
      state,
      context: labels,
      rows: rows.map((r) => {
        const out: Record<string, unknown> = { ...plain(r), context: Object.fromEntries(known.map((c, i) => [c, r[`ctx_${i}`] ?? null])) };
        known.forEach((_, i) => delete out[`ctx_${i}`]);
        return out;
      }),
    };
  }
}

function absent(path: string): MetricsState {
  return { kind: 'absent', path, hint: `There are no derived metrics yet: \`strata derive\` computes them into ${path}.` };
}

function unreadable(path: string, why: string): MetricsState {
  return { kind: 'unreadable', path, hint: `${path} cannot be read as derived metrics (${why}); \`strata derive\` writes it again.` };
}
