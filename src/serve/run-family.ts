// A chip's runs of one procedure drawn together (the IVg family, coloured by date): each file thinned to about
// `points` rows, in acquisition order.
import { statSync } from 'node:fs';
import { sqlIdentifier } from '../engine/duckdb.js';
import { dataColumnLabel, type ColumnLabel } from './column-labels.js';
import type { RunFilters } from './api-params.js';
import type { ChipSummary, LakeView } from './lake-view.js';
import { fileColumns, resolveColumn, runFile } from './run-series.js';

type Curve = readonly [(number | null)[], (number | null)[]];

/** Thinned curves already read, by file, its mtime, the columns and the step: a family drawn again costs nothing. */
const curves = new Map<string, Curve>();
const CURVES_KEPT = 5000;

/** More runs than this are thinned to this many, spread evenly over the chip's history. */
export const MAX_FAMILY_RUNS = 150;

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
  const withFiles = spread(history, MAX_FAMILY_RUNS).flatMap((run) => {
    const file = runFile(view.options.stageRoot, run);
    return file ? [{ run, file }] : [];
  });
  const m = await view.fresh();
  const axes = [dataColumnLabel(plot.x, spec), dataColumnLabel(plot.y[0]!, spec)];
  const family = { proc, axes, sweep: plot.sweep, total: history.length };
  if (withFiles.length === 0) return { ok: true, family: { ...family, runs: [] } };
  const columns = (await fileColumns(m.conn, withFiles[0]!.file)).map((c) => c.name);
  const x = resolveColumn(plot.x, columns, spec);
  const y = resolveColumn(plot.y[0]!, columns, spec);
  if (x === null || y === null) return { ok: false, status: 400, error: `the ${proc} files have no column ${x === null ? plot.x : plot.y[0]}.` };
  // One small query per file (DuckDB reads 150 files one by one faster than as one list), each remembered.
  const picked = `CAST(${sqlIdentifier(x)} AS DOUBLE) AS x, CAST(${sqlIdentifier(y)} AS DOUBLE) AS y`;
  const byFile = new Map<string, Curve>();
  for (const { run, file } of withFiles) {
    const step = Math.max(1, Math.ceil(run.rows / points));
    const key = `${file}|${statSync(file).mtimeMs}|${picked}|${step}`;
    let curve = curves.get(key);
    if (curve === undefined) {
      const rows = await m.conn.all<{ x: number | null; y: number | null }>(
        `SELECT ${picked} FROM read_parquet($file, file_row_number = true, hive_partitioning = false)
         WHERE file_row_number % ${step} = 0 OR file_row_number = ${Math.max(0, run.rows - 1)} ORDER BY file_row_number`,
        { file },
      );
      curve = [rows.map((r) => r.x), rows.map((r) => r.y)];
      curves.set(key, curve);
      if (curves.size > CURVES_KEPT) curves.delete(curves.keys().next().value!);
    }
    byFile.set(file, curve);
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
