// Each procedure's schema, versioned: the columns its data files hold, with types and Parquet field ids. A new
// column is a new version; older files are never rewritten (a reader maps columns by field id, and finds the
// new column null in them). Two stagers that meet the same new column at once make one version.
import { schemaOf, type LakeColumn, type LakeSchemas, type ProcedureSchema, type SchemaChange } from '../lake/procedure-schemas.js';
import { CATALOG_LOCK_NAMESPACE, type CatalogLayout } from './catalog-layout.js';
import type { CatalogSession, CatalogStatements } from './catalog-session.js';

/** A column of a schema version, with the Parquet field id every data file gives it (kept for ever). */
export interface CatalogColumn extends LakeColumn {
  readonly fieldId: number;
}

export interface SchemaVersion {
  readonly proc: string;
  /** 1, 2, 3...: each adds columns to the one before. */
  readonly version: number;
  /** schemaOf's id of the columns: what a run's `data_schema` names. */
  readonly id: string;
  readonly columns: readonly CatalogColumn[];
  readonly createdAt: Date;
  /** The source file whose staging made this version. */
  readonly sourceFile: string | null;
}

/**
 * The columns of the version after `latest` for a file that has `wanted`: `latest`'s, each with its field id,
 * and the new ones with the next ids (measured columns before the run columns, as withFoundColumns places them).
 * Null when `wanted` adds nothing. Without `latest`, `wanted` is the first version, ids from 1.
 */
export function nextSchemaColumns(latest: readonly CatalogColumn[] | undefined, wanted: readonly LakeColumn[]): CatalogColumn[] | null {
  const unique = wanted.filter((c, i) => wanted.findIndex((w) => w.name === c.name) === i);
  if (latest === undefined) return unique.map((c, i) => ({ ...c, fieldId: i + 1 }));
  const known = new Set(latest.map((c) => c.name));
  const added = unique.filter((c) => !known.has(c.name));
  if (added.length === 0) return null;
  let fieldId = Math.max(0, ...latest.map((c) => c.fieldId));
  const numbered = added.map((c) => ({ ...c, fieldId: ++fieldId }));
  const firstRun = latest.findIndex((c) => c.origin === 'run');
  const at = firstRun < 0 ? latest.length : firstRun;
  return [...latest.slice(0, at), ...numbered.filter((c) => c.origin !== 'run'), ...latest.slice(at), ...numbered.filter((c) => c.origin === 'run')];
}

interface VersionRow {
  proc: string;
  version: number;
  schema_id: string;
  columns: CatalogColumn[];
  created_at: Date;
  source_file: string | null;
}

const SELECT_VERSION = 'SELECT proc, version, schema_id, columns, created_at, source_file';

const versionOf = (r: VersionRow): SchemaVersion => ({
  proc: r.proc,
  version: r.version,
  id: r.schema_id,
  columns: r.columns,
  createdAt: r.created_at,
  sourceFile: r.source_file,
});

/**
 * The procedure's schema once a file with `wanted` columns is staged: its latest version when that has them all
 * (nothing written), else a new version made under the procedure's lock, so that stagers racing with the same
 * new column end with one version and stagers with different ones with one version each, the later holding both.
 */
export async function evolveProcedureSchema(
  session: CatalogSession,
  layout: CatalogLayout,
  proc: string,
  wanted: readonly LakeColumn[],
  sourceFile: string | null,
): Promise<SchemaVersion> {
  return session.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1::int, hashtext($2))', [CATALOG_LOCK_NAMESPACE, layout.lockKeys.procedure(proc)]);
    const [latest] = await tx.query<VersionRow>(`${SELECT_VERSION} FROM ${layout.procedureSchemas} WHERE proc = $1 ORDER BY version DESC LIMIT 1`, [proc]);
    const columns = nextSchemaColumns(latest?.columns, wanted);
    if (columns === null) return versionOf(latest!);
    const [made] = await tx.query<VersionRow>(
      `INSERT INTO ${layout.procedureSchemas} (proc, version, schema_id, columns, source_file) VALUES ($1, $2, $3, $4::jsonb, $5)
       RETURNING proc, version, schema_id, columns, created_at, source_file`,
      [proc, (latest?.version ?? 0) + 1, schemaOf(proc, columns).id, JSON.stringify(columns), sourceFile],
    );
    return versionOf(made!);
  });
}

/** The latest version of every procedure's schema. */
export async function latestProcedureSchemas(db: CatalogStatements, layout: CatalogLayout): Promise<Map<string, SchemaVersion>> {
  const rows = await db.query<VersionRow>(`${SELECT_VERSION} FROM ${layout.procedureSchemas} ORDER BY proc, version`);
  return new Map(rows.map((r) => [r.proc, versionOf(r)]));
}

/** Every version, of one procedure or of all, oldest first. */
export async function procedureSchemaHistory(db: CatalogStatements, layout: CatalogLayout, proc?: string): Promise<SchemaVersion[]> {
  const rows = await db.query<VersionRow>(
    `${SELECT_VERSION} FROM ${layout.procedureSchemas} WHERE $1::text IS NULL OR proc = $1 ORDER BY proc, version`,
    [proc ?? null],
  );
  return rows.map(versionOf);
}

/** The schema version a run's data file was written with (its `data_schema`); undefined for an unknown run. */
export async function schemaOfRun(db: CatalogStatements, layout: CatalogLayout, runId: string): Promise<SchemaVersion | undefined> {
  const [row] = await db.query<VersionRow>(
    `SELECT s.proc, s.version, s.schema_id, s.columns, s.created_at, s.source_file
       FROM ${layout.runs} r JOIN ${layout.procedureSchemas} s ON s.proc = r.proc AND s.schema_id = r.data_schema
      WHERE r.run_id = $1`,
    [runId],
  );
  return row === undefined ? undefined : versionOf(row);
}

/** The versions as a local lake's `_manifest/schemas.json` holds them: the latest of each, and what each added. */
export function asLakeSchemas(history: readonly SchemaVersion[]): LakeSchemas {
  const procedures = new Map<string, ProcedureSchema>();
  const changes: SchemaChange[] = [];
  for (const version of history) {
    const before = new Set(procedures.get(version.proc)?.columns.map((c) => c.name) ?? []);
    const lake = version.columns.map(({ name, type, origin }): LakeColumn => ({ name, type, origin }));
    changes.push({ proc: version.proc, at: version.createdAt.toISOString(), added: lake.filter((c) => !before.has(c.name)), source_file: version.sourceFile ?? '' });
    procedures.set(version.proc, schemaOf(version.proc, lake));
  }
  return { procedures, changes };
}
