// Filtering manifest rows for `inspect-manifest`: the runs that match, with their local date and time.
import { LOCAL_DATE, LOCAL_TIME, RUN_ORDER, whereClause, type ManifestHandle, type RunFilter } from './manifest-query.js';

export type InspectedRun = Readonly<Record<string, unknown>>;

/**
 * Manifest rows matching `filter`, every column, plus `time_local`; `date_local` is shown in `localTz`.
 * BIGINT values come back as numbers.
 */
export async function inspectRuns(
  manifest: ManifestHandle,
  filter: RunFilter,
  localTz: string,
): Promise<{ readonly columns: readonly string[]; readonly runs: readonly InspectedRun[] }> {
  const where = whereClause(filter);
  const sql = `SELECT * REPLACE (${LOCAL_DATE} AS date_local), ${LOCAL_TIME} AS time_local FROM ${manifest.source}
    WHERE ${where.sql} ORDER BY chip_group NULLS LAST, chip_number NULLS LAST, ${RUN_ORDER}`;
  const runs = await manifest.conn.all(sql, { ...where.params, tz: localTz });
  const described = await manifest.conn.all<{ column_name: string }>(`DESCRIBE SELECT * FROM ${manifest.source}`);
  return { columns: [...described.map((d) => d.column_name), 'time_local'], runs };
}
