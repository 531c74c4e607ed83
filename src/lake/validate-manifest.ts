// Checking a staged lake against its manifest: findings are values, collected in one pass and reported by the CLI.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { sqlLiteral, type EngineConnection } from '../engine/duckdb.js';
import { CORE_COLUMNS, parameterTypeOfSql, type ManifestColumn, type ParameterColumn } from './manifest-columns.js';
import { validateManifestRows, withRanges, type RowIssue } from './manifest-row.js';
import type { ChipParams } from '../parse/run-identity.js';
import { describeParquetColumns, existingParameterColumns, manifestSource, readManifest } from './manifest-store.js';
import { isRunDataPath, RUN_DATA_PATH_WORDS } from './partition-path.js';
import type { LakeStorage } from '../storage/lake-storage.js';
import { parquetMetadata } from 'hyparquet';
import { checkSafeName } from '../fs/safe-name.js';
import { isInside } from '../fs/inside-root.js';

export type ManifestFinding =
  | { readonly kind: 'missing_column'; readonly column: string; readonly expected: string }
  | { readonly kind: 'column_type'; readonly column: string; readonly expected: string; readonly actual: string }
  | { readonly kind: 'duplicate_run_id'; readonly runId: string; readonly count: number }
  | { readonly kind: 'schema_violation'; readonly runId: string | null; readonly column: string; readonly message: string }
  | { readonly kind: 'null_required'; readonly column: string; readonly count: number }
  | { readonly kind: 'missing_parquet'; readonly runId: string; readonly path: string }
  | { readonly kind: 'unreadable_parquet'; readonly runId: string; readonly path: string; readonly message: string }
  | { readonly kind: 'row_count_mismatch'; readonly runId: string; readonly path: string; readonly manifestRows: number; readonly parquetRows: number }
  | { readonly kind: 'run_not_in_manifest'; readonly runId: string; readonly folder: string }
  | { readonly kind: 'source_gone'; readonly runId: string; readonly sourceFile: string }
  | { readonly kind: 'unexpected_procedure'; readonly runId: string; readonly chip: number; readonly proc: string; readonly expected: readonly string[] }
  /** A name that becomes part of a path and breaks the one rule for them, or a data path strata does not write (a lake staged before names were checked). */
  | { readonly kind: 'unsafe_name'; readonly runId: string | null; readonly column: 'proc' | 'chip_group' | 'path'; readonly value: string; readonly message: string };

export interface ManifestValidation {
  readonly manifest: string;
  readonly stageRoot: string;
  readonly runs: number;
  readonly findings: readonly ManifestFinding[];
}

const DUCKDB_TYPE: Readonly<Record<string, string>> = { TIMESTAMPTZ: 'TIMESTAMP WITH TIME ZONE' };
const expectedType = (c: ManifestColumn) => DUCKDB_TYPE[c.sqlType] ?? c.sqlType;

/** The stage root beside the manifest's folder: the one sibling folder holding `proc=*` folders, or null. */
export function findStageRoot(manifestPath: string): string | null {
  const parent = path.dirname(path.dirname(manifestPath));
  const candidates = readdirSync(parent, { withFileTypes: true })
    .filter((e) => e.isDirectory() && readdirSync(path.join(parent, e.name)).some((n) => n.startsWith('proc=')))
    .map((e) => path.join(parent, e.name));
  return candidates.length === 1 ? candidates[0]! : null;
}

export async function validateManifest(
  conn: EngineConnection,
  options: {
    readonly manifestPath: string;
    readonly stageRoot: string;
    readonly chipParams?: ChipParams | undefined;
    /** The procedures YAML's parameter columns: their ranges (`min:`, `max:`, `above:`) are checked. */
    readonly parameterRules?: readonly ParameterColumn[] | undefined;
    /** The raw root: runs whose raw file is no longer under it are reported. */
    readonly rawRoot?: string | undefined;
    /**
     * The stage root's storage when it is not a folder (`s3://...`): the data files are listed and their footers
     * read through it, since this DuckDB reads no object storage.
     */
    readonly storage?: LakeStorage | undefined;
  },
): Promise<ManifestValidation> {
  const { manifestPath, stageRoot } = options;
  const source = manifestSource(manifestPath);
  const [structure, missing] = await checkColumns(conn, manifestPath);
  const rows = await readManifest(conn, manifestPath);
  const findings: ManifestFinding[] = [...structure];
  findings.push(...(await duplicateRunIds(conn, source)));
  findings.push(...(await nullsInRequired(conn, source, missing)));
  const parameters = withRanges(await existingParameterColumns(conn, manifestPath), options.parameterRules ?? []);
  findings.push(...rowViolations(rows, parameters, missing));
  findings.push(...unsafeNames(rows));
  if (options.storage === undefined) {
    findings.push(...(await parquetFiles(conn, rows, stageRoot)));
    findings.push(...runsOnDiskMissing(rows, stageRoot));
  } else {
    findings.push(...(await storedParquetFiles(rows, options.storage)));
  }
  if (options.chipParams) findings.push(...unexpectedProcedures(rows, options.chipParams));
  if (options.rawRoot !== undefined) {
    const rawRoot = options.rawRoot;
    for (const row of rows) {
      if (!existsSync(path.join(rawRoot, ...row.source_file.split('/')))) findings.push({ kind: 'source_gone', runId: row.run_id, sourceFile: row.source_file });
    }
  }
  return { manifest: manifestPath, stageRoot, runs: rows.length, findings };
}

async function checkColumns(conn: EngineConnection, file: string): Promise<[ManifestFinding[], Set<string>]> {
  const actual = new Map((await describeParquetColumns(conn, file)).map((c) => [c.name, c.type]));
  const findings: ManifestFinding[] = [];
  const missing = new Set<string>();
  for (const column of CORE_COLUMNS) {
    const type = actual.get(column.name);
    if (type === undefined) {
      missing.add(column.name);
      findings.push({ kind: 'missing_column', column: column.name, expected: expectedType(column) });
    } else if (type !== expectedType(column)) {
      findings.push({ kind: 'column_type', column: column.name, expected: expectedType(column), actual: type });
    }
  }
  for (const [name, type] of actual) {
    if (!CORE_COLUMNS.some((c) => c.name === name) && parameterTypeOfSql(type) === null) {
      findings.push({ kind: 'column_type', column: name, expected: 'BOOLEAN, BIGINT, DOUBLE, VARCHAR or TIMESTAMPTZ', actual: type });
    }
  }
  return [findings, missing];
}

async function duplicateRunIds(conn: EngineConnection, source: string): Promise<ManifestFinding[]> {
  const rows = await conn.all<{ run_id: string; n: number }>(
    `SELECT run_id, count(*) AS n FROM ${source} GROUP BY run_id HAVING count(*) > 1 ORDER BY run_id`,
  );
  return rows.map((r) => ({ kind: 'duplicate_run_id', runId: r.run_id, count: r.n }));
}

async function nullsInRequired(conn: EngineConnection, source: string, missing: Set<string>): Promise<ManifestFinding[]> {
  const required = CORE_COLUMNS.filter((c) => c.required && !missing.has(c.name));
  const counts = required.map((c, i) => `count(*) FILTER (WHERE "${c.name}" IS NULL) AS c${i}`).join(', ');
  const [row] = await conn.all<Record<string, number>>(`SELECT ${counts} FROM ${source}`);
  return required.flatMap((c, i) => {
    const count = row?.[`c${i}`] ?? 0;
    return count > 0 ? [{ kind: 'null_required' as const, column: c.name, count }] : [];
  });
}

/** Rule breaks per row, minus what other findings already say (nulls, missing columns, duplicates). */
function rowViolations(
  rows: readonly Readonly<Record<string, unknown>>[],
  parameters: readonly ParameterColumn[],
  missing: Set<string>,
): ManifestFinding[] {
  const { invalid } = validateManifestRows(rows, parameters);
  return invalid.flatMap(({ row, issues }) => {
    const record = row as Record<string, unknown>;
    const runId = typeof record['run_id'] === 'string' ? record['run_id'] : null;
    const reported = (issue: RowIssue) =>
      issue.code === 'duplicate' || missing.has(issue.path) || record[issue.path] === null;
    return issues
      .filter((issue) => !reported(issue))
      .map((issue) => ({ kind: 'schema_violation' as const, runId, column: issue.path, message: issue.message }));
  });
}

async function parquetFiles(
  conn: EngineConnection,
  rows: readonly Readonly<Record<string, unknown>>[],
  stageRoot: string,
): Promise<ManifestFinding[]> {
  const findings: ManifestFinding[] = [];
  const present: { runId: string; path: string; full: string; rows: number }[] = [];
  for (const row of rows) {
    if (typeof row['path'] !== 'string' || typeof row['run_id'] !== 'string') continue;
    const full = path.join(stageRoot, row['path']);
    // A path outside the lake is not looked at (unsafeNames reports it).
    if (!isInside(full, stageRoot)) continue;
    if (!existsSync(full)) findings.push({ kind: 'missing_parquet', runId: row['run_id'], path: row['path'] });
    else present.push({ runId: row['run_id'], path: row['path'], full, rows: Number(row['rows']) });
  }
  const counts = await parquetRowCounts(conn, [...new Set(present.map((p) => p.full))]);
  for (const file of present) {
    const count = counts.get(file.full);
    if (count === undefined) continue;
    if (typeof count === 'string') findings.push({ kind: 'unreadable_parquet', runId: file.runId, path: file.path, message: count });
    else if (count !== file.rows) {
      findings.push({ kind: 'row_count_mismatch', runId: file.runId, path: file.path, manifestRows: file.rows, parquetRows: count });
    }
  }
  return findings;
}

/** Names that become part of a path and break the rule for them, and data paths that strata does not write. */
function unsafeNames(rows: readonly Readonly<Record<string, unknown>>[]): ManifestFinding[] {
  const findings: ManifestFinding[] = [];
  for (const row of rows) {
    const runId = typeof row['run_id'] === 'string' ? row['run_id'] : null;
    for (const [column, what] of [['proc', 'the procedure'], ['chip_group', 'the chip group']] as const) {
      const value = row[column];
      if (typeof value !== 'string') continue;
      const check = checkSafeName(value, what);
      if (!check.ok) findings.push({ kind: 'unsafe_name', runId, column, value, message: check.reason });
    }
    const dataPath = row['path'];
    if (typeof dataPath === 'string' && !isRunDataPath(dataPath)) {
      const message = `the data file's path is not one strata writes (${RUN_DATA_PATH_WORDS}), so strata does not rewrite or remove it`;
      findings.push({ kind: 'unsafe_name', runId, column: 'path', value: dataPath, message });
    }
  }
  return findings;
}

/** Row counts from the Parquet footers, in one query; when a file is damaged, file by file to find which (its error as text). */
async function parquetRowCounts(conn: EngineConnection, files: readonly string[]): Promise<Map<string, number | string>> {
  const query = (list: readonly string[]) =>
    conn.all<{ file_name: string; n: number }>(
      `SELECT file_name, sum(num_rows) AS n FROM parquet_file_metadata([${list.map(sqlLiteral).join(', ')}]) GROUP BY file_name`,
    );
  const counts = new Map<string, number | string>();
  if (files.length === 0) return counts;
  try {
    for (const r of await query(files)) counts.set(r.file_name, r.n);
  } catch {
    for (const file of files) {
      try {
        for (const r of await query([file])) counts.set(file, r.n);
      } catch (error) {
        counts.set(file, error instanceof Error ? error.message.split('\n')[0]! : String(error));
      }
    }
  }
  return counts;
}

/**
 * The data files in object storage: one listing says which exist and which run folders the manifest lacks; each
 * listed file's footer gives its row count.
 */
async function storedParquetFiles(rows: readonly Readonly<Record<string, unknown>>[], storage: LakeStorage): Promise<ManifestFinding[]> {
  const stored = new Set<string>();
  for await (const object of storage.list('proc=')) if (object.path.endsWith('.parquet')) stored.add(object.path);
  const findings: ManifestFinding[] = [];
  const present: { runId: string; path: string; rows: number }[] = [];
  const listed = new Set<unknown>();
  for (const row of rows) {
    const runId = row['run_id'];
    const dataPath = row['path'];
    listed.add(runId);
    if (typeof dataPath !== 'string' || typeof runId !== 'string' || !isRunDataPath(dataPath)) continue;
    if (stored.has(dataPath)) present.push({ runId, path: dataPath, rows: Number(row['rows']) });
    else findings.push({ kind: 'missing_parquet', runId, path: dataPath });
  }
  const folders = new Set<string>();
  for (const object of stored) {
    const folder = object.slice(0, object.lastIndexOf('/'));
    const runId = /\/run_id=([0-9a-f]{16})$/.exec(folder)?.[1];
    if (runId !== undefined && !listed.has(runId) && !folders.has(folder)) {
      folders.add(folder);
      findings.push({ kind: 'run_not_in_manifest', runId, folder });
    }
  }
  const READERS = 16;
  let next = 0;
  const readFooters = async () => {
    while (next < present.length) {
      const file = present[next++]!;
      try {
        const bytes = await storage.get(file.path);
        if (bytes === null) {
          findings.push({ kind: 'missing_parquet', runId: file.runId, path: file.path });
          continue;
        }
        const count = Number(parquetMetadata(bytes).num_rows);
        if (count !== file.rows) findings.push({ kind: 'row_count_mismatch', runId: file.runId, path: file.path, manifestRows: file.rows, parquetRows: count });
      } catch (error) {
        findings.push({ kind: 'unreadable_parquet', runId: file.runId, path: file.path, message: (error as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: READERS }, readFooters));
  return findings;
}

/** `proc=*\/date=*\/run_id=*` folders under the stage root whose run id the manifest does not list. */
function runsOnDiskMissing(rows: readonly Readonly<Record<string, unknown>>[], stageRoot: string): ManifestFinding[] {
  const listed = new Set(rows.map((r) => r['run_id']));
  const findings: ManifestFinding[] = [];
  const subfolders = (dir: string, prefix: string) =>
    existsSync(dir)
      ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory() && e.name.startsWith(prefix)).map((e) => e.name).sort()
      : [];
  for (const proc of subfolders(stageRoot, 'proc=')) {
    for (const date of subfolders(path.join(stageRoot, proc), 'date=')) {
      for (const run of subfolders(path.join(stageRoot, proc, date), 'run_id=')) {
        const runId = run.slice('run_id='.length);
        if (!listed.has(runId)) findings.push({ kind: 'run_not_in_manifest', runId, folder: `${proc}/${date}/${run}` });
      }
    }
  }
  return findings;
}

/** Runs of a procedure their chip is not expected to be measured with (`expected_procs` in the chip parameters). */
function unexpectedProcedures(rows: readonly Readonly<Record<string, unknown>>[], params: ChipParams): ManifestFinding[] {
  return rows.flatMap((row) => {
    const chip = row['chip_number'];
    if (typeof chip !== 'number' || typeof row['proc'] !== 'string' || typeof row['run_id'] !== 'string') return [];
    const expected = params.chips.get(chip)?.expectedProcs;
    if (!expected || expected.includes(row['proc'])) return [];
    return [{ kind: 'unexpected_procedure' as const, runId: row['run_id'], chip, proc: row['proc'], expected }];
  });
}
