// Before anything is deleted: the Parquet file to load has the stage table's columns and only rows of the period.
import { StrataError, messageOf } from '../errors.js';
import { sqlPathLiteral, type EngineConnection } from '../engine/duckdb.js';
import { periodProblem } from '../landed/dataset-rules.js';
import type { ReplacePeriodRequest } from './stage-database.js';

/** `read_parquet('<file>')`, the file name as a literal. */
export const readParquetSql = (file: string) => `read_parquet(${sqlPathLiteral(file)})`;

/** Checks the file and returns its row count (never 0 unless `allowEmpty`); throws a validation error naming what is wrong. */
export async function checkPeriodParquet(conn: EngineConnection, { table, period, parquetFile: file, allowEmpty }: ReplacePeriodRequest): Promise<number> {
  const problem = periodProblem(period);
  if (problem !== null) throw new StrataError('validation', `the period '${period}' ${problem}`, { file, period });
  let described: { column_name: string }[];
  try {
    described = await conn.all<{ column_name: string }>(`DESCRIBE SELECT * FROM ${readParquetSql(file)}`);
  } catch (error) {
    throw new StrataError('input', `${file} is not a Parquet file strata can read (${duckdbReason(error, file)}); nothing was loaded`, { file });
  }
  const present = new Set(described.map((d) => d.column_name));
  const missing = [...table.columns.map((c) => c.name), '_data_period'].filter((name) => !present.has(name));
  if (missing.length > 0) {
    throw new StrataError('validation', `${file} lacks the column(s) ${missing.join(', ')} that stage.${table.name} needs; nothing was loaded`, {
      file,
      missing,
    });
  }
  const [counts] = await conn.all<{ total: number; foreign: number; sample: string | null }>(
    `SELECT count(*) AS total,
            count(*) FILTER (WHERE "_data_period" IS DISTINCT FROM $1) AS "foreign",
            min("_data_period") FILTER (WHERE "_data_period" IS DISTINCT FROM $1) AS sample
       FROM ${readParquetSql(file)}`,
    [period],
  );
  if (counts && counts.foreign > 0) {
    const sample = counts.sample === null ? 'no period' : `period '${counts.sample}'`;
    throw new StrataError(
      'validation',
      `${file}: ${counts.foreign} of ${counts.total} rows are not of period '${period}' (e.g. ${sample}); refused before anything was deleted`,
      { file, period },
    );
  }
  const total = counts?.total ?? 0;
  if (total === 0 && allowEmpty !== true) {
    throw new StrataError(
      'validation',
      `${file} has no rows: loading it would empty period '${period}' of stage.${table.name}; nothing was changed (pass --allow-empty to empty it on purpose)`,
      { file, period },
    );
  }
  return total;
}

/**
 * DuckDB's own sentence without what it adds for a SQL author: the error class (`Invalid Input Error: `), the
 * statement it was in (`LINE 1: DESCRIBE SELECT ...` with a caret under it), and `file` quoted again.
 */
function duckdbReason(error: unknown, file: string): string {
  const first = messageOf(error).split('\n')[0] ?? '';
  return first.replace(/^[A-Z][A-Za-z ]* Error: /, '').replaceAll(` '${file}'`, '').replaceAll(`'${file}' `, '').trim();
}
