// `strata validate`: cleans and casts a landed file, writes stage/cleaned/<dataset>/<period>.parquet atomically, rejects aside.
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { Engine, type EngineConnection } from '../engine/duckdb.js';
import { messageOf } from '../errors.js';
import { writeFileAtomically, writeViaTemp } from '../fs/atomic-file.js';
import { silentProgress, type Progress } from '../progress/progress.js';
import { quoteIdentifier, sqlLiteral } from '../sql/quote.js';
import type { RowIssue } from './cast-cells.js';
import { CLEANED_VIEW, castLandedRows } from './cast-landed-rows.js';
import { checkLandedFile } from './check-landed-file.js';
import type { DatasetRule, DatasetRules } from './dataset-rules.js';
import { datasetsLayout } from './datasets-layout.js';
import { landedSource } from './landed-table.js';
import type { LandedLog, ValidationLogEntry } from './landed-log.js';

export interface ValidateOptions {
  readonly rules: DatasetRules;
  readonly dataRoot: string;
  /** Where each file's outcome is recorded (a stage database's meta.validation_log). */
  readonly log: LandedLog;
  readonly progress?: Progress;
}

export async function validateFiles(files: readonly string[], options: ValidateOptions): Promise<ValidationLogEntry[]> {
  const progress = options.progress ?? silentProgress;
  const engine = await Engine.open(':memory:', { threads: 2 });
  const outcomes: ValidationLogEntry[] = [];
  try {
    progress.start('validating files', files.length);
    for (const file of files) {
      const outcome = await validateFile(file, engine, options);
      await options.log.logValidation(outcome);
      outcomes.push(outcome);
      progress.advance();
    }
    progress.stop();
  } finally {
    engine.close();
  }
  return outcomes;
}

async function validateFile(file: string, engine: Engine, { rules, dataRoot }: ValidateOptions): Promise<ValidationLogEntry> {
  const empty = { file, rowsRead: 0, rowsOk: 0, rowsRejected: 0, parquet: null, rejects: null };
  const check = await checkLandedFile(file, rules, dataRoot);
  if (!check.ok) return { ...empty, dataset: check.dataset?.name ?? null, period: check.period, status: 'refused', reason: check.reason };
  const { dataset, period, table } = check;
  const layout = datasetsLayout(dataRoot);
  const parquet = layout.cleanedParquet(dataset.name, period);
  const rejects = layout.rejectsCsv(dataset.name, period);
  const conn = await engine.connect();
  try {
    const cast = await castLandedRows(conn, dataset, table.headers, await landedSource(conn, file, table));
    if (!cast.ok) return { ...empty, dataset: dataset.name, period, status: 'refused', reason: cast.reason };
    const { rowsRead, rowsRejected, issues } = cast;
    const rowsOk = rowsRead - rowsRejected;
    const unpublishable = publishProblem(dataset, rowsRead, rowsRejected, issues);
    if (unpublishable !== null) {
      const reason = `${path.basename(file)}: ${unpublishable}; nothing was published and ${path.relative(dataRoot, parquet)} was left as it was`;
      return { ...empty, dataset: dataset.name, period, rowsRead, rowsOk, rowsRejected, status: 'refused', reason };
    }
    // Rejects first: if they cannot be written the file is refused, and no Parquet of it goes live.
    await writeRejects(rejects, issues);
    await writeParquetAtomically(conn, period, parquet);
    return { ...empty, dataset: dataset.name, period, rowsRead, rowsOk, rowsRejected, parquet, rejects: issues.length > 0 ? rejects : null, status: 'ok', reason: null };
  } catch (error) {
    table.close();
    return { ...empty, dataset: dataset.name, period, status: 'refused', reason: `${path.basename(file)}: ${messageOf(error)}` };
  } finally {
    conn.close();
  }
}

/** Why a file's cleaned rows must not replace its period's, or null: it keeps no row, or loses more than the dataset allows. */
function publishProblem(dataset: DatasetRule, rowsRead: number, rowsRejected: number, issues: readonly RowIssue[]): string | null {
  const first = issues[0];
  const example = first === undefined ? '' : ` (row ${first.row}${first.column === '' ? '' : `, ${first.column}`}: ${first.reason})`;
  if (rowsRead === 0) return 'the file has a header but no rows';
  if (rowsRejected === rowsRead) return `every one of its ${rowsRead} rows was rejected${example}`;
  const limit = dataset.maxRejectedShare;
  if (limit !== undefined && rowsRejected / rowsRead > limit) {
    const share = (rowsRejected / rowsRead) * 100;
    return `${rowsRejected} of its ${rowsRead} rows (${share.toFixed(1)}%) were rejected, more than the ${limit * 100}% dataset '${dataset.name}' allows (max_rejected_share)${example}`;
  }
  return null;
}

/** Written under a temporary name and renamed, so a reader never sees a half-written file. */
async function writeParquetAtomically(conn: EngineConnection, period: string, target: string): Promise<void> {
  // DuckDB's COPY does not create folders; writeViaTemp puts its temp file beside the target.
  await mkdir(path.dirname(target), { recursive: true });
  await writeViaTemp(target, (temp) =>
    conn.run(`COPY (SELECT *, ${sqlLiteral(period)} AS ${quoteIdentifier('_data_period')} FROM ${CLEANED_VIEW}) TO ${sqlLiteral(temp)} (FORMAT parquet)`),
  );
}

/** One CSV line per problem (row, column, value, reason); a clean run removes an older rejects file. */
async function writeRejects(target: string, issues: readonly RowIssue[]): Promise<void> {
  if (issues.length === 0) {
    await rm(target, { force: true });
    return;
  }
  writeFileAtomically(target, stringify(issues.map((i) => [i.row, i.column, i.value, i.reason]), { header: true, columns: ['row', 'column', 'value', 'reason'] }));
}
