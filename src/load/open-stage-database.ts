// `--db`: `duckdb:path/to/file.duckdb` (the embedded default) or a `postgres://` URL, opened and migrated.
import path from 'node:path';
import { usageError } from '../errors.js';
import type { StageDatabase, WaitOptions } from './stage-database.js';

export type StageDatabaseAddress = { readonly kind: 'duckdb'; readonly file: string } | { readonly kind: 'postgres'; readonly url: string };

/** Parses `--db`; a relative DuckDB path is resolved against `baseDir` (the CLI passes its working directory). */
export function parseStageDatabaseUrl(text: string, baseDir: string): StageDatabaseAddress {
  if (/^postgres(ql)?:\/\//.test(text)) return { kind: 'postgres', url: text };
  const file = text.startsWith('duckdb:') ? text.slice('duckdb:'.length) : '';
  if (file === '') throw usageError(`--db expects duckdb:path/to/file.duckdb or a postgres:// URL, got '${text}'`);
  return { kind: 'duckdb', file: path.resolve(baseDir, file) };
}

/** Opens the stage database and brings its schema up to date, waiting (up to a timeout) for another process holding it. */
export async function openStageDatabase(address: StageDatabaseAddress, wait: WaitOptions = {}): Promise<StageDatabase> {
  // Each driver is imported only when chosen, so a DuckDB user never loads pg and the reverse.
  const db =
    address.kind === 'duckdb'
      ? await (await import('./duckdb/duckdb-stage-database.js')).DuckDbStageDatabase.open(address.file, wait)
      : await (await import('./postgres/postgres-stage-database.js')).PostgresStageDatabase.open(address.url, wait);
  try {
    await db.migrate();
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}
