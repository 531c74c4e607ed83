// Stages one raw file, all in JS: read, hash, plan, parse the table into typed columns, build the manifest row
// and encode Parquet. Runs inside a stage worker; the outcome is a value, and the main thread writes and
// publishes the file once the row passes the model (publish-run.ts).
import { existsSync } from 'node:fs';
import type { RawFile } from '../discover/discover-raw-files.js';
import type { ProcedureCatalog } from '../schema/procedures-schema.js';
import type { ManifestRow } from '../lake/manifest-row.js';
import { MANIFEST_SCHEMA_VERSION } from '../lake/manifest-columns.js';
import type { StagedSource } from '../lake/manifest-index.js';
import { describeRun } from '../lake/run-summary.js';
import { absoluteDataPath } from '../lake/partition-path.js';
import { initialSchema, withFoundColumns, type LakeColumn, type ProcedureSchema } from '../lake/procedure-schemas.js';
import { runColumns } from './run-columns.js';
import { encodeParquet } from '../parquet/encode-parquet.js';
import type { ParquetColumn } from '../parquet/parquet-columns.js';
import { lineOffset, parseDataTable, type CellMisfit, type TableColumn } from '../parse/data-table.js';
import type { RejectKind } from '../lake/reject-records.js';
import { messageOf } from '../errors.js';
import { planRun, type PlanOptions, type RunPlan } from './plan-run.js';
import { readRawFile, TOO_LARGE } from './read-raw-file.js';

export type FileOutcome =
  | {
      readonly kind: 'ok';
      readonly file: RawFile;
      readonly row: ManifestRow;
      readonly warnings: readonly string[];
      /**
       * The file's columns the YAML does not declare, typed as in the schema its data file was written with: its
       * procedure's schema takes those it lacks, once the run is accepted (only an accepted run changes a schema).
       */
      readonly added: readonly LakeColumn[];
    }
  /** The same bytes as the staged run (only the mtime moved): nothing to redo. */
  | { readonly kind: 'skipped'; readonly file: RawFile }
  | { readonly kind: 'reject'; readonly file: RawFile; readonly errorType: RejectKind; readonly error: string };

/**
 * What a worker sends back: for a run to stage, the bytes of its data file, which the main thread writes and
 * publishes once the run's manifest row passes the model (publish-run.ts). The message copies them (handing the
 * memory over instead was slower on the shared corpus: every buffer then freed by another thread).
 */
export type WorkerOutcome = Exclude<FileOutcome, { kind: 'ok' }> | (Extract<FileOutcome, { kind: 'ok' }> & { readonly bytes: Uint8Array });

export interface StageTask {
  readonly file: RawFile;
  readonly previous: StagedSource | undefined;
}

export interface StageFileContext extends PlanOptions {
  readonly catalog: ProcedureCatalog;
  readonly stageRoot: string;
  readonly extractionVersion: string;
  readonly ingestedAt: Date;
  readonly force: boolean;
  /** The procedures' schemas as this worker knows them; a file with new columns extends its entry. */
  readonly schemas: Map<string, ProcedureSchema>;
  /** Takes a run id for a source file; false when another file already owns it. */
  readonly claimRunId: (runId: string, sourceFile: string) => Promise<boolean>;
}

export async function stageFile({ file, previous }: StageTask, ctx: StageFileContext): Promise<WorkerOutcome> {
  let content;
  try {
    content = await readRawFile(file.absPath, file.size);
  } catch (error) {
    if (error === TOO_LARGE) return reject(file, 'too-large', `${file.relPath} is ${(file.size / 2 ** 30).toFixed(1)} GiB, larger than a run file can be staged in memory (1 GiB).`);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') return reject(file, 'unreadable', `${file.relPath} became a symbolic link after it was listed; links are not followed.`);
    return reject(file, 'unreadable', `${file.relPath} cannot be read (${code ?? messageOf(error)}): check its permissions.`);
  }
  // Same bytes as last time (only the mtime moved): nothing to redo.
  if (previous && !ctx.force && previous.sha1 === content.sha1 && existsSync(absoluteDataPath(ctx.stageRoot, previous.path))) {
    return { kind: 'skipped', file };
  }
  const planned = planRun(content.bytes, file, ctx.catalog, ctx);
  if (!planned.ok) return reject(file, planned.errorType, `${file.relPath}: ${planned.error}.`);
  const { plan } = planned;
  if (!(await ctx.claimRunId(plan.runId, file.relPath))) {
    return reject(file, 'duplicate-run', `${file.relPath}: another file already has its run id ${plan.runId} (same path but for letter case, same start time).`);
  }
  const { schema, found } = schemaFor(plan, ctx);
  const sourceIndex = new Map(plan.columns.map((c, i) => [c.name, i]));
  const measured = schema.columns.filter((c) => c.origin !== 'run');
  const tableColumns: TableColumn[] = measured.map((c) => ({ sourceIndex: sourceIndex.get(c.name) ?? -1, type: c.type }));
  const parsed = parseDataTable(content.bytes, {
    start: lineOffset(content.bytes, plan.skipLines + 1),
    firstLine: plan.skipLines + 1,
    fieldCount: plan.columns.length,
    columns: tableColumns,
    zone: ctx.localTz,
    delimiter: plan.delimiter,
  });
  if (!parsed.ok) return reject(file, 'bad-data', `${file.relPath}, ${parsed.message}.`);
  const { table } = parsed;
  if (table.rows === 0) return reject(file, 'invalid-run', `${file.relPath}: the data table is empty (no rows after the column line).`);
  const warnings = [...plan.warnings];
  const sourceOf = (misfit: CellMisfit) => plan.columns[tableColumns[misfit.column]!.sourceIndex]?.source ?? measured[misfit.column]!.name;
  for (const misfit of table.misfits) {
    warnings.push(
      `column '${sourceOf(misfit)}': ${misfit.count} value(s) are not ${describeType(measured[misfit.column]!.type)} and are stored as null (first: '${misfit.text}' at line ${misfit.line})`,
    );
  }
  for (const misfit of table.outOfRange) {
    warnings.push(
      `column '${sourceOf(misfit)}': ${misfit.count} value(s) are ${describeRange(measured[misfit.column]!.type)} and are stored as null (first: '${misfit.text}' at line ${misfit.line})`,
    );
  }
  const timeIndex = measured.findIndex((c) => c.name === plan.procedure?.timeColumn);
  const row = manifestRow(plan, content.sha1, table.rows, durationOf(table.columns[timeIndex]), schema.id, warnings, ctx);
  const runValue = runColumns(plan);
  let next = 0;
  const columns: ParquetColumn[] = schema.columns.map((c) => ({
    name: c.name,
    values: c.origin === 'run' ? runValue(c) : table.columns[next++]!,
    ...(c.fieldId === undefined ? {} : { fieldId: c.fieldId }),
  }));
  const bytes = encodeParquet(columns, table.rows);
  // The next files of the procedure are written with this file's columns too (the main thread's schema follows once
  // it accepts the run): a file refused before here never changes what this worker writes.
  ctx.schemas.set(plan.proc, schema);
  return { kind: 'ok', file, row, warnings, added: found, bytes };
}

/** The procedure's schema with this file's unknown columns added (kept unless --only-yaml-data), and those columns. */
function schemaFor(plan: RunPlan, ctx: StageFileContext): { schema: ProcedureSchema; found: LakeColumn[] } {
  const known = ctx.schemas.get(plan.proc) ?? initialSchema(plan.proc, plan.procedure);
  if (ctx.onlyYamlData) return { schema: known, found: [] };
  const unknown = plan.columns.filter((c) => c.tier === 'unknown');
  if (unknown.length === 0) return { schema: known, found: [] };
  const schema = withFoundColumns(known, unknown.map((c) => ({ name: c.name, type: c.type, origin: 'found' as const })));
  const names = new Set(unknown.map((c) => c.name));
  return { schema, found: schema.columns.filter((c) => c.origin === 'found' && names.has(c.name)) };
}

/** duration_s: the last value of the procedure's time column, when it is a number at least 0. */
function durationOf(column: ParquetColumn['values'] | undefined): number | null {
  if (column?.kind !== 'double' || column.values.length === 0) return null;
  const last = column.values.length - 1;
  if (column.valid && column.valid[last] === 0) return null;
  const value = column.values[last]!;
  return Number.isFinite(value) && value >= 0 ? value : null;
}

function describeType(type: string): string {
  return { float: 'numbers', int: 'whole numbers', str: 'text', bool: 'yes/no', datetime: 'times' }[type] ?? type;
}

function describeRange(type: string): string {
  return type === 'int' ? 'whole numbers outside the 64-bit range' : 'numbers too large or too close to zero for a 64-bit float';
}

function reject(file: RawFile, errorType: RejectKind, error: string): WorkerOutcome {
  return { kind: 'reject', file, errorType, error };
}

function manifestRow(
  plan: RunPlan,
  sha1: string,
  rows: number,
  durationS: number | null,
  schemaId: string,
  warnings: readonly string[],
  ctx: StageFileContext,
): ManifestRow {
  // The parameters first, then the run's own columns (which win over a parameter of the same name); built by
  // assignment, as Object.fromEntries and a spread made each row a slow dictionary-mode object.
  const row: Record<string, unknown> = {};
  for (const [name, { value }] of plan.parameters) row[name] = value;
  Object.assign(row, {
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
    data_schema: schemaId,
    warnings: JSON.stringify(warnings),
  });
  row.summary = describeRun(row, (plan.procedure ?? ctx.catalog.common).summary);
  return row as ManifestRow;
}
