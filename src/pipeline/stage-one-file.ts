// Stages one raw file in two steps, read and plan (JS), then write its data file (DuckDB); the outcome is a value
// (staged, unchanged or rejected).
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { EngineConnection } from '../engine/duckdb.js';
import type { RawFile } from '../discover/discover-raw-files.js';
import type { ProcedureCatalog } from '../schema/procedures-schema.js';
import type { ManifestRow } from '../lake/manifest-row.js';
import { MANIFEST_SCHEMA_VERSION } from '../lake/manifest-columns.js';
import type { StagedSource } from '../lake/manifest-index.js';
import { describeRun } from '../lake/run-summary.js';
import { absoluteDataPath } from '../lake/partition-path.js';
import { RunRefused, writeRunParquet, type ConstantColumn, type PublishDecision, type RunTable } from '../lake/write-run-parquet.js';
import { describeIssues, validateManifestRows } from '../lake/manifest-row.js';
import { messageOf } from '../errors.js';
import { planRun, type PlanOptions, type RunPlan } from './plan-run.js';
import { readRawFile } from './read-raw-file.js';
import { lastDataRow } from '../parse/data-rows.js';
import { writeReadableCopy } from '../lake/table-source.js';

export type FileOutcome =
  | { readonly status: 'staged'; readonly file: RawFile; readonly row: ManifestRow; readonly warnings: readonly string[] }
  | { readonly status: 'unchanged'; readonly file: RawFile }
  | { readonly status: 'rejected'; readonly file: RawFile; readonly errorType: string; readonly error: string };

export interface StageFileContext extends PlanOptions {
  readonly conn: EngineConnection;
  readonly catalog: ProcedureCatalog;
  readonly stageRoot: string;
  readonly extractionVersion: string;
  readonly ingestedAt: Date;
  readonly force: boolean;
  /** Takes a run id for a source file; false when another file already owns it. */
  readonly claimRunId: (runId: string, sourceFile: string) => boolean;
}

/** A file read and planned, waiting for DuckDB: what it keeps in memory (not the file's bytes). */
export interface PreparedRun {
  readonly file: RawFile;
  readonly plan: RunPlan;
  readonly sha1: string;
  readonly durationS: number | null;
  /** A copy for the CSV reader when the header holds double quotes (lake/table-source.ts); removed once written. */
  readonly readerCopy: string | null;
}

export async function stageOneFile(file: RawFile, previous: StagedSource | undefined, ctx: StageFileContext): Promise<FileOutcome> {
  const prepared = await prepareRun(file, previous, ctx);
  return 'status' in prepared ? prepared : writePreparedRun(prepared, ctx);
}

/**
 * The JS half of staging a file: read, hash, plan, claim the run id. Ends in an outcome when nothing is left
 * to write (unchanged bytes, a reject), else in the run DuckDB is to write.
 */
export async function prepareRun(file: RawFile, previous: StagedSource | undefined, ctx: StageFileContext): Promise<FileOutcome | PreparedRun> {
  let content;
  try {
    content = await readRawFile(file.absPath, file.size);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return reject(file, 'unreadable', `${file.relPath} cannot be read (${code ?? messageOf(error)}): check its permissions.`);
  }
  // Same bytes as last time (only the mtime moved): nothing to redo.
  if (previous && !ctx.force && previous.sha1 === content.sha1 && existsSync(absoluteDataPath(ctx.stageRoot, previous.path))) {
    return { status: 'unchanged', file };
  }
  const planned = planRun(content.bytes, file, ctx.catalog, ctx);
  if (!planned.ok) return reject(file, planned.errorType, `${file.relPath}: ${planned.error}.`);
  const { plan } = planned;
  if (!ctx.claimRunId(plan.runId, file.relPath)) {
    return reject(file, 'duplicate-run', `${file.relPath}: another file already has its run id ${plan.runId} (same path but for letter case, same start time).`);
  }
  const readerCopy = await writeReadableCopy(content.bytes, plan.skipLines, ctx.stageRoot, plan.runId);
  return { file, plan, sha1: content.sha1, durationS: lastTimeValue(plan, content.tail), readerCopy };
}

/** The DuckDB half: writes the run's data file and publishes it only if its manifest row is valid. */
export async function writePreparedRun({ file, plan, sha1, durationS, readerCopy }: PreparedRun, ctx: StageFileContext): Promise<FileOutcome> {
  // The row is checked before the file is renamed into place: a refused run never replaces a good one.
  const decide = (rows: number): PublishDecision<ManifestRow> => {
    if (rows === 0) return { publish: false, problem: 'the data table is empty (no rows after the column line)' };
    const { valid, invalid } = validateManifestRows([manifestRow(plan, sha1, rows, durationS, ctx)], ctx.catalog.parameterColumns);
    if (valid[0]) return { publish: true, value: valid[0] };
    return { publish: false, problem: `its manifest row breaks the rules: ${describeIssues(invalid[0]?.issues ?? [])}` };
  };
  try {
    const table = { ...runTable(file, plan, ctx.onlyYamlData), sourcePath: readerCopy ?? file.absPath };
    const row = await writeRunParquet(ctx.conn, table, absoluteDataPath(ctx.stageRoot, plan.dataPath), decide);
    return { status: 'staged', file, row, warnings: plan.warnings };
  } catch (error) {
    const errorType = error instanceof RunRefused ? 'invalid-run' : 'bad-data';
    return reject(file, errorType, `${file.relPath}${error instanceof RunRefused ? ':' : ','} ${messageOf(error)}.`);
  } finally {
    if (readerCopy !== null) await rm(readerCopy, { force: true });
  }
}

function runTable(file: RawFile, plan: RunPlan, onlyYamlData: boolean): RunTable {
  return {
    sourcePath: file.absPath,
    skipLines: plan.skipLines,
    columns: plan.columns,
    keepUnknownColumns: !onlyYamlData,
    constants: constantColumns(plan, onlyYamlData),
  };
}

/** duration_s: the last value of the procedure's time column (the data table's last line). */
function lastTimeValue(plan: RunPlan, tail: Buffer): number | null {
  const index = plan.columns.findIndex((c) => c.name === plan.procedure?.timeColumn);
  if (index < 0) return null;
  const value = Number(lastDataRow(tail)?.[index]);
  return Number.isFinite(value) && value >= 0 ? value : null;
}

function reject(file: RawFile, errorType: string, error: string): FileOutcome {
  return { status: 'rejected', file, errorType, error };
}

/** The columns every data row carries besides the measurements. A measured column of the same name wins. */
function constantColumns(plan: RunPlan, onlyYamlData: boolean): ConstantColumn[] {
  const measured = new Set(plan.columns.filter((c) => !onlyYamlData || c.tier !== 'unknown').map((c) => c.name));
  const constants: ConstantColumn[] = [
    { name: 'run_id', type: 'str', value: plan.runId },
    { name: 'proc', type: 'str', value: plan.proc },
    { name: 'start_time_utc', type: 'datetime', value: plan.startTimeUtc },
    { name: 'source_file', type: 'str', value: plan.file.relPath },
    { name: 'has_light', type: 'bool', value: plan.hasLight },
    { name: 'chip_group', type: 'str', value: plan.chip.chipGroup },
    { name: 'chip_number', type: 'int', value: plan.chip.chipNumber },
    { name: 'chip_name', type: 'str', value: plan.chip.chipName },
    { name: 'file_idx', type: 'int', value: plan.fileIdx },
    ...[...plan.parameters].map(([name, { type, value }]) => ({ name, type, value })),
  ];
  return constants.filter((c) => !measured.has(c.name));
}

function manifestRow(plan: RunPlan, sha1: string, rows: number, durationS: number | null, ctx: StageFileContext): ManifestRow {
  const parameters = Object.fromEntries([...plan.parameters].map(([name, { value }]) => [name, value]));
  const row = {
    ...parameters,
    run_id: plan.runId,
    source_file: plan.file.relPath,
    proc: plan.proc,
    start_time_utc: plan.startTimeUtc,
    date_local: plan.dateLocal,
    date_origin: plan.dateOrigin,
    file_idx: plan.fileIdx,
    chip_group: plan.chip.chipGroup,
    chip_number: plan.chip.chipNumber,
    chip_name: plan.chip.chipName,
    has_light: plan.hasLight,
    rows,
    duration_s: durationS,
    summary: '',
    path: plan.dataPath,
    status: 'ok',
    schema_version: MANIFEST_SCHEMA_VERSION,
    extraction_version: ctx.extractionVersion,
    ingested_at_utc: ctx.ingestedAt,
    source_size: plan.file.size,
    source_mtime_ms: plan.file.mtimeMs,
    source_sha1: sha1,
    warnings: JSON.stringify(plan.warnings),
  };
  return { ...row, summary: describeRun(row, (plan.procedure ?? ctx.catalog.common).summary) } as ManifestRow;
}
