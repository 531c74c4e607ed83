// A run's curves from its own Parquet file: x and y columns as the YAML names them, downsampled per pixel, laser periods.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { sqlIdentifier, type EngineConnection } from '../engine/duckdb.js';
import type { ProcedureSpec } from '../schema/procedures-schema.js';
import type { ManifestRecord } from './lake-view.js';

export interface SeriesRequest {
  readonly x: string;
  readonly y: readonly string[];
  /** About how many points to send (up to three per pixel bucket: its first, lowest and highest y). */
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
  readonly rows: number;
  readonly exact: boolean;
  readonly data: readonly (readonly (number | null)[])[];
  readonly light: readonly LightPeriod[];
}

export type SeriesResult =
  | { readonly ok: true; readonly series: Series }
  | { readonly ok: false; readonly status: 400 | 404; readonly error: string };

/** The run's data file, only when it lies inside the stage root and exists. */
export function runFile(stageRoot: string, row: ManifestRecord): string | null {
  const relative = String(row['path'] ?? '');
  const file = path.resolve(stageRoot, relative);
  const inside = path.relative(stageRoot, file);
  if (relative === '' || inside.startsWith('..') || path.isAbsolute(inside) || !existsSync(file)) return null;
  return file;
}

/** The file's column for a YAML data column: its own name, or the instrument header the YAML gives for it. */
function resolveColumn(name: string, columns: readonly string[], spec: ProcedureSpec | undefined): string | null {
  if (columns.includes(name)) return name;
  const header = spec?.data.find((d) => d.name === name)?.header;
  return header !== undefined && columns.includes(header) ? header : null;
}

export async function readRunSeries(
  conn: EngineConnection,
  file: string,
  row: ManifestRecord,
  spec: ProcedureSpec | undefined,
  request: SeriesRequest,
): Promise<SeriesResult> {
  const source = `read_parquet($file, file_row_number = true)`;
  const described = await conn.all<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet($file)`, { file });
  const columns = described.map((c) => c.column_name);
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
  const [count] = await conn.all<{ n: number }>(`SELECT count(*) AS n FROM ${source} ${range}`, params);
  const rows = count?.n ?? 0;
  const picked = [x, ...ys].map((c, i) => `CAST(${c} AS DOUBLE) AS c${i}`).join(', ');
  const buckets = Math.max(1, Math.floor(request.points / 3));
  const exact = rows <= request.points;
  const sql = exact
    ? `SELECT ${picked} FROM ${source} ${range} ORDER BY file_row_number`
    : `WITH r AS (SELECT file_row_number AS i, ${ys[0]} AS v FROM ${source} ${range}),
         lim AS (SELECT min(i) AS lo, max(i) - min(i) + 1 AS span FROM r),
         g AS (SELECT i, v, (i - lo) * ${buckets} // span AS bucket FROM r, lim),
         keep AS (SELECT arg_min(i, v) AS i FROM g GROUP BY bucket UNION SELECT arg_max(i, v) FROM g GROUP BY bucket
                  UNION SELECT min(i) FROM g GROUP BY bucket)
       SELECT ${picked} FROM ${source} WHERE file_row_number IN (SELECT i FROM keep) ORDER BY file_row_number`;
  const data = await conn.all<Record<string, number | null>>(sql, params);
  const table = names.map((_, i) => data.map((d) => d[`c${i}`] ?? null));
  const light = await lightPeriods(conn, file, row, columns, spec, x!);
  return { ok: true, series: { x: request.x, y: request.y, rows, exact, data: table, light } };
}

/**
 * Laser ON/OFF periods, for runs timed on x: from the manifest's `laser_period_s` (1.5 periods: off, on, off),
 * or else from the data's laser voltage column when the file has one.
 */
async function lightPeriods(
  conn: EngineConnection,
  file: string,
  row: ManifestRecord,
  columns: readonly string[],
  spec: ProcedureSpec | undefined,
  x: string,
): Promise<LightPeriod[]> {
  if (spec?.timeColumn === undefined || row['has_light'] !== true) return [];
  const period = row['laser_period_s'];
  if (typeof period === 'number' && period > 0) {
    return [
      { from: 0, to: period / 2, on: false },
      { from: period / 2, to: period, on: true },
      { from: period, to: period * 1.5, on: false },
    ];
  }
  const laser = resolveColumn('vl_v', columns, spec);
  if (laser === null) return [];
  const [on] = await conn.all<{ a: number | null; b: number | null }>(
    `SELECT CAST(min(${x}) AS DOUBLE) AS a, CAST(max(${x}) AS DOUBLE) AS b FROM read_parquet($file) WHERE ${sqlIdentifier(laser)} > 0`,
    { file },
  );
  return on?.a !== null && on?.a !== undefined && on.b !== null ? [{ from: on.a, to: on.b, on: true }] : [];
}
