// Publishes a run a worker wrote, on the main thread as its outcome arrives: its manifest row is checked against
// the model (zod) first, so a row that breaks a rule (a YAML range, a malformed id) is a reject whose file never
// replaces the good run already at its path; then the file is renamed into the run's folder (which the worker
// made). A reader never sees half a file, a refused run leaves no folder, and the workers need no zod (~0.1 s each).
import { renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { removeEmptyFolder } from '../lake/atomic-file.js';
import { describeIssues, validateManifestRows } from '../lake/manifest-row.js';
import type { ParameterColumn } from '../lake/manifest-columns.js';
import { absoluteDataPath } from '../lake/partition-path.js';
import type { FileOutcome, WorkerOutcome } from './stage-file.js';
import { writeReject } from './write-reject.js';

export function publishRun(outcome: WorkerOutcome, parameterColumns: readonly ParameterColumn[], stageRoot: string): FileOutcome {
  if (outcome.kind !== 'ok') return outcome;
  const { temp, ...staged } = outcome;
  const { file } = outcome;
  const { valid, invalid } = validateManifestRows([outcome.row], parameterColumns);
  const row = valid[0];
  const target = absoluteDataPath(stageRoot, outcome.row.path);
  if (row === undefined) {
    unpublish(temp, target);
    const why = describeIssues(invalid[0]?.issues ?? []);
    return { kind: 'reject', file, errorType: 'invalid-run', error: `${file.relPath}: its manifest row breaks the rules: ${why}.` };
  }
  try {
    renameSync(temp, target);
  } catch (error) {
    unpublish(temp, target);
    return writeReject(file, stageRoot, `published at ${row.path}`, error);
  }
  return { ...staged, row };
}

/** Removes a refused run's temp file, and the folder the worker made for it when nothing else is in it. */
function unpublish(temp: string, target: string): void {
  rmSync(temp, { force: true });
  removeEmptyFolder(path.dirname(target));
}
