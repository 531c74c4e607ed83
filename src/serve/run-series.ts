// A run's curves from its own Parquet file: x and y columns as the YAML names them, in acquisition order,
// downsampled per pixel, with the laser periods the YAML says how to find.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { sqlIdentifier, type EngineConnection } from '../engine/duckdb.js';
import type { PlotLight, ProcedureSpec } from '../schema/procedures-schema.js';
import { dataColumnLabel, type ColumnLabel } from './column-labels.js';
import type { ManifestRecord } from './lake-view.js';

export interface SeriesRequest {
  readonly x: string;
  readonly y: readonly string[];
  /** About how many points to send (up to three per bucket of rows: its first, lowest and highest y). */
  readonly points: number;
  /** Only rows with x in [from, to] (a zoomed view). */
  readonly from?: number | undefined;
  readonly to?: number | undefined;
}

export interface LightPeriod {
  readonly from: number;
  readonly to: number;
  readonly on: boolean;
}

export interface Series {
  readonly x: string;
  readonly y: readonly string[];
  /** x's label, then each y's. */
  readonly axes: readonly ColumnLabel[];
  readonly rows: number;
  readonly exact: boolean;
  /** x, then each y, in the file's row order (acquisition order; x need not be sorted). */
  readonly data: readonly (readonly (number | null)[])[];
  /** Where the curve is cut: indexes into data whose point follows rows left out by `from`/`to`. */
  readonly breaks: readonly number[];
  readonly light: readonly LightPeriod[];
  /** The procedures YAML says x goes back and forth: the page tells forward from backward. */
  readonly sweep: boolean;
}

export type SeriesResult =
  | { readonly ok: true; readonly series: Series }
  | { readonly ok: false; readonly status: 400 | 404; readonly error: string };

export interface FileColumn {
  readonly name: string;
  readonly type: string;
}

/** The run's data file, only when it lies inside the stage root and exists. */
export function runFile(stageRoot: string, row: ManifestRecord): string | null {
  const relative = String(row['path'] ?? '');
  const file = path.resolve(stageRoot, relative);
  const inside = path.relative(stageRoot, file);
  if (relative === '' || inside.startsWith('..') || path.isAbsolute(inside) || !existsSync(file)) return null;
  return file;
}

export async function fileColumns(conn: EngineConnection, file: string): Promise<FileColumn[]> {
  const described = await conn.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet($file, hive_partitioning = false)`, { file });
  return described.map((c) => ({ name: c.column_name, type: c.column_type }));
}

/** The file's column for a YAML data column: its own name, or the instrument header the YAML gives for it. */
export function resolveColumn(name: string, columns: readonly string[], spec: ProcedureSpec | undefined): string | null {
  if (columns.includes(name)) return name;
  const header = spec?.data.find((d) => d.name === name)?.header;
  return header !== undefined && columns.includes(header) ? header : null;
}

/**
 * Rows in [from, to] in file order, each with the island of consecutive rows it belongs to (a zoom on a sweep
 * keeps rows of several branches; the curve must not jump from one to the next). Downsampling keeps, per
 * bucket of rows and island, the first row and the rows of lowest and highest first y.
 */
function seriesSql(x: string, ys: readonly string[], range: string, buckets: number | null): string {
  const picked = [x, ...ys].map((c, i) => `CAST(${c} AS DOUBLE) AS c${i}`).join(', ');
  const rows = `WITH r AS (SELECT file_row_number AS i, ${picked} FROM read_parquet($file, file_row_number = true, hive_partitioning = false) ${range}),
    isl AS (SELECT *, i - row_number() OVER (ORDER BY i) AS island FROM r)`;
  if (buckets === null) return `${rows} SELECT * FROM isl ORDER BY i`;
  return `${rows},
    lim AS (SELECT min(i) AS lo, max(i) - min(i) + 1 AS span FROM isl),
    g AS (SELECT isl.*, (i - lo) * ${buckets} // span AS bucket FROM isl, lim),
    keep AS (SELECT arg_min(i, c1) AS i FROM g GROUP BY bucket, island UNION SELECT arg_max(i, c1) FROM g GROUP BY bucket, island
             UNION SELECT min(i) FROM g GROUP BY bucket, island UNION SELECT max(i) FROM g GROUP BY island)
    SELECT * FROM isl WHERE i IN (SELECT i FROM keep) ORDER BY i`;
}

export async function readRunSeries(
  conn: EngineConnection,
  file: string,
  row: ManifestRecord,
  spec: ProcedureSpec | undefined,
  request: SeriesRequest,
  /** The file's columns when the caller has already described it. */
  described?: readonly FileColumn[],
): Promise<SeriesResult> {
  const columns = (described ?? (await fileColumns(conn, file))).map((c) => c.name);
  const names = [request.x, ...request.y];
  const resolved = names.map((n) => resolveColumn(n, columns, spec));
  const missing = names.filter((_, i) => resolved[i] === null);
  if (missing.length > 0) {
    return { ok: false, status: 400, error: `the run's file has no column ${missing.join(', ')}; it has ${columns.join(', ')}.` };
  }
  const [x, ...ys] = resolved.map((c) => sqlIdentifier(c!));
  const range =
    request.from !== undefined && request.to !== undefined ? `WHERE ${x} BETWEEN ${Number(request.from)} AND ${Number(request.to)}` : '';
  const params = { file };
  const [count] = await conn.all<{ n: number }>(`SELECT count(*) AS n FROM read_parquet($file, hive_partitioning = false) ${range}`, params);
  const rows = count?.n ?? 0;
  const exact = rows <= request.points;
  const data = await conn.all<Record<string, number | null>>(seriesSql(x!, ys, range, exact ? null : Math.max(1, Math.floor(request.points / 3))), params);
  const breaks: number[] = [];
  for (let k = 1; k < data.length; k++) if (data[k]!['island'] !== data[k - 1]!['island']) breaks.push(k);
  const table = names.map((_, i) => data.map((d) => d[`c${i}`] ?? null));
  const plot = spec?.plot;
  const light = plot?.light !== undefined && row['has_light'] === true ? await lightPeriods(conn, file, row, columns, spec, plot.light, x!) : [];
  return {
    ok: true,
    series: {
      x: request.x,
      y: request.y,
      axes: names.map((n) => dataColumnLabel(n, spec)),
      rows,
      exact,
      data: table,
      breaks,
      light,
      sweep: plot !== undefined && plot.sweep && plot.x === request.x,
    },
  };
}

/**
 * When the laser was on, as the YAML's `plot.light` says: the manifest's period column cut into the half-periods
 * that `phases` names, or else where the data's laser voltage column is above 0.
 */
async function lightPeriods(
  conn: EngineConnection,
  file: string,
  row: ManifestRecord,
  columns: readonly string[],
  spec: ProcedureSpec | undefined,
  light: PlotLight,
  x: string,
): Promise<LightPeriod[]> {
  const period = light.period === undefined ? undefined : row[light.period.column];
  if (light.period !== undefined && typeof period === 'number' && period > 0) {
    const half = period / 2;
    return light.period.phases.map((phase, i) => ({ from: i * half, to: (i + 1) * half, on: phase === 'on' }));
  }
  const laser = light.laser === undefined ? null : resolveColumn(light.laser, columns, spec);
  if (laser === null) return [];
  const [on] = await conn.all<{ a: number | null; b: number | null }>(
    `SELECT CAST(min(${x}) AS DOUBLE) AS a, CAST(max(${x}) AS DOUBLE) AS b FROM read_parquet($file, hive_partitioning = false) WHERE ${sqlIdentifier(laser)} > 0`,
    { file },
  );
  return on?.a !== null && on?.a !== undefined && on.b !== null ? [{ from: on.a, to: on.b, on: true }] : [];
}
