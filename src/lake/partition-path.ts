// Where a run's data file lives in the lake: `proc=<Proc>/date=<YYYY-MM-DD>/run_id=<id>/part-000.parquet`.
import path from 'node:path';
import { isInside } from '../fs/inside-root.js';

export const DATA_FILE_NAME = 'part-000.parquet';

/** The data file's path relative to the stage root, with forward slashes (as the manifest stores it). */
export function runDataPath(proc: string, dateLocal: string, runId: string): string {
  return `proc=${proc}/date=${dateLocal}/run_id=${runId}/${DATA_FILE_NAME}`;
}

/**
 * A data file's path as strata writes it (`runDataPath`, or `attemptDataPath` in catalog mode), as a regular
 * expression both JS and DuckDB read: every part is one of the lake's folders, so a path that matches cannot climb
 * out of the stage root. A path read back from a manifest is deleted, rewritten or handed on only when it matches.
 */
export const RUN_DATA_PATH_PATTERN = String.raw`^proc=[^/\\]+/date=[0-9]{4}-[0-9]{2}-[0-9]{2}/run_id=[0-9a-f]{16}/part-(000|[0-9]+-[0-9a-f]{32})\.parquet$`;
/** The same, in words, for messages. */
export const RUN_DATA_PATH_WORDS = 'proc=<Proc>/date=<YYYY-MM-DD>/run_id=<16 hex digits>/part-000.parquet, or part-<attempt>-<32 hex digits>.parquet in catalog mode';
const RUN_DATA_PATH = new RegExp(RUN_DATA_PATH_PATTERN);

export function isRunDataPath(relDataPath: string): boolean {
  return RUN_DATA_PATH.test(relDataPath);
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

/**
 * The run folder holding the data file `relDataPath` (a path read back from a manifest), when it is one: a folder
 * named `run_id=<16 hex digits>` inside the stage root. Only such a folder is ever removed with its run.
 */
export function runFolderOf(stageRoot: string, relDataPath: string): string | null {
  const folder = path.dirname(absoluteDataPath(stageRoot, relDataPath));
  return /^run_id=[0-9a-f]{16}$/.test(path.basename(folder)) && isInside(folder, stageRoot) ? folder : null;
}
