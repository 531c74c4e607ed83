// metrics.parquet: one row per run and metric, the lab's model's columns, written whole and atomically.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { sqlLiteral, type EngineConnection, type SqlValue } from '../engine/duckdb.js';
import { writeViaTemp } from '../fs/atomic-file.js';

/** One row of metrics.parquet. */
export interface MetricRow {
  readonly run_id: string;
  readonly chip_group: string | null;
  readonly chip_number: number | null;
  readonly proc: string;
  readonly metric_name: string;
  readonly value_float: number | null;
  readonly unit: string | null;
  readonly method: string;
  readonly extraction_version: string;
  readonly confidence: number | null;
  /** Comma-separated upper-case words, null when there is nothing to say. */
  readonly flags: string | null;
  /** The numbers behind the value, as JSON. */
  readonly value_json: string | null;
}

/** The columns in order: the contract's, then value_json. */
export const METRIC_COLUMNS = [
  ['run_id', 'VARCHAR'],
  ['chip_group', 'VARCHAR'],
  ['chip_number', 'BIGINT'],
  ['proc', 'VARCHAR'],
  ['metric_name', 'VARCHAR'],
  ['value_float', 'DOUBLE'],
  ['unit', 'VARCHAR'],
  ['method', 'VARCHAR'],
  ['extraction_version', 'VARCHAR'],
  ['confidence', 'DOUBLE'],
  ['flags', 'VARCHAR'],
  ['value_json', 'VARCHAR'],
] as const satisfies readonly (readonly [keyof MetricRow, string])[];

const COLUMN_LIST = METRIC_COLUMNS.map(([name]) => name).join(', ');

/**
 * Writes `file` from the rows of the previous file that `keep` names (run_id -> metric names) and the new rows,
 * sorted by chip, procedure, run and metric so that the same metrics always make the same file.
 */
export async function writeMetricsFile(
  conn: EngineConnection,
  file: string,
  previous: { readonly keep: ReadonlyMap<string, ReadonlySet<string>> },
  rows: readonly MetricRow[],
): Promise<void> {
  await conn.run(`CREATE OR REPLACE TEMP TABLE derived_metrics (${METRIC_COLUMNS.map(([n, t]) => `${n} ${t}`).join(', ')})`);
  await conn.run('CREATE OR REPLACE TEMP TABLE kept_metrics (run_id VARCHAR, metric_name VARCHAR)');
  if (previous.keep.size > 0 && existsSync(file)) {
    await conn.appendRows('kept_metrics', [...previous.keep].flatMap(([runId, names]) => [...names].map((name) => [runId, name] as SqlValue[])));
    await conn.run(
      `INSERT INTO derived_metrics SELECT ${METRIC_COLUMNS.map(([n]) => `m.${n}`).join(', ')}
       FROM read_parquet(${sqlLiteral(file)}) m JOIN kept_metrics k ON m.run_id = k.run_id AND m.metric_name = k.metric_name`,
    );
  }
  await conn.appendRows('derived_metrics', rows.map((r) => METRIC_COLUMNS.map(([name]) => r[name]) as SqlValue[]));
  mkdirSync(path.dirname(file), { recursive: true });
  await writeViaTemp(file, (temp) =>
    conn.run(`COPY (SELECT ${COLUMN_LIST} FROM derived_metrics ORDER BY chip_group NULLS LAST, chip_number NULLS LAST, proc, run_id, metric_name) TO ${sqlLiteral(temp)} (FORMAT parquet)`),
  );
  await conn.run('DROP TABLE derived_metrics');
  await conn.run('DROP TABLE kept_metrics');
}
