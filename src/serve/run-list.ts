// The manifest's runs as the page lists them, worked out once per version of the manifest: each run's local date
// and time, its instant, and its `seq` in its chip's history (the rules of `strata history`), so that a chip of
// thousands of runs, a day or a search is a plain filter.
import type { EngineConnection, SqlValue } from '../engine/duckdb.js';
import { LOCAL_DATE, LOCAL_TIME, ORDER_INSTANT, RUN_ORDER } from '../history/manifest-query.js';
import type { RunFilters } from './api-params.js';

export const RUN_LIST = 'serve_runs';

/** The columns a list of runs shows. */
export const LIST_COLUMNS = 'run_id, chip_name, chip_group, chip_number, proc, date_local, time_local, has_light, summary';

/** Newest first: the reverse of a chip's history order. */
export const NEWEST_FIRST = 'instant DESC, file_idx DESC NULLS LAST, run_id DESC';

/** Builds the run list from the in-memory manifest `source`; `tz` is the lab's zone. */
export async function buildRunList(conn: EngineConnection, source: string, tz: string): Promise<void> {
  await conn.run(
    `CREATE OR REPLACE TABLE ${RUN_LIST} AS
     SELECT run_id, chip_group, chip_number, chip_name, proc, has_light, summary, file_idx, source_file, path, rows,
       ${LOCAL_DATE} AS date_local, ${LOCAL_TIME} AS time_local, ${ORDER_INSTANT} AS instant,
       CASE WHEN chip_number IS NOT NULL AND chip_group IS NOT NULL
         THEN row_number() OVER (PARTITION BY chip_group, chip_number ORDER BY ${RUN_ORDER}) END AS seq
     FROM ${source}`,
    { tz },
  );
}

export interface RunListFilter extends RunFilters {
  readonly chip?: { readonly chip_group: string; readonly chip_number: number } | undefined;
  readonly date?: string | undefined;
  /** Text in the summary, any letter case. */
  readonly text?: string | undefined;
}

/** A WHERE clause over the run list (`true` when nothing is filtered) and its named parameters. */
export function runListWhere(filter: RunListFilter): { readonly sql: string; readonly params: Record<string, SqlValue> } {
  const terms: string[] = ['true'];
  const params: Record<string, SqlValue> = {};
  const add = (sql: string, name: string, value: SqlValue) => {
    terms.push(sql);
    params[name] = value;
  };
  if (filter.chip !== undefined) {
    add('chip_group = $chip_group', 'chip_group', filter.chip.chip_group);
    add('chip_number = $chip_number', 'chip_number', filter.chip.chip_number);
  } else if (filter.group !== undefined) add('lower(chip_group) = lower($group)', 'group', filter.group);
  if (filter.proc !== undefined) add('lower(proc) = lower($proc)', 'proc', filter.proc);
  if (filter.light !== undefined) add('has_light = $light', 'light', filter.light);
  if (filter.date !== undefined) add('date_local = $date', 'date', filter.date);
  if (filter.from !== undefined) add('date_local >= $from', 'from', filter.from);
  if (filter.to !== undefined) add('date_local <= $to', 'to', filter.to);
  if (filter.text !== undefined) add('contains(lower(summary), lower($text))', 'text', filter.text);
  return { sql: terms.join(' AND '), params };
}
