// Publishes a run a worker encoded, on the main thread as its outcome arrives: its manifest row is checked against
// the model (zod) first, so a row that breaks a rule (a YAML range, a malformed id) is a reject whose file never
// replaces the good run already at its path; then the file is written beside its final name, in the run's folder,
// and renamed to it. A reader never sees half a file, a refused run leaves nothing behind, and the workers need no
// zod (each would load it). The folders and files are made here, on one thread: on ext4, two threads making folders
// and files at once each spend about twice the kernel time of one (the kernel's own locks), and the workers are the
// ones with the staging to do.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { removeEmptyFolder, tempPathFor } from '../fs/atomic-file.js';
import { describeIssues, validateManifestRows } from '../lake/manifest-row.js';
import type { ParameterColumn } from '../lake/manifest-columns.js';
import { absoluteDataPath } from '../lake/partition-path.js';
import type { FileOutcome, RunData, WorkerOutcome } from './stage-task.js';
import type { RawFile } from '../discover/discover-raw-files.js';
import { isDiskFull, messageOf } from '../errors.js';

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

/** Removes a refused run's streamed data file (bytes in memory need nothing). */
export function discardRunData(data: RunData): void {
  if (data.kind === 'spooled') rmSync(data.path, { force: true });
}

/**
 * Writes a run's data file beside its name in its folder and renames it (a streamed file, already written in the
 * stage root, is renamed from there): the error when it could not, else undefined.
 */
function writeRunFile(stageRoot: string, relPath: string, data: RunData): unknown {
  const target = absoluteDataPath(stageRoot, relPath);
  const folder = path.dirname(target);
  const temp = data.kind === 'spooled' ? data.path : tempPathFor(target);
  try {
    mkdirSync(folder, { recursive: true });
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
 * the folders and files of the runs before are made).
 */
export async function writeRunFileAsync(stageRoot: string, relPath: string, data: RunData): Promise<unknown> {
  const target = absoluteDataPath(stageRoot, relPath);
  const folder = path.dirname(target);
  const temp = data.kind === 'spooled' ? data.path : tempPathFor(target);
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

/** The reject of a run whose data file could not be written: a full disk is said as such (it stops the run). */
export function writeReject(file: RawFile, stageRoot: string, what: string, error: unknown): Extract<FileOutcome, { kind: 'reject' }> {
  const full = isDiskFull(error);
  const why = full ? `the disk holding ${stageRoot} is full (${(error as NodeJS.ErrnoException).code ?? 'ENOSPC'})` : messageOf(error);
  return { kind: 'reject', file, errorType: full ? 'disk-full' : 'write-failed', error: `${file.relPath}: its data file could not be ${what}: ${why}.` };
}
