// Where the landed flow keeps its files under a data root: landed/, stage/cleaned, stage/rejects and the default strata.duckdb.
import path from 'node:path';

export interface DatasetsLayout {
  readonly dataRoot: string;
  /** Files as they land, checked in place (never copied). */
  readonly landed: string;
  /** `<dataset>/<period>.parquet`: what validate writes and load reads. */
  readonly cleaned: string;
  /** `<dataset>/<period>.csv`: one line per rejected cell. */
  readonly rejects: string;
  /** The embedded stage database when no `--db` is given. */
  readonly duckdbFile: string;
  cleanedParquet(dataset: string, period: string): string;
  rejectsCsv(dataset: string, period: string): string;
}

export function datasetsLayout(dataRoot: string): DatasetsLayout {
  const cleaned = path.join(dataRoot, 'stage', 'cleaned');
  const rejects = path.join(dataRoot, 'stage', 'rejects');
  return {
    dataRoot,
    landed: path.join(dataRoot, 'landed'),
    cleaned,
    rejects,
    duckdbFile: path.join(dataRoot, 'strata.duckdb'),
    cleanedParquet: (dataset, period) => path.join(cleaned, dataset, `${period}.parquet`),
    rejectsCsv: (dataset, period) => path.join(rejects, dataset, `${period}.csv`),
  };
}
