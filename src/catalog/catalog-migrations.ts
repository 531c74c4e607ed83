// The catalog's tables, made by numbered migrations that any number of processes may run at once: the first takes
// an advisory lock and migrates, the others wait for it and find nothing left to do.
import { StrataError } from '../errors.js';
import { CATALOG_LOCK_NAMESPACE, type CatalogLayout } from './catalog-layout.js';
import { sqlStateOf, type CatalogSession } from './catalog-session.js';

export interface CatalogMigration {
  readonly version: number;
  readonly sql: (layout: CatalogLayout) => string;
}

/**
 * Numbered and append-only: a migration once released is never edited (a catalog that applied it keeps what it
 * made); a change is a new one. The runs table spells the manifest's core columns out (manifest-columns.ts):
 * a new core column is a new migration, and a test compares the two.
 */
export const CATALOG_MIGRATIONS: readonly CatalogMigration[] = [
  {
    version: 1,
    sql: (c) => `
      CREATE TABLE ${c.sourceFiles} (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        source_file text NOT NULL,
        source_size bigint NOT NULL,
        source_mtime_ms double precision NOT NULL,
        source_sha1 text,
        state text NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'claimed', 'done', 'rejected')),
        attempts integer NOT NULL DEFAULT 0,
        claim_token uuid,
        claimed_by text,
        claimed_at timestamptz,
        lease_expires_at timestamptz,
        discovered_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        finished_at timestamptz,
        outcome text CHECK (outcome IN ('staged', 'rejected', 'unchanged', 'stale', 'exhausted')),
        run_id text,
        UNIQUE (source_file, source_size, source_mtime_ms),
        CHECK (state <> 'claimed' OR (claim_token IS NOT NULL AND claimed_at IS NOT NULL AND lease_expires_at IS NOT NULL))
      );
      CREATE INDEX ON ${c.sourceFiles} (id) WHERE state IN ('queued', 'claimed');
      CREATE INDEX ON ${c.sourceFiles} (claimed_at) WHERE state = 'claimed';

      CREATE TABLE ${c.runs} (
        run_id text PRIMARY KEY,
        source_file text NOT NULL UNIQUE,
        proc text NOT NULL,
        start_time_utc timestamptz,
        date_local text NOT NULL,
        date_origin text NOT NULL,
        file_idx bigint,
        chip_group text,
        chip_number bigint,
        chip_name text,
        has_light boolean,
        "rows" bigint NOT NULL,
        duration_s double precision,
        summary text NOT NULL,
        path text NOT NULL UNIQUE,
        status text NOT NULL,
        schema_version bigint NOT NULL,
        extraction_version text NOT NULL,
        ingested_at_utc timestamptz NOT NULL,
        source_size bigint NOT NULL,
        source_mtime_ms double precision NOT NULL,
        source_sha1 text NOT NULL,
        warnings text NOT NULL,
        data_schema text,
        _source_version bigint NOT NULL,
        _committed_at timestamptz NOT NULL
      );
      CREATE INDEX ON ${c.runs} (chip_group, chip_number);
      CREATE INDEX ON ${c.runs} (proc);

      CREATE TABLE ${c.rejects} (
        source_file text PRIMARY KEY,
        error text NOT NULL,
        error_type text NOT NULL,
        ts timestamptz NOT NULL,
        source_size bigint NOT NULL,
        source_mtime_ms double precision NOT NULL,
        _source_version bigint NOT NULL
      );

      CREATE TABLE ${c.procedureSchemas} (
        proc text NOT NULL,
        version integer NOT NULL CHECK (version >= 1),
        schema_id text NOT NULL,
        columns jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        source_file text,
        PRIMARY KEY (proc, version),
        UNIQUE (proc, schema_id)
      );`,
  },
  {
    version: 2,
    // One row: when the data files were last swept. A catalog made now has nothing old enough to sweep yet.
    sql: (c) => `
      CREATE TABLE ${c.sweeps} (
        one_row boolean PRIMARY KEY DEFAULT true CHECK (one_row),
        swept_at timestamptz NOT NULL
      );
      INSERT INTO ${c.sweeps} (swept_at) VALUES (clock_timestamp());`,
  },
];

export const LATEST_CATALOG_VERSION = Math.max(...CATALOG_MIGRATIONS.map((m) => m.version));

/**
 * Brings the catalog in `layout.schema` up to LATEST_CATALOG_VERSION. One round trip when it is there already;
 * otherwise one transaction under the migration lock (DDL is transactional in PostgreSQL: a migration that fails
 * leaves nothing half made). A catalog a newer strata migrated further is refused, not touched.
 */
export async function migrateCatalog(session: CatalogSession, layout: CatalogLayout): Promise<{ readonly applied: readonly number[] }> {
  const current = await appliedVersions(session, layout);
  if (current !== null) {
    checkNotNewer(current, layout);
    if (CATALOG_MIGRATIONS.every((m) => current.has(m.version))) return { applied: [] };
  }
  return session.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [CATALOG_LOCK_NAMESPACE, layout.lockKeys.migrate]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${layout.schemaSql};
      CREATE TABLE IF NOT EXISTS ${layout.migrations} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT clock_timestamp());`);
    const done = new Set((await tx.query<{ version: number }>(`SELECT version FROM ${layout.migrations}`)).map((r) => r.version));
    checkNotNewer(done, layout);
    const applied: number[] = [];
    for (const migration of CATALOG_MIGRATIONS.filter((m) => !done.has(m.version))) {
      await tx.query(migration.sql(layout));
      await tx.query(`INSERT INTO ${layout.migrations} (version) VALUES ($1)`, [migration.version]);
      applied.push(migration.version);
    }
    return { applied };
  });
}

/** The versions applied, or null when the catalog has no migrations table yet (42P01: no such table). */
async function appliedVersions(session: CatalogSession, layout: CatalogLayout): Promise<Set<number> | null> {
  try {
    const rows = await session.query<{ version: number }>(`SELECT version FROM ${layout.migrations}`);
    return new Set(rows.map((r) => r.version));
  } catch (error) {
    if (sqlStateOf(error) === '42P01') return null;
    throw error;
  }
}

function checkNotNewer(applied: ReadonlySet<number>, layout: CatalogLayout): void {
  const newer = [...applied].filter((v) => v > LATEST_CATALOG_VERSION);
  if (newer.length > 0) {
    throw new StrataError(
      'database',
      `the catalog in schema ${layout.schema} was migrated to version ${Math.max(...newer)} by a newer strata; this one knows versions up to ${LATEST_CATALOG_VERSION}: upgrade strata`,
      { schema: layout.schema },
    );
  }
}
