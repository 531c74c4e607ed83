// The schema every stage database starts from: meta, stage, core and mart, and the meta log tables.
export interface Migration {
  readonly version: number;
  readonly sql: string;
}

/** Numbered, append-only: a database records the versions it has applied in meta.schema_migrations. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE SCHEMA IF NOT EXISTS stage;
      CREATE SCHEMA IF NOT EXISTS core;
      CREATE SCHEMA IF NOT EXISTS mart;
      CREATE TABLE meta.ingestion_log (
        logged_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        file TEXT NOT NULL, dataset TEXT, period TEXT,
        size_bytes BIGINT NOT NULL, sha256 TEXT NOT NULL,
        status TEXT NOT NULL, reason TEXT);
      CREATE TABLE meta.validation_log (
        logged_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        file TEXT NOT NULL, dataset TEXT, period TEXT,
        rows_read BIGINT NOT NULL, rows_ok BIGINT NOT NULL, rows_rejected BIGINT NOT NULL,
        parquet TEXT, rejects TEXT, status TEXT NOT NULL, reason TEXT);
      CREATE TABLE meta.load_log (
        logged_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
        dataset TEXT NOT NULL, period TEXT NOT NULL, stage_table TEXT NOT NULL, parquet TEXT NOT NULL,
        rows_deleted BIGINT NOT NULL, rows_inserted BIGINT NOT NULL, status TEXT NOT NULL, reason TEXT);`,
  },
];

/** Run first, outside the numbered list: the place the list records itself. */
const MIGRATIONS_TABLE_SQL = `
  CREATE SCHEMA IF NOT EXISTS meta;
  CREATE TABLE IF NOT EXISTS meta.schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp);`;

/** How a database runs a script and reads rows, inside the transaction that holds the migrations lock. */
export interface MigrationSession {
  run(sql: string): Promise<unknown>;
  rows(sql: string): Promise<readonly Record<string, unknown>[]>;
}

/** Applies the migrations a database has not recorded yet, in order. */
export async function applyMigrations(session: MigrationSession): Promise<void> {
  await session.run(MIGRATIONS_TABLE_SQL);
  const applied = new Set((await session.rows('SELECT version FROM meta.schema_migrations')).map((r) => Number(r['version'])));
  for (const migration of MIGRATIONS.filter((m) => !applied.has(m.version))) {
    await session.run(migration.sql);
    await session.run(`INSERT INTO meta.schema_migrations (version) VALUES (${Math.trunc(migration.version)});`);
  }
}
