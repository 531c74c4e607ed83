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

type Driver<K extends StageDatabaseAddress['kind']> = (address: Extract<StageDatabaseAddress, { kind: K }>, wait: WaitOptions) => Promise<StageDatabase>;

/** The plug-ins, by address kind; each is imported only when chosen, so a DuckDB user never loads pg and the reverse. */
const DRIVERS: { readonly [K in StageDatabaseAddress['kind']]: Driver<K> } = {
  duckdb: async ({ file }, wait) => (await import('./duckdb/duckdb-stage-database.js')).DuckDbStageDatabase.open(file, wait),
  postgres: async ({ url }, wait) => (await import('./postgres/postgres-stage-database.js')).PostgresStageDatabase.open(url, wait),
};

/** Opens the stage database and brings its schema up to date, waiting (up to a timeout) for another process holding it. */
export async function openStageDatabase(address: StageDatabaseAddress, wait: WaitOptions = {}): Promise<StageDatabase> {
  // `as never`: TypeScript cannot tie the looked-up driver to the narrowed address; DRIVERS is typed per kind above.
  const db = await DRIVERS[address.kind](address as never, wait);
  try {
    await db.migrate();
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}
