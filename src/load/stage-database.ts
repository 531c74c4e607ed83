// The stage database interface: what ingest, validate, load, transform and publish need from DuckDB or PostgreSQL.
import type { ColumnType, DatasetColumn } from './dataset-rules.js';
import { IDENTIFIER_PATTERN } from './dataset-rules.js';
import { sqlIdentifier } from '../engine/duckdb.js';
import { StrataError } from '../errors.js';

export type StageDatabaseKind = 'duckdb' | 'postgres';

/** A stage table as the dataset rules declare it; `_data_period` is added to it by the database. */
export interface StageTable {
  readonly dataset: string;
  readonly name: string;
  readonly columns: readonly DatasetColumn[];
}

export interface IngestionLogEntry {
  readonly file: string;
  readonly dataset: string | null;
  readonly period: string | null;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly status: 'ok' | 'refused';
  readonly reason: string | null;
}

export interface ValidationLogEntry {
  readonly file: string;
  readonly dataset: string | null;
  readonly period: string | null;
  readonly rowsRead: number;
  readonly rowsOk: number;
  readonly rowsRejected: number;
  readonly parquet: string | null;
  readonly rejects: string | null;
  readonly status: 'ok' | 'refused';
  readonly reason: string | null;
}

export interface LoadLogEntry {
  readonly dataset: string;
  readonly period: string;
  readonly table: string;
  readonly parquet: string;
  readonly rowsDeleted: number;
  readonly rowsInserted: number;
  readonly status: 'ok' | 'failed';
  readonly reason: string | null;
}

export interface ReplacePeriodRequest {
  readonly table: StageTable;
  readonly period: string;
  /** A Parquet file with the table's columns and `_data_period`, every row of period `period`. */
  readonly parquetFile: string;
}

export interface ReplacePeriodResult {
  readonly rowsDeleted: number;
  readonly rowsInserted: number;
}

export interface StageDatabase {
  readonly kind: StageDatabaseKind;
  /** Creates the meta, stage, core and mart schemas and the log tables; safe to run again. */
  migrate(): Promise<void>;
  logIngestion(entry: IngestionLogEntry): Promise<void>;
  logValidation(entry: ValidationLogEntry): Promise<void>;
  logLoad(entry: LoadLogEntry): Promise<void>;
  /**
   * In one transaction, and serialised with any other load of the same dataset: creates the stage
   * table when missing, deletes the period's rows and inserts the file's rows. Any failure rolls back.
   */
  replacePeriod(request: ReplacePeriodRequest): Promise<ReplacePeriodResult>;
  /** Runs a SQL script (several statements) in one transaction, serialised with loads of `dataset`. */
  runScript(dataset: string, sql: string): Promise<void>;
  /** A read query with `$1` parameters, for reports and checks. */
  query(sql: string, params?: readonly (string | number | null)[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

/** Database column types, the same words on DuckDB and PostgreSQL. */
export const SQL_TYPES: Readonly<Record<ColumnType, string>> = {
  int: 'BIGINT',
  float: 'DOUBLE PRECISION',
  str: 'TEXT',
  date: 'DATE',
  bool: 'BOOLEAN',
};

/** A checked, quoted identifier: anything not matching the strict pattern never reaches SQL. */
export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER_PATTERN.test(name)) {
    throw new StrataError('validation', `'${name}' is not allowed as a table or column name (lower-case letters, digits, _)`, { name });
  }
  return sqlIdentifier(name);
}

export const stageTableName = (table: StageTable) => `stage.${quoteIdentifier(table.name)}`;

/**
 * CREATE TABLE with `_data_period TEXT NOT NULL`, indexed the way each database finds a period fastest.
 * PostgreSQL: partitioned by period (one partition per period), plus a B-tree on `_data_period`.
 * DuckDB: its automatic min-max index (zonemap) on every column; a period is inserted in one
 * statement, so its rows fill their own row groups and the zonemap skips all others. An ART
 * index would add nothing for such a filter and makes each replace cost twice a first load.
 */
export function createStageTableSql(table: StageTable, kind: StageDatabaseKind): string {
  const columns = table.columns.map((c) => `${quoteIdentifier(c.name)} ${SQL_TYPES[c.type]}`);
  const create = `CREATE TABLE IF NOT EXISTS ${stageTableName(table)} (${[...columns, '"_data_period" TEXT NOT NULL'].join(', ')})`;
  if (kind === 'duckdb') return `${create};`;
  const index = quoteIdentifier(`${table.name}_data_period_idx`.slice(0, 63));
  return `${create} PARTITION BY LIST ("_data_period");\nCREATE INDEX IF NOT EXISTS ${index} ON ${stageTableName(table)} ("_data_period");`;
}

/** The declared columns, quoted, in the table's order. */
export const dataColumnListSql = (table: StageTable) => table.columns.map((c) => quoteIdentifier(c.name)).join(', ');

/** The column list of an INSERT or COPY, in the table's order, `_data_period` last. */
export const columnListSql = (table: StageTable) => `${dataColumnListSql(table)}, "_data_period"`;

/** A stage table made by an earlier version of the rules must still have the declared columns, in order. */
export function checkStageColumns(table: StageTable, actual: readonly string[]): void {
  const expected = [...table.columns.map((c) => c.name), '_data_period'];
  if (expected.join(',') === actual.join(',')) return;
  throw new StrataError(
    'database',
    `stage.${table.name} has the columns (${actual.join(', ')}) but dataset '${table.dataset}' declares (${expected.join(', ')}); ` +
      'change the table by hand (or drop it) before loading',
    { table: table.name },
  );
}

export const STAGE_COLUMNS_SQL =
  "SELECT column_name FROM information_schema.columns WHERE table_schema = 'stage' AND table_name = $1 ORDER BY ordinal_position";
