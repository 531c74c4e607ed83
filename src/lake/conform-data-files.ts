// Brings every data file to its procedure's current schema: a file written before a new column appeared, or
// written the old way (with proc, date and run_id inside), is rewritten in place, atomically, once.
import { existsSync } from 'node:fs';
import { sqlIdentifier, sqlLiteral, type EngineConnection } from '../engine/duckdb.js';
import type { StagingConfig } from '../config/staging-config.js';
import type { Lake } from './lake.js';
import { GrowingManifest } from './manifest-file.js';
import type { ProcedureCatalog } from '../schema/procedures-schema.js';
import type { Progress } from '../progress/progress.js';
import { SQL_TYPE_OF, manifestColumns, parameterTypeOfSql } from './manifest-columns.js';
import { describeParquetColumns, manifestSource } from './manifest-store.js';
import { absoluteDataPath } from './partition-path.js';
import { writeViaTemp } from '../fs/atomic-file.js';
import { initialSchema, withFoundColumns, type LakeColumn, type LakeSchemas, type ProcedureSchema } from './procedure-schemas.js';

/** Columns that live in the Hive path only (CONTRACT: Data files); a file written the old way drops them. */
const PATH_COLUMNS = new Set(['proc', 'date', 'run_id']);

interface StaleRun {
  readonly proc: string;
  readonly path: string;
  readonly source_file: string;
}

/** What conforming did: the schema id each rewritten run's data file has now, by source file. */
export interface Conformed {
  readonly dataSchemas: ReadonlyMap<string, string>;
}

export async function conformDataFiles(
  conn: EngineConnection,
  store: Lake,
  config: Pick<StagingConfig, 'manifestPath' | 'stageRoot' | 'onlyYamlData'>,
  catalog: ProcedureCatalog,
  lake: LakeSchemas,
  progress: Progress,
): Promise<Conformed> {
  if (!existsSync(config.manifestPath)) return { dataSchemas: new Map() };
  const ids = [...lake.procedures.values()].map((s) => `(${sqlLiteral(s.proc)}, ${sqlLiteral(s.id)})`);
  const current = ids.length === 0 ? 'NULL' : `(SELECT id FROM (VALUES ${ids.join(', ')}) v(proc, id) WHERE v.proc = m.proc)`;
  // A manifest written before data_schema existed: every one of its files is written the old way.
  const hasIds = (await describeParquetColumns(conn, config.manifestPath)).some((c) => c.name === 'data_schema');
  const stale = await conn.all<StaleRun & Record<string, unknown>>(
    `SELECT proc, path, source_file FROM ${manifestSource(config.manifestPath)} m ${hasIds ? `WHERE data_schema IS DISTINCT FROM ${current}` : ''} ORDER BY start_time_utc, path`,
  );
  if (stale.length === 0) return { dataSchemas: new Map() };
  const described = new Map<string, readonly { name: string; type: string }[]>();
  for (const run of stale) described.set(run.path, await describeFile(conn, absoluteDataPath(config.stageRoot, run.path)));
  const procedures = new Map(lake.procedures);
  const grown = [];
  for (const run of stale) {
    const before = procedures.get(run.proc) ?? initialSchema(run.proc, catalog.procedures.get(run.proc));
    const found: LakeColumn[] = (described.get(run.path) ?? [])
      .filter((c) => !PATH_COLUMNS.has(c.name))
      .map((c) => ({ name: c.name, type: parameterTypeOfSql(c.type) ?? 'str', origin: 'found' }));
    const after = withFoundColumns(before, config.onlyYamlData ? [] : found);
    if (!procedures.has(run.proc) || after.id !== before.id) grown.push(run.proc);
    procedures.set(run.proc, after);
  }
  progress.start('bringing data files to their procedure schema', stale.length);
  const dataSchemas = new Map<string, string>();
  for (const run of stale) {
    const schema = procedures.get(run.proc)!;
    const columns = described.get(run.path) ?? [];
    if (columns.length > 0) await rewriteFile(conn, absoluteDataPath(config.stageRoot, run.path), columns, schema);
    dataSchemas.set(run.source_file, schema.id);
    progress.advance();
  }
  progress.stop();
  const none = new GrowingManifest(manifestColumns(catalog.parameterColumns));
  await store.manifest.commit({ runs: none, count: 0, dropped: new Set(), mtimes: new Map(), dataSchemas }, catalog.parameterColumns);
  if (grown.length === 0) return { dataSchemas };
  // The schema grew (a lake written the old way): files this run wrote with the smaller one follow it now.
  const at = new Date().toISOString();
  const changes = [...new Set(grown)].map((proc) => ({ proc, at, added: procedures.get(proc)!.columns.filter((c) => c.origin === 'found'), source_file: '(existing lake)' }));
  const grownLake = { procedures, changes: [...lake.changes, ...changes] };
  store.writeSchemas(grownLake);
  const again = await conformDataFiles(conn, store, config, catalog, grownLake, progress);
  return { dataSchemas: new Map([...dataSchemas, ...again.dataSchemas]) };
}

async function describeFile(conn: EngineConnection, file: string): Promise<{ name: string; type: string }[]> {
  if (!existsSync(file)) return [];
  const rows = await conn.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet(${sqlLiteral(file)}, hive_partitioning = false)`);
  return rows.map((r) => ({ name: r.column_name, type: r.column_type }));
}

/** Rewrites one file with the schema's columns in order: missing ones all null, a value of the wrong type null. */
async function rewriteFile(
  conn: EngineConnection,
  file: string,
  present: readonly { name: string; type: string }[],
  schema: ProcedureSchema,
): Promise<void> {
  const has = new Map(present.map((c) => [c.name, c.type]));
  const select = schema.columns.map((c) => {
    const sqlType = SQL_TYPE_OF[c.type];
    const name = sqlIdentifier(c.name);
    return has.has(c.name) ? `TRY_CAST(${name} AS ${sqlType}) AS ${name}` : `CAST(NULL AS ${sqlType}) AS ${name}`;
  });
  await writeViaTemp(file, (temp) =>
    conn.run(
      `COPY (SELECT ${select.join(', ')} FROM read_parquet(${sqlLiteral(file)}, hive_partitioning = false)) TO ${sqlLiteral(temp)} ` +
        `(FORMAT parquet, COMPRESSION snappy${fieldIds(schema)})`,
    ),
  );
}

/** DuckDB's FIELD_IDS option: the procedure's field id of each column, as strata's own writer gives them. */
function fieldIds(schema: ProcedureSchema): string {
  const ids = schema.columns.flatMap((c) => (c.fieldId === undefined ? [] : [`${sqlIdentifier(c.name)}: ${c.fieldId}`]));
  return ids.length === 0 ? '' : `, FIELD_IDS {${ids.join(', ')}}`;
}
