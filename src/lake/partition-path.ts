// Where a run's data file lives in the lake: `proc=<Proc>/date=<YYYY-MM-DD>/run_id=<id>/part-000.parquet`.
import path from 'node:path';

export const DATA_FILE_NAME = 'part-000.parquet';

/** The data file's path relative to the stage root, with forward slashes (as the manifest stores it). */
export function runDataPath(proc: string, dateLocal: string, runId: string): string {
  return `proc=${proc}/date=${dateLocal}/run_id=${runId}/${DATA_FILE_NAME}`;
}

export function absoluteDataPath(stageRoot: string, relDataPath: string): string {
  return path.join(stageRoot, ...relDataPath.split('/'));
}

/** A run's data file named for one staging attempt (a catalog's stagers: two attempts never write the same file). */
export function attemptDataPath(relDataPath: string, attemptId: string): string {
  return `${relDataPath.slice(0, relDataPath.lastIndexOf('/') + 1)}part-${attemptId}.parquet`;
}

/** The procedure a data file's path names (`proc=It/...` gives `It`). */
export function procedureOfPath(relDataPath: string): string {
  return relDataPath.slice('proc='.length, relDataPath.indexOf('/'));
}
