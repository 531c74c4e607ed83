// The parts of a staged run that do not depend on how its table was read (whole, or streamed in row groups): the
// schema it is written with, the warnings about its cells, its data file's columns and its manifest row.
import type { RawFile } from '../discover/discover-raw-files.js';
import type { ManifestRow } from '../lake/manifest-row.js';
import { MANIFEST_SCHEMA_VERSION } from '../lake/manifest-columns.js';
import { describeRun } from '../lake/run-summary.js';
import { initialSchema, withFoundColumns, type LakeColumn, type ProcedureSchema } from '../lake/procedure-schemas.js';
import type { RejectKind } from '../lake/reject-records.js';
import type { ColumnValues, ParquetColumn } from '../parquet/parquet-columns.js';
import type { CellMisfit, TableColumn } from '../parse/data-table.js';
import { runColumns } from './run-columns.js';
import type { RunPlan } from './plan-run.js';
import type { RunData, StageFileContext, WorkerOutcome } from './stage-task.js';
import { isDiskFull, messageOf } from '../errors.js';

/** What the table of a planned run is read into: the schema's measured columns, each fed by its source field. */
export interface RunTable {
  readonly schema: ProcedureSchema;
  /** The file's columns the YAML does not declare (see FileOutcome's `added`). */
  readonly found: readonly LakeColumn[];
  readonly measured: readonly LakeColumn[];
  readonly tableColumns: readonly TableColumn[];
}

export function runTable(plan: RunPlan, ctx: StageFileContext): RunTable {
  const { schema, found } = schemaFor(plan, ctx);
  const sourceIndex = new Map(plan.columns.map((c, i) => [c.name, i]));
  const measured = schema.columns.filter((c) => c.origin !== 'run');
  const tableColumns = measured.map((c) => ({ sourceIndex: sourceIndex.get(c.name) ?? -1, type: c.type }));
  return { schema, found, measured, tableColumns };
}

/** The plan's warnings, then one for each column with cells stored as null because they did not fit. */
function cellWarnings(plan: RunPlan, table: RunTable, misfits: readonly CellMisfit[], outOfRange: readonly CellMisfit[]): string[] {
  const warnings = [...plan.warnings];
  const { measured, tableColumns } = table;
  const sourceOf = (misfit: CellMisfit) => plan.columns[tableColumns[misfit.column]!.sourceIndex]?.source ?? measured[misfit.column]!.name;
  for (const misfit of misfits) {
    warnings.push(
      `column '${sourceOf(misfit)}': ${misfit.count} value(s) are not ${describeType(measured[misfit.column]!.type)} and are stored as null (first: '${misfit.text}' at line ${misfit.line})`,
    );
  }
  for (const misfit of outOfRange) {
    warnings.push(
      `column '${sourceOf(misfit)}': ${misfit.count} value(s) are ${describeRange(measured[misfit.column]!.type)} and are stored as null (first: '${misfit.text}' at line ${misfit.line})`,
    );
  }
  return warnings;
}

/** The data file's columns in the schema's order, without the table's values: a run's constant, or which table column. */
export type DataColumnLayout = readonly (
  | { readonly name: string; readonly fieldId?: number; readonly values: ColumnValues }
  | { readonly name: string; readonly fieldId?: number; readonly tableColumn: number }
)[];

export function dataColumnLayout(plan: RunPlan, table: RunTable): DataColumnLayout {
  const runValue = runColumns(plan);
  let next = 0;
  return table.schema.columns.map((c) => ({
    name: c.name,
    ...(c.origin === 'run' ? { values: runValue(c) } : { tableColumn: next++ }),
    ...(c.fieldId === undefined ? {} : { fieldId: c.fieldId }),
  }));
}

/** The data file's columns: the layout's, with the table's values. */
export function layOutColumns(layout: DataColumnLayout, tableValues: readonly ColumnValues[]): ParquetColumn[] {
  return layout.map((c) => ({
    name: c.name,
    values: 'values' in c ? c.values : tableValues[c.tableColumn]!,
    ...(c.fieldId === undefined ? {} : { fieldId: c.fieldId }),
  }));
}

/** The data file's columns in the schema's order: the run's constants, and the table's columns as read. */
export function dataColumns(plan: RunPlan, table: RunTable, tableValues: readonly ColumnValues[]): ParquetColumn[] {
  return layOutColumns(dataColumnLayout(plan, table), tableValues);
}

/** The index of the procedure's time column among the table's columns (-1 when it has none). */
export function timeColumnIndex(plan: RunPlan, table: RunTable): number {
  return table.measured.findIndex((c) => c.name === plan.procedure?.timeColumn);
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
export function durationOf(column: ParquetColumn['values'] | undefined): number | null {
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

/**
 * The outcome of a run whose table was read and whose data file was made: its warnings and manifest row. The next
 * files of the procedure are written with this file's columns too (the main thread's schema follows once it accepts
 * the run): a file refused before here never changes what this worker writes.
 */
export function stagedRun(
  plan: RunPlan,
  table: RunTable,
  read: { readonly rows: number; readonly misfits: readonly CellMisfit[]; readonly outOfRange: readonly CellMisfit[] },
  sha1: string,
  durationS: number | null,
  data: RunData,
  ctx: StageFileContext,
): WorkerOutcome {
  const warnings = cellWarnings(plan, table, read.misfits, read.outOfRange);
  const row = manifestRow(plan, sha1, read.rows, durationS, table.schema.id, warnings, ctx);
  ctx.schemas.set(plan.proc, table.schema);
  return { kind: 'ok', file: plan.file, row, warnings, added: table.found, data };
}

export function reject(file: RawFile, errorType: RejectKind, error: string): WorkerOutcome {
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
  // assignment, as Object.fromEntries and a spread made each row a slow dictionary-mode object (~16 us a file).
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

export function unreadable(file: RawFile, error: unknown): WorkerOutcome {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return reject(file, 'unreadable', `${file.relPath} became a symbolic link after it was listed; links are not followed.`);
  return reject(file, 'unreadable', `${file.relPath} cannot be read (${code ?? messageOf(error)}): check its permissions.`);
}

/** The reject of a run whose data file could not be written: a full disk is said as such (it stops the run). */
export function writeReject(file: RawFile, stageRoot: string, what: string, error: unknown): Extract<WorkerOutcome, { kind: 'reject' }> {
  const full = isDiskFull(error);
  const why = full ? `the disk holding ${stageRoot} is full (${(error as NodeJS.ErrnoException).code ?? 'ENOSPC'})` : messageOf(error);
  return { kind: 'reject', file, errorType: full ? 'disk-full' : 'write-failed', error: `${file.relPath}: its data file could not be ${what}: ${why}.` };
}

export function duplicateRun(plan: RunPlan): WorkerOutcome {
  return reject(plan.file, 'duplicate-run', `${plan.file.relPath}: another file already has its run id ${plan.runId} (same path but for letter case, same start time).`);
}

export function emptyTable(file: RawFile): WorkerOutcome {
  return reject(file, 'invalid-run', `${file.relPath}: the data table is empty (no rows after the column line).`);
}
