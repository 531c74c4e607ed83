// Opening the manifest for a query and the SQL pieces every history command shares (filters, local date and time).
import { existsSync } from 'node:fs';
import { Engine, type EngineConnection, type SqlValue } from '../engine/duckdb.js';
import { manifestSource } from '../lake/manifest-store.js';
import { configError } from '../errors.js';
import type { RunFilter } from '../lake/run-filter.js';

export interface ManifestHandle {
  readonly conn: EngineConnection;
  /** `read_parquet('<file>')`, for FROM clauses. */
  readonly source: string;
  close(): void;
}

/** Opens an in-memory DuckDB over the manifest file; a missing manifest is a config error naming it. */
export async function openManifest(file: string): Promise<ManifestHandle> {
  if (!existsSync(file)) throw configError(`no manifest at ${file}: stage some runs first, or pass --manifest`, { file });
  const engine = await Engine.open(':memory:', { threads: 2 });
  const conn = await engine.connect();
  return {
    conn,
    source: manifestSource(file),
    close() {
      conn.close();
      engine.close();
    },
  };
}


/**
 * The run's instant for ordering: its start time, or local midnight of its date when it has none
 * (a run dated only by its folder sorts at the start of that day, then by file_idx). `$tz` is the zone.
 */
export const ORDER_INSTANT = `coalesce(start_time_utc, timezone($tz, CAST(date_local AS TIMESTAMP)))`;

/** The order of a chip's runs: start time, then file_idx, then run id so ties never flip between runs. */
export const RUN_ORDER = `${ORDER_INSTANT}, file_idx NULLS LAST, run_id`;

/** The local calendar date and wall-clock time in `$tz` (DST-correct, via DuckDB's ICU). */
export const LOCAL_DATE = `coalesce(strftime(timezone($tz, start_time_utc), '%Y-%m-%d'), date_local)`;
export const LOCAL_TIME = `strftime(timezone($tz, start_time_utc), '%H:%M:%S')`;

export type { RunFilter } from '../lake/run-filter.js';

/** A WHERE clause (always valid, `true` when nothing is filtered) and its named parameters. */
export function whereClause(filter: RunFilter): { readonly sql: string; readonly params: Record<string, SqlValue> } {
  const terms: string[] = ['true'];
  const params: Record<string, SqlValue> = {};
  if (filter.chip !== undefined) {
    terms.push('chip_number = $chip');
    params['chip'] = filter.chip;
  }
  if (filter.group !== undefined) {
    terms.push('lower(chip_group) = lower($group)');
    params['group'] = filter.group;
  }
  if (filter.proc !== undefined) {
    terms.push('lower(proc) = lower($proc)');
    params['proc'] = filter.proc;
  }
  if (filter.from !== undefined) {
    terms.push(`${LOCAL_DATE} >= $from`);
    params['from'] = filter.from;
  }
  if (filter.to !== undefined) {
    terms.push(`${LOCAL_DATE} <= $to`);
    params['to'] = filter.to;
  }
  if (filter.light !== undefined) {
    terms.push('has_light = $light');
    params['light'] = filter.light;
  }
  return { sql: terms.join(' AND '), params };
}
