// A chip's runs of one procedure drawn together (the IVg family, coloured by date): every file read in one query,
// each thinned to about `points` rows in acquisition order.
import { sqlLiteral, sqlIdentifier } from '../engine/duckdb.js';
import { dataColumnLabel, type ColumnLabel } from './column-labels.js';
import type { RunFilters } from './api-params.js';
import type { ChipSummary, LakeView } from './lake-view.js';
import { fileColumns, resolveColumn, runFile } from './run-series.js';

/** More runs than this are thinned to this many, spread evenly over the chip's history. */
export const MAX_FAMILY_RUNS = 300;

export interface FamilyRun {
  readonly run_id: string;
  readonly seq: number;
  readonly date_local: string;
  readonly time_local: string | null;
  readonly has_light: boolean | null;
  readonly summary: string;
  /** x then y, in the file's row order. */
  readonly data: readonly (readonly (number | null)[])[];
}

export interface RunFamily {
  readonly proc: string;
  readonly axes: readonly ColumnLabel[];
  readonly sweep: boolean;
  /** The chip's runs of the procedure within the dates; `runs` holds at most MAX_FAMILY_RUNS of them. */
  readonly total: number;
  readonly runs: readonly FamilyRun[];
}

export type FamilyResult = { readonly ok: true; readonly family: RunFamily } | { readonly ok: false; readonly status: 400; readonly error: string };

function spread<T>(items: readonly T[], most: number): T[] {
  if (items.length <= most) return [...items];
  return Array.from({ length: most }, (_, k) => items[Math.round((k * (items.length - 1)) / (most - 1))]!);
}

export async function readRunFamily(view: LakeView, chip: ChipSummary, proc: string, filters: RunFilters, points: number): Promise<FamilyResult> {
  const spec = view.options.catalog.procedures.get(proc);
  const plot = spec?.plot;
  if (plot === undefined) return { ok: false, status: 400, error: `procedure ${proc} has no plot in the procedures YAML.` };
  const history = await view.chipRuns(chip, { ...filters, proc });
  const picked = spread(history, MAX_FAMILY_RUNS);
  const m = await view.fresh();
  const paths = await m.conn.all<{ run_id: string; path: string }>(
    `SELECT run_id, path FROM ${view.table} WHERE chip_group = $group AND chip_number = $chip AND lower(proc) = lower($proc)`,
    { group: chip.chip_group, chip: chip.chip_number, proc },
  );
  const fileOf = new Map(paths.map((p) => [p.run_id, runFile(view.options.stageRoot, p)] as const));
  const withFiles = picked.flatMap((r) => {
    const file = fileOf.get(r.run_id);
    return file ? [{ run: r, file }] : [];
  });
  const axes = [dataColumnLabel(plot.x, spec), dataColumnLabel(plot.y[0]!, spec)];
  const family = { proc, axes, sweep: plot.sweep, total: history.length };
  if (withFiles.length === 0) return { ok: true, family: { ...family, runs: [] } };
  const columns = (await fileColumns(m.conn, withFiles[0]!.file)).map((c) => c.name);
  const x = resolveColumn(plot.x, columns, spec);
  const y = resolveColumn(plot.y[0]!, columns, spec);
  if (x === null || y === null) return { ok: false, status: 400, error: `the ${proc} files have no column ${x === null ? plot.x : plot.y[0]}.` };
  const list = `[${withFiles.map((w) => sqlLiteral(w.file)).join(', ')}]`;
  const rows = await m.conn.all<{ f: string; x: number | null; y: number | null }>(
    `WITH r AS (
       SELECT filename AS f, file_row_number AS i, CAST(${sqlIdentifier(x)} AS DOUBLE) AS x, CAST(${sqlIdentifier(y)} AS DOUBLE) AS y,
         count(*) OVER (PARTITION BY filename) AS n
       FROM read_parquet(${list}, filename = true, file_row_number = true, union_by_name = true, hive_partitioning = false))
     SELECT f, x, y FROM r WHERE i % greatest(1, ceil(n / ${points})::BIGINT) = 0 OR i = n - 1 ORDER BY f, i`,
  );
  const byFile = new Map<string, [(number | null)[], (number | null)[]]>();
  for (const row of rows) {
    let xy = byFile.get(row.f);
    if (xy === undefined) byFile.set(row.f, (xy = [[], []]));
    xy[0].push(row.x);
    xy[1].push(row.y);
  }
  const runs = withFiles.map(({ run, file }) => ({
    run_id: run.run_id,
    seq: run.seq,
    date_local: run.date_local,
    time_local: run.time_local,
    has_light: run.has_light,
    summary: run.summary,
    data: byFile.get(file) ?? [[], []],
  }));
  return { ok: true, family: { ...family, runs } };
}
