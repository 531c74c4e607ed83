// Writes one run's data file: DuckDB reads the CSV table, renames and casts its columns, adds the run's
// identity columns, and writes Parquet to a temp file beside the target, which a rename then publishes.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { sqlIdentifier, sqlLiteral, type EngineConnection } from '../engine/duckdb.js';
import type { ColumnMatch } from '../schema/match-columns.js';
import type { ValueType } from '../schema/procedures-schema.js';
import { SQL_TYPE_OF } from './manifest-columns.js';
import { NO_WORDS, NULL_SPELLINGS, YES_WORDS } from '../parse/cell-words.js';
import { writeViaTemp } from './atomic-file.js';

export type ConstantValue = string | number | boolean | Date | null;

/** A column whose value is the same on every row of the run (run_id, chip, header parameters). */
export interface ConstantColumn {
  readonly name: string;
  readonly type: ValueType;
  readonly value: ConstantValue;
}

export interface RunTable {
  readonly sourcePath: string;
  /** Lines before the first data row (the header and the column line). */
  readonly skipLines: number;
  /** Every column of the table, in file order (all are read; `unknown` ones are written only if kept). */
  readonly columns: readonly ColumnMatch[];
  readonly keepUnknownColumns: boolean;
  readonly constants: readonly ConstantColumn[];
}

const READ_TYPE: Readonly<Record<ValueType, string>> = {
  float: 'DOUBLE',
  int: 'BIGINT',
  str: 'VARCHAR',
  bool: 'VARCHAR', // read as text, then 1/true/yes -> true
  datetime: 'VARCHAR', // read as text, then cast with its zone
};
// Each writer buffers a whole row group in memory; 20,000 rows keeps two workers on the lab's largest
// files (80,000 rows, ~30 columns) within ~270 MB in all, against ~330 MB with DuckDB's default 122,880.
const ROW_GROUP_ROWS = 20_000;

/** The COPY statement for one run: its SQL is the whole transformation of the table. */
export function runCopySql(run: RunTable, target: string): string {
  const columns = run.columns.map((c, i) => `${sqlLiteral(`c${i}`)}: ${sqlLiteral(READ_TYPE[c.type])}`).join(', ');
  const measured = run.columns.flatMap((c, i) =>
    run.keepUnknownColumns || c.tier !== 'unknown' ? [`${castExpression(`c${i}`, c.type)} AS ${sqlIdentifier(c.name)}`] : [],
  );
  const constants = run.constants.map((c) => `${literal(c.value, c.type)} AS ${sqlIdentifier(c.name)}`);
  return (
    `COPY (SELECT ${[...measured, ...constants].join(', ')} FROM read_csv(${sqlLiteral(run.sourcePath)}, ` +
    `skip=${run.skipLines}, header=false, auto_detect=false, delim=',', quote='"', escape='"', ` +
    `columns={${columns}}, nullstr=[${NULL_SPELLINGS.map(sqlLiteral).join(', ')}], strict_mode=true)) ` +
    `TO ${sqlLiteral(target)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE ${ROW_GROUP_ROWS})`
  );
}

function castExpression(column: string, type: ValueType): string {
  if (type === 'bool') {
    const words = (set: ReadonlySet<string>) => [...set].map(sqlLiteral).join(', ');
    return `CASE WHEN lower(trim(${column})) IN (${words(YES_WORDS)}) THEN true WHEN lower(trim(${column})) IN (${words(NO_WORDS)}) THEN false END`;
  }
  if (type === 'datetime') return `TRY_CAST(${column} AS TIMESTAMPTZ)`;
  return column;
}

function literal(value: ConstantValue, type: ValueType): string {
  if (value === null) return `CAST(NULL AS ${SQL_TYPE_OF[type]})`;
  if (value instanceof Date) return `TIMESTAMPTZ ${sqlLiteral(value.toISOString())}`;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return `CAST(${Number.isFinite(value) ? String(value) : 'NULL'} AS ${SQL_TYPE_OF[type]})`;
  // Text as a one-value ENUM: Parquet gets the same UTF-8 column, which DuckDB writes twice as fast (no hashing per row).
  return type === 'str' ? `CAST(${sqlLiteral(value)} AS ENUM(${sqlLiteral(value)}))` : `TRY_CAST(${sqlLiteral(value)} AS ${SQL_TYPE_OF[type]})`;
}

/** What the caller decides once it knows how many rows were written: publish (with a value) or refuse. */
export type PublishDecision<T> = { readonly publish: true; readonly value: T } | { readonly publish: false; readonly problem: string };

export class RunRefused extends Error {}

/**
 * Writes the run to a temp file beside `target`, lets `decide` look at the row count, and only then renames it
 * onto `target`. A refusal or a failure leaves nothing behind and `target` (a previous version of the run)
 * untouched; a read failure says, in words, which line and column of the source could not be read.
 */
export async function writeRunParquet<T>(
  conn: EngineConnection,
  run: RunTable,
  target: string,
  decide: (rows: number) => PublishDecision<T>,
): Promise<T> {
  // Off the main thread: while DuckDB writes, a new folder can take milliseconds, and the other workers wait for none of them.
  await mkdir(path.dirname(target), { recursive: true });
  return writeViaTemp(target, async (temp) => {
    let result: { Count: bigint } | undefined;
    try {
      [result] = await conn.all<{ Count: bigint }>(runCopySql(run, temp));
    } catch (error) {
      throw new Error(explainCsvError(error, run));
    }
    const decision = decide(Number(result?.Count ?? 0));
    if (!decision.publish) throw new RunRefused(decision.problem);
    return decision.value;
  });
}

/** Turns DuckDB's CSV error report into one sentence naming the line, the column and what was expected. */
export function explainCsvError(error: unknown, run: RunTable): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = /CSV Error on Line: (\d+)/.exec(text)?.[1];
  const where = line ? `line ${line}` : 'the data table';
  const columnIndex = /column "c(\d+)"/.exec(text)?.[1];
  const column = columnIndex === undefined ? undefined : run.columns[Number(columnIndex)];
  const value = /Could not convert string "([^"]*)"/.exec(text)?.[1];
  if (column && value !== undefined) {
    return `${where}: the value '${value}' in column '${column.source}' is not ${describeType(column.type)}`;
  }
  const counts = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(text);
  if (counts) return `${where}: expected ${counts[1]} values separated by commas but found ${counts[2]} (a truncated or malformed row)`;
  if (/unicode|utf-?8/i.test(text)) return `${where}: the text is not valid UTF-8`;
  return `${where}: ${text.split('\n')[0]}`;
}

function describeType(type: ValueType): string {
  return { float: 'a number', int: 'a whole number', str: 'text', bool: 'yes/no', datetime: 'a time' }[type];
}
