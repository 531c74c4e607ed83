// SQL over the lake: DuckDB views of the manifest (`runs`) and of each procedure's data files (`It`, `IVg`...),
// with the partition columns proc, date and run_id from the Hive path, ready to join.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Engine, sqlIdentifier, sqlLiteral, type EngineConnection } from '../engine/duckdb.js';
import { StrataError } from '../errors.js';

export interface LakeLocation {
  /** The stage root: `<S>/proc=<Proc>/date=.../run_id=.../part-000.parquet`. */
  readonly stageRoot: string;
  readonly manifestPath: string;
}

export interface QueryResult {
  readonly columns: readonly string[];
  /** Rows as plain JS values (BIGINT as number, timestamps as Date). */
  readonly rows: readonly Record<string, unknown>[];
  /** The views the query could use: `runs` and one per procedure. */
  readonly views: readonly string[];
}

/** The procedures present in the lake: its `proc=<name>` folders. */
export function lakeProcedures(stageRoot: string): string[] {
  if (!existsSync(stageRoot)) return [];
  return readdirSync(stageRoot, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name.startsWith('proc='))
    .map((e) => e.name.slice('proc='.length))
    .sort();
}

/** The FROM clause that reads one procedure's data files, with its partition columns typed. */
export function procedureSource(stageRoot: string, proc: string): string {
  const glob = path.join(stageRoot, `proc=${proc}`, '*', '*', '*.parquet');
  return `read_parquet(${sqlLiteral(glob)}, hive_partitioning = true, hive_types = {'proc': VARCHAR, 'date': DATE, 'run_id': VARCHAR})`;
}

/** Creates the `runs` view and one view per procedure on `conn`; returns their names. */
export async function createLakeViews(conn: EngineConnection, lake: LakeLocation): Promise<string[]> {
  const views: string[] = [];
  if (existsSync(lake.manifestPath)) {
    await conn.run(`CREATE OR REPLACE VIEW runs AS SELECT * FROM read_parquet(${sqlLiteral(lake.manifestPath)})`);
    views.push('runs');
  }
  for (const proc of lakeProcedures(lake.stageRoot)) {
    await conn.run(`CREATE OR REPLACE VIEW ${sqlIdentifier(proc)} AS SELECT * FROM ${procedureSource(lake.stageRoot, proc)}`);
    views.push(proc);
  }
  return views;
}

/** Runs one SQL statement over the lake's views (read-only: the views read the files, nothing writes them). */
export async function queryLake(lake: LakeLocation, sql: string): Promise<QueryResult> {
  const engine = await Engine.open();
  try {
    const conn = await engine.connect();
    const views = await createLakeViews(conn, lake);
    if (views.length === 0) {
      throw new StrataError('config', `there is no lake at ${lake.stageRoot} (no manifest at ${lake.manifestPath} and no proc=... folders): run strata stage first.`);
    }
    let rows: Record<string, unknown>[];
    let columns: string[];
    try {
      ({ rows, columns } = await conn.allWithColumns(sql));
    } catch (error) {
      const message = (error as Error).message.split('\n')[0];
      throw new StrataError('usage', `the query failed: ${message} (views: ${views.join(', ')})`);
    }
    return { columns, rows, views };
  } finally {
    engine.close();
  }
}
