// The stage database interface: what load, transform and publish need from a database, whatever its dialect.
import type { DatasetColumn } from '../landed/dataset-rules.js';
import { SQL_TYPES } from '../landed/dataset-rules.js';
import { quoteIdentifier } from '../sql/quote.js';
import { StrataError } from '../errors.js';

/** A stage table as the dataset rules declare it; `_data_period` is added to it by the database. */
export interface StageTable {
  readonly dataset: string;
  readonly name: string;
  readonly columns: readonly DatasetColumn[];
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
  /** A file with no rows empties the period; refused unless asked for (`--allow-empty`). */
  readonly allowEmpty?: boolean;
}

export interface ReplacePeriodResult {
  readonly rowsDeleted: number;
  readonly rowsInserted: number;
}

/**
 * What differs between databases, declared by each driver (as dlt's destination capabilities are), so
 * shared code never asks which database it talks to.
 */
export interface StageCapabilities {
  /** The database's name in messages: 'DuckDB', 'PostgreSQL'. */
  readonly label: string;
  /** Added after CREATE TABLE's column list, e.g. `PARTITION BY LIST ("_data_period")`; '' for nothing. */
  readonly stageTableClause: string;
  /** Statements that index a new stage table by period, or null when the database needs none. */
  periodIndexSql(table: StageTable): string | null;
}

export type SqlParam = string | number | null;

/** How long to wait for another process that holds the database (a DuckDB file) or a dataset's lock. */
export interface WaitOptions {
  /** Milliseconds before giving up with a message; 60 s by default. */
  readonly lockTimeoutMs?: number;
  /** Called once when a wait begins, with a sentence saying who is waited for. */
  readonly onWait?: (message: string) => void;
}

export const DEFAULT_LOCK_TIMEOUT_MS = 60_000;

export interface StageDatabase {
  readonly capabilities: StageCapabilities;
  /** Creates the meta, stage, core and mart schemas and the log tables; safe to run again. */
  migrate(): Promise<void>;
  /** One statement with `$1` parameters, outside any transaction (the meta log inserts). */
  execute(sql: string, params: readonly SqlParam[]): Promise<void>;
  /**
   * In one transaction, and serialised with any other load of the same dataset: creates the stage
   * table when missing, deletes the period's rows and inserts the file's rows. Any failure rolls back.
   */
  replacePeriod(request: ReplacePeriodRequest): Promise<ReplacePeriodResult>;
  /** Runs a SQL script (several statements) in one transaction, serialised with loads of `dataset`. */
  runScript(dataset: string, sql: string): Promise<void>;
  /** A read query with `$1` parameters, for reports and checks. */
  query(sql: string, params?: readonly SqlParam[]): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

export const stageTableName = (table: StageTable) => `stage.${quoteIdentifier(table.name)}`;

/** CREATE TABLE with `_data_period TEXT NOT NULL`, laid out and indexed the way the database finds a period fastest. */
export function createStageTableSql(table: StageTable, capabilities: StageCapabilities): string {
  const columns = table.columns.map((c) => `${quoteIdentifier(c.name)} ${SQL_TYPES[c.type]}`);
  const clause = capabilities.stageTableClause === '' ? '' : ` ${capabilities.stageTableClause}`;
  const create = `CREATE TABLE IF NOT EXISTS ${stageTableName(table)} (${[...columns, '"_data_period" TEXT NOT NULL'].join(', ')})${clause};`;
  const index = capabilities.periodIndexSql(table);
  return index === null ? create : `${create}\n${index}`;
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
