// The day-level metadata.csv files people used to keep by hand, generated from the manifest (a view, never an input).
import path from 'node:path';
import { isCoreColumn } from '../lake/manifest-columns.js';
import { writeFileAtomically } from '../fs/atomic-file.js';
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

export interface ExportedDay {
  readonly date: string;
  readonly file: string;
  readonly runs: number;
}

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
  return [...byDay].map(([date, runs]) => {
    const file = path.join(options.outDir, date, 'metadata.csv');
    writeFileAtomically(file, toSafeCsv(runs, columns));
    return { date, file, runs: runs.length };
  });
}
