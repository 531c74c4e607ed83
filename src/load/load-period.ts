// `strata load`: replaces one period of a dataset's stage table with a cleaned Parquet file, and logs the outcome.
import { existsSync } from 'node:fs';
import { StrataError, messageOf, usageError } from '../errors.js';
import { periodProblem, type DatasetRule } from '../landed/dataset-rules.js';
import { datasetsLayout } from '../landed/datasets-layout.js';
import type { ReplacePeriodResult, StageDatabase, StageTable } from './stage-database.js';
import { stageLog } from './stage-log.js';

export interface LoadPeriodRequest {
  readonly dataset: DatasetRule;
  readonly period: string;
  readonly dataRoot: string;
  /** Defaults to what validate wrote: `<dataRoot>/stage/cleaned/<dataset>/<period>.parquet`. */
  readonly parquetFile?: string;
  readonly db: StageDatabase;
  /** Load a file with no rows, emptying the period (refused otherwise). */
  readonly allowEmpty?: boolean;
}

export interface LoadPeriodResult extends ReplacePeriodResult {
  readonly dataset: string;
  readonly period: string;
  readonly table: string;
  readonly parquet: string;
}

export const stageTableOf = (dataset: DatasetRule): StageTable => ({ dataset: dataset.name, name: dataset.table, columns: dataset.columns });

export function checkPeriod(period: string): void {
  const problem = periodProblem(period);
  if (problem !== null) throw usageError(`--period '${period}' ${problem}`);
}

/** Loads, then records the load (done or failed, and why) in meta.load_log; a failure is rethrown. */
export async function loadPeriod(request: LoadPeriodRequest): Promise<LoadPeriodResult> {
  const { dataset, period, db } = request;
  checkPeriod(period);
  const parquet = request.parquetFile ?? datasetsLayout(request.dataRoot).cleanedParquet(dataset.name, period);
  const entry = { dataset: dataset.name, period, table: `stage.${dataset.table}`, parquet };
  const log = stageLog(db);
  try {
    if (!existsSync(parquet)) throw missingParquet(parquet, dataset.name, period, request.parquetFile === undefined);
    const result = await db.replacePeriod({ table: stageTableOf(dataset), period, parquetFile: parquet, allowEmpty: request.allowEmpty ?? false });
    await log.logLoad({ ...entry, ...result, status: 'ok', reason: null });
    return { ...entry, ...result };
  } catch (error) {
    await log.logLoad({ ...entry, rowsDeleted: 0, rowsInserted: 0, status: 'failed', reason: messageOf(error) }).catch(() => {});
    throw error;
  }
}

/** A load of a file that is not there, said in words rather than as the database's IO error. */
function missingParquet(file: string, dataset: string, period: string, isDefault: boolean): StrataError {
  const message = isDefault
    ? `there is no cleaned file of dataset '${dataset}' for period ${period} (${file}): run \`strata validate\` on its landed file first`
    : `the Parquet file to load, ${file}, does not exist`;
  return new StrataError('input', message, { file, dataset, period });
}
