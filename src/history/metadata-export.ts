// The day-level metadata.csv files people used to keep by hand, generated from the manifest (a view, never an input).
import path from 'node:path';
import { isCoreColumn } from '../lake/manifest-columns.js';
import { writeFileAtomically } from '../fs/atomic-file.js';
import { isInside } from '../fs/inside-root.js';
import { LOCAL_DATE, LOCAL_TIME, RUN_ORDER, whereClause, type ManifestHandle } from './manifest-query.js';
import { toSafeCsv } from './safe-csv.js';

/** What a day's sheet shows of each run, before the parameter columns. */
const SHEET_COLUMNS = [
  'file_idx',
  'source_file',
  'proc',
  'chip_group',
  'chip_number',
  'chip_name',
  'start_time_utc',
  'time_local',
  'has_light',
  'summary',
  'rows',
  'duration_s',
] as const;
const TRAILING_COLUMNS = ['run_id'] as const;

/** What became of one day's sheet: written, or refused because the day read from the manifest is not a date. */
export type ExportedDay =
  | { readonly kind: 'written'; readonly date: string; readonly file: string; readonly runs: number }
  | { readonly kind: 'refused'; readonly date: string; readonly runs: number; readonly reason: string };

export interface MetadataExportOptions {
  readonly outDir: string;
  readonly date?: string | undefined;
  readonly localTz: string;
}

/** Writes `<outDir>/<date>/metadata.csv` for each local day (or the one `date`), runs in start-time order. */
export async function exportDayMetadata(manifest: ManifestHandle, options: MetadataExportOptions): Promise<ExportedDay[]> {
  const where = whereClause({ from: options.date, to: options.date });
  const described = await manifest.conn.all<{ column_name: string }>(`DESCRIBE SELECT * FROM ${manifest.source}`);
  const parameters = described.map((d) => d.column_name).filter((c) => !isCoreColumn(c));
  const columns = [...SHEET_COLUMNS, ...parameters, ...TRAILING_COLUMNS];
  const rows = await manifest.conn.all(
    `SELECT ${LOCAL_DATE} AS day, ${LOCAL_TIME} AS time_local, * EXCLUDE (date_local) FROM ${manifest.source}
     WHERE ${where.sql} ORDER BY day, ${RUN_ORDER}`,
    { ...where.params, tz: options.localTz },
  );
  const byDay = new Map<string, Record<string, unknown>[]>();
  for (const row of rows) {
    const day = String(row['day']);
    const runs = byDay.get(day);
    if (runs) runs.push(row);
    else byDay.set(day, [row]);
  }
  return [...byDay].map(([date, runs]): ExportedDay => {
    // The day names a folder: a manifest from elsewhere may hold a date_local that is not a date (`../../x`).
    const file = path.join(options.outDir, date, 'metadata.csv');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || !isInside(file, options.outDir)) {
      const reason = `the runs of day ${JSON.stringify(date.slice(0, 60))} are not exported: a day must be a date as YYYY-MM-DD, as it names a folder (strata validate-manifest lists these runs)`;
      return { kind: 'refused', date, runs: runs.length, reason };
    }
    writeFileAtomically(file, toSafeCsv(runs, columns));
    return { kind: 'written', date, file, runs: runs.length };
  });
}
