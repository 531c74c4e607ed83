// SQL over the lake: one query, confined by DuckDB's own settings to reading the lake, its rows streamed.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Engine, type EngineConnection, type RowChunk } from '../engine/duckdb.js';
import { StrataError, configError, messageOf, usageError } from '../errors.js';
import { createLakeViews, lakeViewNames, type LakeLocation } from './lake-views.js';
import { ONE_QUERY, checkStatement, firstLine } from './statement-check.js';

export type { LakeLocation } from './lake-views.js';

/** One statement, checked and running: its columns, the views made for it, and its rows as they come. */
export interface LakeQuery {
  /** The column names in order; a repeated name gets `:1`, `:2`... so that each names one column. */
  readonly columns: readonly string[];
  /** The views made for this statement (`runs` and the procedures it names). */
  readonly views: readonly string[];
  /** Why a view the statement names was not made (a stored name that cannot be a view, a missing file). */
  readonly notes: readonly string[];
  /** The rows, up to 2,048 at a time, column by column; stopping early stops reading. Read them once. */
  chunks(): AsyncGenerator<RowChunk>;
}

export interface QueryResult {
  readonly columns: readonly string[];
  /** Rows as plain JS values (BIGINT as number, timestamps as Date). */
  readonly rows: readonly Record<string, unknown>[];
  /** The views made for the query: `runs` and the procedures it names. */
  readonly views: readonly string[];
  readonly notes: readonly string[];
}

/**
 * Runs one SQL statement over the lake and hands it to `use` while it streams; the database closes after.
 *
 * What DuckDB may touch is set by its own settings before the statement is read: the stage root and the manifest
 * file are the only paths it can open, no extension loads, nothing spills to disk, and the configuration is
 * locked. The statement must be one query by DuckDB's parser and call only reading table functions, so nothing
 * writes, not even inside the lake. A refusal, a parse error or a failed query is a usage error with DuckDB's sentence.
 */
export async function withLakeQuery<T>(lake: LakeLocation, sql: string, use: (query: LakeQuery) => Promise<T>): Promise<T> {
  // DuckDB compares the paths it may open as text: a relative one would name another folder from another cwd.
  if (!path.isAbsolute(lake.stageRoot) || !path.isAbsolute(lake.manifestPath)) {
    throw usageError(`the lake's paths must be absolute: ${lake.stageRoot}, ${lake.manifestPath}`);
  }
  if (!existsSync(lake.manifestPath)) {
    throw configError(`there is no lake here: no manifest at ${lake.manifestPath} (run strata stage first, or pass --stage-root / --manifest)`, {
      manifest: lake.manifestPath,
    });
  }
  const engine = await Engine.open(':memory:', {
    confinedTo: { directories: [withSeparator(lake.stageRoot)], files: [lake.manifestPath] },
  });
  try {
    const conn = await engine.connect();
    const check = await refusing(() => checkStatement(conn, sql));
    if (check.kind === 'refused') throw new StrataError('usage', check.reason);
    const { made, notes } = await createLakeViews(conn, lake, check.listsCatalog ? { kind: 'all' } : { kind: 'named', tables: check.tables });
    const prepared = await failing(conn, lake, notes, async () => (await conn.extractStatements(sql)).prepare(0));
    try {
      if (prepared.kind !== 'SELECT') throw new StrataError('usage', `${ONE_QUERY}; DuckDB parses this as ${prepared.kind}`);
      const stream = await failing(conn, lake, notes, () => prepared.stream());
      const columns = uniqueNames(stream.columns);
      return await use({
        columns,
        views: made,
        notes,
        chunks: () => readingChunks(stream.chunks()),
      });
    } finally {
      prepared.close();
    }
  } finally {
    engine.close();
  }
}

/** Runs one SQL statement over the lake and returns all its rows (see withLakeQuery). */
export async function queryLake(lake: LakeLocation, sql: string): Promise<QueryResult> {
  return withLakeQuery(lake, sql, async (query) => {
    const rows: Record<string, unknown>[] = [];
    for await (const chunk of query.chunks()) {
      for (let r = 0; r < chunk.rows; r++) {
        const row: Record<string, unknown> = {};
        query.columns.forEach((name, c) => (row[name] = chunk.columns[c]![r]));
        rows.push(row);
      }
    }
    return { columns: query.columns, rows, views: query.views, notes: query.notes };
  });
}

const withSeparator = (dir: string) => (dir.endsWith(path.sep) ? dir : `${dir}${path.sep}`);

/** Names as DuckDB's own row reader gives them: the second `a` is `a:1`. */
function uniqueNames(names: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((name) => {
    const count = seen.get(name) ?? 0;
    seen.set(name, count + 1);
    return count === 0 ? name : `${name}:${count}`;
  });
}

/** A DuckDB error while checking the statement (a parse error) becomes a usage error with its first line. */
async function refusing<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StrataError) throw error;
    throw new StrataError('usage', `the query failed: ${sentenceOf(error)}`);
  }
}

/** A failed query names the views it could use and why any view it named is missing. */
async function failing<T>(conn: EngineConnection, lake: LakeLocation, notes: readonly string[], work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof StrataError) throw error;
    const sentence = sentenceOf(error);
    const views = /^Catalog Error/.test(sentence) ? ` (views: ${(await lakeViewNames(conn, lake).catch(() => ['runs'])).join(', ')})` : '';
    const why = notes.length > 0 ? `; ${notes.join('; ')}` : '';
    throw new StrataError('usage', `the query failed: ${sentence}${views}${why}`);
  }
}

/** An error while the rows stream (a file that cannot be read) is a usage error too. */
async function* readingChunks(chunks: AsyncGenerator<RowChunk>): AsyncGenerator<RowChunk> {
  try {
    yield* chunks;
  } catch (error) {
    throw new StrataError('usage', `the query failed while reading its rows: ${sentenceOf(error)}`);
  }
}

/** DuckDB's first line; a refusal by its file access settings says that the lake is all query reads. */
function sentenceOf(error: unknown): string {
  const line = firstLine(messageOf(error));
  return /^Permission Error/.test(line) ? `${line} (strata query reads the lake and nothing else)` : line;
}
