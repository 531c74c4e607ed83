// Publishes a run a worker encoded, on the main thread as its outcome arrives: its manifest row is checked against
// the model (zod) first, so a row that breaks a rule (a YAML range, a malformed id) is a reject whose file never
// replaces the good run already at its path; then the file, which the worker wrote beside its final name in the
// run's folder (or whose bytes it sent), is renamed to it. A reader never sees half a file, a refused run leaves
// nothing behind, and the workers need no zod (each would load it). The workers make the folders and files: at
// scale this thread, which records every run, has the least time to spare.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { removeEmptyFolder, tempPathFor } from '../fs/atomic-file.js';
import { describeIssues, validateManifestRows } from '../lake/manifest-row.js';
import type { ParameterColumn } from '../lake/manifest-columns.js';
import { absoluteDataPath } from '../lake/partition-path.js';
import type { FileOutcome, RunData, WorkerOutcome } from './stage-task.js';
import { writeReject } from './staged-run.js';

export { writeReject } from './staged-run.js';

export function publishRun(outcome: WorkerOutcome, parameterColumns: readonly ParameterColumn[], stageRoot: string): FileOutcome {
  const checked = checkRunRow(outcome, parameterColumns);
  if (checked.kind !== 'ok') return checked;
  const failed = writeRunFile(stageRoot, checked.outcome.row.path, checked.data);
  return failed === undefined ? checked.outcome : writeReject(checked.outcome.file, stageRoot, `written to ${checked.outcome.row.path}`, failed);
}

/** A staged run whose manifest row the model accepts, with its data file's bytes; else its reject. */
export function checkRunRow(
  outcome: WorkerOutcome,
  parameterColumns: readonly ParameterColumn[],
): Exclude<FileOutcome, { kind: 'ok' }> | { readonly kind: 'ok'; readonly outcome: Extract<FileOutcome, { kind: 'ok' }>; readonly data: RunData } {
  if (outcome.kind !== 'ok') return outcome;
  const { file, data } = outcome;
  const { valid, invalid } = validateManifestRows([outcome.row], parameterColumns);
  const row = valid[0];
  if (row === undefined) {
    discardRunData(data);
    const why = describeIssues(invalid[0]?.issues ?? []);
    return { kind: 'reject', file, errorType: 'invalid-run', error: `${file.relPath}: its manifest row breaks the rules: ${why}.` };
  }
  return { kind: 'ok', outcome: { kind: 'ok', file, row, warnings: outcome.warnings, added: outcome.added }, data };
}

/** Removes a refused run's data file, and its run's folder when nothing else is in it (bytes in memory need nothing). */
export function discardRunData(data: RunData): void {
  if (data.kind === 'bytes') return;
  rmSync(data.path, { force: true });
  if (data.kind === 'written') removeEmptyFolder(path.dirname(data.path));
}

/**
 * Writes a run's data file beside its name in its folder and renames it (a streamed file, already written in the
 * stage root, is renamed from there): the error when it could not, else undefined.
 */
function writeRunFile(stageRoot: string, relPath: string, data: RunData): unknown {
  const target = absoluteDataPath(stageRoot, relPath);
  const folder = path.dirname(target);
  const temp = data.kind === 'bytes' ? tempPathFor(target) : data.path;
  try {
    if (data.kind !== 'written') mkdirSync(folder, { recursive: true });
    // writeFileSync writes until all of it is written: a disk that fills mid-file ends it with ENOSPC.
    if (data.kind === 'bytes') writeFileSync(temp, data.bytes);
    renameSync(temp, target);
    return undefined;
  } catch (error) {
    try {
      rmSync(temp, { force: true });
    } catch {
      // the temp file could not be made either (a name too long, a folder that is a file): nothing to remove
    }
    removeEmptyFolder(folder);
    return error;
  }
}

/**
 * `writeRunFile` through libuv's threads: the calling thread goes on meanwhile (a stager feeding its workers while
 * the folders and files of the runs before are made). A file a worker wrote only needs its rename, done at once:
 * through libuv's threads that cost the calling thread more (handing it over, waking the thread) than the rename.
 */
export async function writeRunFileAsync(stageRoot: string, relPath: string, data: RunData): Promise<unknown> {
  if (data.kind === 'written') return writeRunFile(stageRoot, relPath, data);
  const target = absoluteDataPath(stageRoot, relPath);
  const folder = path.dirname(target);
  const temp = data.kind === 'bytes' ? tempPathFor(target) : data.path;
  try {
    await mkdir(folder, { recursive: true });
    if (data.kind === 'bytes') await writeFile(temp, data.bytes);
    await rename(temp, target);
    return undefined;
  } catch (error) {
    await rm(temp, { force: true }).catch(() => {});
    removeEmptyFolder(folder);
    return error;
  }
}

