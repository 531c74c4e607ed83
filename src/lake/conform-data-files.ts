// Brings every data file to its procedure's current schema: a file written before a new column appeared, or
// written the old way (with proc, date and run_id inside), is rewritten in place, atomically, once.
import path from 'node:path';
import { existsSync } from 'node:fs';
import { sqlIdentifier, sqlLiteral, sqlPathLiteral, type EngineConnection } from '../engine/duckdb.js';
import type { Lake } from './lake.js';
import { GrowingManifest } from './manifest-file.js';
import type { ProcedureCatalog } from '../schema/procedures-schema.js';
import type { Progress } from '../progress/progress.js';
import { isInside } from '../fs/inside-root.js';
import { SQL_TYPE_OF, manifestColumns, parameterTypeOfSql } from './manifest-columns.js';
import { describeParquetColumns, manifestSource } from './manifest-store.js';
import { writeViaTemp } from '../fs/atomic-file.js';
import {
  initialSchema,
  withFoundColumns,
  writePendingSchemas,
  type LakeColumn,
  type LakeSchemas,
  type ProcedureSchema,
  type SchemaChange,
} from './procedure-schemas.js';

/** Columns that live in the Hive path only (CONTRACT: Data files); a file written the old way drops them. */
const PATH_COLUMNS = new Set(['proc', 'date', 'run_id']);

/**
 * Runs read, rewritten and recorded in the manifest at a time: what a rewrite holds in memory stays the same
 * whatever the lake's size, and a rewrite that is stopped resumes after the last page recorded.
 */
const PAGE_RUNS = 2000;

/** The temp table of the runs a pass brings to their schema, numbered from 1 in the order they are rewritten. */
const STALE_TABLE = 'conform_stale_runs';

interface StaleRun {
  readonly proc: string;
  readonly path: string;
  readonly source_file: string;
  /** The schema id the manifest gives its file; null for a file written the old way. */
  readonly data_schema: string | null;
}

/** What conforming did: the schema id each rewritten run's data file has now, by source file; the schemas after. */
export interface Conformed {
  readonly dataSchemas: ReadonlyMap<string, string>;
  readonly rewritten: number;
  readonly lake: LakeSchemas;
}

/** What a rewrite needs of the staging options (a StagingConfig is one). */
interface ConformConfig {
  readonly manifestPath: string;
  readonly stageRoot: string;
  /** Columns the procedures YAML does not declare are dropped, not added to the schema. */
  readonly onlyYamlData: boolean;
}

/** What every pass of a rewrite works with. */
interface ConformJob {
  readonly conn: EngineConnection;
  readonly store: Lake;
  readonly config: ConformConfig;
  readonly catalog: ProcedureCatalog;
  readonly progress: Progress;
}

/**
 * Rewrites every data file whose schema is not its procedure's in `lake`, and returns the schemas the lake has
 * then: a file holding a column with values that its procedure's schema lacks (a lake written the old way, or
 * whose schemas were lost) grows the schema first (kept as pending, not yet recorded: the caller records it once
 * this returns). A column that is all null in a file grows nothing: only a run's own values do.
 */
export async function conformDataFiles(
  conn: EngineConnection,
  store: Lake,
  config: ConformConfig,
  catalog: ProcedureCatalog,
  lake: LakeSchemas,
  progress: Progress,
): Promise<Conformed> {
  const dataSchemas = new Map<string, string>();
  if (!existsSync(config.manifestPath)) return { dataSchemas, rewritten: 0, lake };
  // DuckDB keeps the local files it reads in memory (its external file cache): over every file of a lake, that
  // would grow with the lake.
  await conn.run('SET enable_external_file_cache = false');
  const job: ConformJob = { conn, store, config, catalog, progress };
  let target = lake;
  let rewritten = 0;
  for (;;) {
    const pass = await conformPass(job, target);
    rewritten += pass.rewritten;
    for (const [source, id] of pass.dataSchemas) dataSchemas.set(source, id);
    if (pass.lake === target) return { dataSchemas, rewritten, lake: target };
    // The schema grew during the pass: the files rewritten before it grew follow it in the next pass.
    target = pass.lake;
  }
}

async function conformPass({ conn, store, config, catalog, progress }: ConformJob, lake: LakeSchemas): Promise<Conformed> {
  const done = new Map<string, string>();
  const count = await listStaleRuns(conn, config.manifestPath, lake);
  if (count === 0) return { dataSchemas: done, rewritten: 0, lake };
  const procedures = new Map(lake.procedures);
  const changes: SchemaChange[] = [...lake.changes];
  let grew = false;
  let rewritten = 0;
  progress.start('bringing data files to their procedure schema', count);
  try {
    for (let from = 0; from < count; from += PAGE_RUNS) {
      const page = await conn.all<StaleRun & Record<string, unknown>>(
        `SELECT proc, path, source_file, data_schema FROM ${STALE_TABLE} WHERE n > ${from} AND n <= ${from + PAGE_RUNS} ORDER BY n`,
      );
      const files = page.map((run) => ({ run, file: dataFileOf(store, run.path) }));
      const columns = await columnNames(conn, files.flatMap((f) => (f.file !== null && existsSync(f.file) ? [f.file] : [])));
      let grown = false;
      for (const { run, file } of files) {
        const before = procedures.get(run.proc) ?? initialSchema(run.proc, catalog.procedures.get(run.proc));
        const present = file === null ? undefined : columns.get(file);
        const found = present === undefined || config.onlyYamlData ? [] : await foundColumns(conn, file!, present, before, run.data_schema === null);
        const after = withFoundColumns(before, found);
        if (procedures.has(run.proc) && after.id === before.id) continue;
        const known = new Set(procedures.get(run.proc)?.columns.map((c) => c.name));
        procedures.set(run.proc, after);
        changes.push({ proc: run.proc, at: new Date().toISOString(), added: after.columns.filter((c) => !known.has(c.name)), source_file: run.source_file });
        grown = true;
      }
      // Kept before any file has the grown schema, so a rewrite that is stopped is taken up with it.
      if (grown) writePendingSchemas(store.layout.schemas, { procedures, changes });
      grew ||= grown;
      const dataSchemas = new Map<string, string>();
      for (const { run, file } of files) {
        const schema = procedures.get(run.proc)!;
        const present = file === null ? undefined : columns.get(file);
        if (present !== undefined) {
          await rewriteFile(conn, file!, present, schema);
          rewritten++;
        }
        // A file that is gone has nothing to rewrite; one outside the lake or unreadable stays as it is (validate-manifest says so).
        if (present !== undefined || (file !== null && !existsSync(file))) dataSchemas.set(run.source_file, schema.id);
        progress.advance();
      }
      const none = new GrowingManifest(manifestColumns(catalog.parameterColumns));
      await store.manifest.commit({ runs: none, count: 0, dropped: new Set(), mtimes: new Map(), dataSchemas }, catalog.parameterColumns);
      for (const [source, id] of dataSchemas) done.set(source, id);
    }
  } finally {
    progress.stop();
    await conn.run(`DROP TABLE IF EXISTS ${STALE_TABLE}`);
  }
  return { dataSchemas: done, rewritten, lake: grew ? { procedures, changes } : lake };
}

/** Lists the runs whose file does not have its procedure's schema in `lake` into STALE_TABLE; returns how many. */
async function listStaleRuns(conn: EngineConnection, manifestPath: string, lake: LakeSchemas): Promise<number> {
  const ids = [...lake.procedures.values()].map((s) => `(${sqlLiteral(s.proc)}, ${sqlLiteral(s.id)})`);
  const current = ids.length === 0 ? 'NULL' : `(SELECT id FROM (VALUES ${ids.join(', ')}) v(proc, id) WHERE v.proc = m.proc)`;
  // A manifest written before data_schema existed: every one of its files is written the old way.
  const hasIds = (await describeParquetColumns(conn, manifestPath)).some((c) => c.name === 'data_schema');
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE ${STALE_TABLE} AS
     SELECT row_number() OVER (ORDER BY start_time_utc, path) AS n, proc, path, source_file, ${hasIds ? 'data_schema' : 'NULL::VARCHAR AS data_schema'}
       FROM ${manifestSource(manifestPath)} m ${hasIds ? `WHERE data_schema IS DISTINCT FROM ${current}` : ''}`,
  );
  const [row] = await conn.all<{ n: number }>(`SELECT count(*) AS n FROM ${STALE_TABLE}`);
  return row?.n ?? 0;
}

/** The run's data file, when its manifest path lies inside the lake (a path read back is never trusted to). */
function dataFileOf(store: Lake, relPath: string): string | null {
  const file = store.layout.dataFile(relPath);
  return isInside(file, store.layout.stageRoot) && file !== path.resolve(store.layout.stageRoot) ? file : null;
}

/** Each readable file's column names, from the Parquet footers (one query a page; file by file if one is damaged). */
async function columnNames(conn: EngineConnection, files: readonly string[]): Promise<Map<string, Set<string>>> {
  const names = new Map<string, Set<string>>();
  const read = async (list: readonly string[]) => {
    const rows = await conn.all<{ file_name: string; name: string }>(
      `SELECT file_name, name FROM parquet_schema([${list.map(sqlLiteral).join(', ')}]) WHERE num_children IS NULL`,
    );
    for (const r of rows) (names.get(r.file_name) ?? names.set(r.file_name, new Set()).get(r.file_name)!).add(r.name);
  };
  if (files.length === 0) return names;
  try {
    await read(files);
  } catch {
    names.clear();
    for (const file of files) await read([file]).catch(() => {});
  }
  return names;
}

/**
 * The columns of a file that `schema` lacks, typed as the file has them: all of them for a file written the old
 * way, else those with a value in some row (a column all null there came from the schema the file was written
 * with, not from the run).
 */
async function foundColumns(
  conn: EngineConnection,
  file: string,
  present: ReadonlySet<string>,
  schema: ProcedureSchema,
  oldWay: boolean,
): Promise<LakeColumn[]> {
  const known = new Set(schema.columns.map((c) => c.name));
  if ([...present].every((name) => known.has(name) || PATH_COLUMNS.has(name))) return [];
  const source = `read_parquet(${sqlPathLiteral(file)}, hive_partitioning = false)`;
  const described = await conn.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${source}`);
  const extra = described.filter((c) => !known.has(c.column_name) && !PATH_COLUMNS.has(c.column_name));
  let kept = extra;
  if (!oldWay) {
    const [counts] = await conn.all(`SELECT ${extra.map((c, i) => `count(${sqlIdentifier(c.column_name)}) AS c${i}`).join(', ')} FROM ${source}`);
    kept = extra.filter((_, i) => Number(counts?.[`c${i}`] ?? 0) > 0);
  }
  return kept.map((c) => ({ name: c.column_name, type: parameterTypeOfSql(c.column_type) ?? 'str', origin: 'found' }));
}

/** Rewrites one file with the schema's columns in order: missing ones all null, a value of the wrong type null. */
async function rewriteFile(conn: EngineConnection, file: string, present: ReadonlySet<string>, schema: ProcedureSchema): Promise<void> {
  const select = schema.columns.map((c) => {
    const sqlType = SQL_TYPE_OF[c.type];
    const name = sqlIdentifier(c.name);
    return present.has(c.name) ? `TRY_CAST(${name} AS ${sqlType}) AS ${name}` : `CAST(NULL AS ${sqlType}) AS ${name}`;
  });
  await writeViaTemp(file, (temp) =>
    conn.run(
      `COPY (SELECT ${select.join(', ')} FROM read_parquet(${sqlPathLiteral(file)}, hive_partitioning = false)) TO ${sqlLiteral(temp)} ` +
        `(FORMAT parquet, COMPRESSION snappy${fieldIds(schema)})`,
    ),
  );
}

/** DuckDB's FIELD_IDS option: the procedure's field id of each column, as strata's own writer gives them. */
function fieldIds(schema: ProcedureSchema): string {
  const ids = schema.columns.flatMap((c) => (c.fieldId === undefined ? [] : [`${sqlIdentifier(c.name)}: ${c.fieldId}`]));
  return ids.length === 0 ? '' : `, FIELD_IDS {${ids.join(', ')}}`;
}
