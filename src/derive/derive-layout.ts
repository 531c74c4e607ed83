// Where `strata derive` keeps what it writes, named once: the metrics table, its state, the enriched histories.
import path from 'node:path';

export interface DeriveLayout {
  /** `data/03_derived` */
  readonly root: string;
  /** `_metrics/metrics.parquet`: one row per run and metric. */
  readonly metricsFile: string;
  /** `_metrics/derive-state.json`: what each run's metrics were computed from, for the next run. */
  readonly stateFile: string;
  /** `chip_histories_enriched/<Group><Number>_history.parquet` */
  readonly historiesDir: string;
}

export function deriveLayout(root: string): DeriveLayout {
  return {
    root,
    metricsFile: path.join(root, '_metrics', 'metrics.parquet'),
    stateFile: path.join(root, '_metrics', 'derive-state.json'),
    historiesDir: path.join(root, 'chip_histories_enriched'),
  };
}
