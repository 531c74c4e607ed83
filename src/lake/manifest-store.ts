// Reading and atomically writing the manifest Parquet file through DuckDB.
import { existsSync, mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { sqlIdentifier, sqlLiteral, sqlPathLiteral, type EngineConnection, type SqlValue } from '../engine/duckdb.js';
import { StrataError } from '../errors.js';
import { writeViaTemp } from '../fs/atomic-file.js';
import {
  isCoreColumn,
  manifestColumns,
  mergeParameterColumns,
  parameterTypeOfSql,
  type ManifestColumn,
  type ParameterColumn,
} from './manifest-columns.js';
import { describeIssues, validateManifestRows, type ManifestRow } from './manifest-row.js';

/** The FROM clause reading a manifest file. */
export function manifestSource(file: string): string {
  return `read_parquet(${sqlPathLiteral(file)})`;
}

/** Each column of a Parquet file with its DuckDB type, in file order. */
export async function describeParquetColumns(
  conn: EngineConnection,
  file: string,
): Promise<readonly { readonly name: string; readonly type: string }[]> {
  const rows = await conn.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${manifestSource(file)}`);
  return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
}

/** The parameter (non-core) columns an existing manifest holds; none when there is no manifest. */
export async function existingParameterColumns(conn: EngineConnection, file: string): Promise<readonly ParameterColumn[]> {
  if (!existsSync(file)) return [];
  return parameterColumnsAmong(await describeParquetColumns(conn, file));
}

/** The parameter (non-core) columns among a manifest file's described columns. */
function parameterColumnsAmong(columns: readonly { readonly name: string; readonly type: string }[]): readonly ParameterColumn[] {
  return columns.flatMap((c) => {
    const type = parameterTypeOfSql(c.type);
    return !isCoreColumn(c.name) && type ? [{ name: c.name, type }] : [];
  });
}

/** Every row of the manifest as JS values (BIGINT as number, timestamps as Date); no file means no runs yet. */
export async function readManifest(conn: EngineConnection, file: string): Promise<ManifestRow[]> {
  if (!existsSync(file)) return [];
  return (await conn.all(`SELECT * FROM ${manifestSource(file)}`)) as unknown as ManifestRow[];
}

export interface ManifestWrite {
  readonly file: string;
  readonly rows: number;
  readonly columns: readonly ManifestColumn[];
}

/**
 * Validates `rows` as one batch and replaces the manifest with them (see writeValidatedManifest). An invalid row
 * stops the write and the old manifest stays as it was (validate first and reject those rows).
 */
export async function writeManifestAtomically(
  conn: EngineConnection,
  file: string,
  rows: readonly unknown[],
  parameterColumns: readonly ParameterColumn[],
): Promise<ManifestWrite> {
  const parameters = mergeParameterColumns(parameterColumns, await existingParameterColumns(conn, file));
  const { valid, invalid } = validateManifestRows(rows, parameters);
  if (invalid.length > 0) {
    const first = invalid[0]!;
    throw new StrataError(
      'validation',
      `${invalid.length} manifest row(s) are invalid, so ${file} was left as it was; first: ${describeIssues(first.issues)}`,
      { file, invalid: invalid.length },
    );
  }
  return writeValidatedManifest(conn, file, valid, parameters);
}

/**
 * Replaces the manifest with rows that validateManifestRows already accepted: they go through an appender into a
 * temporary table, DuckDB writes Parquet to a temp file beside the manifest, and a rename publishes it, so a
 * reader sees the old manifest or the new one, never half of one. Parameter columns an existing manifest has
 * but `parameterColumns` lacks are kept.
 */
export async function writeValidatedManifest(
  conn: EngineConnection,
  file: string,
  valid: readonly ManifestRow[],
  parameterColumns: readonly ParameterColumn[],
): Promise<ManifestWrite> {
  const columns = manifestColumns(mergeParameterColumns(parameterColumns, await existingParameterColumns(conn, file)));
  mkdirSync(path.dirname(file), { recursive: true });
  const table = `manifest_write_${randomBytes(6).toString('hex')}`;
  await conn.run(`CREATE TEMP TABLE ${table} (${columns.map((c) => `${sqlIdentifier(c.name)} ${c.sqlType}`).join(', ')})`);
  try {
    await conn.appendJsRows(table, rowValues(valid, columns));
    await writeViaTemp(file, (temp) =>
      conn.run(
        `COPY (SELECT * FROM ${table} ORDER BY chip_group, chip_number, start_time_utc, file_idx, run_id) ` +
          `TO ${sqlLiteral(temp)} (FORMAT parquet, COMPRESSION zstd)`,
      ),
    );
  } finally {
    await conn.run(`DROP TABLE IF EXISTS ${table}`);
  }
  return { file, rows: valid.length, columns };
}

function* rowValues(rows: readonly ManifestRow[], columns: readonly ManifestColumn[]): Generator<SqlValue[]> {
  for (const row of rows) yield columns.map((c) => row[c.name] ?? null);
}
