// Publishes a run a worker wrote, on the main thread as its outcome arrives: its manifest row is checked against
// the model (zod) first, so a row that breaks a rule (a YAML range, a malformed id) is a reject whose file never
// replaces the good run already at its path; then the run's folder is made and the file renamed into it. No
// folder exists before its file, a reader never sees half a file, and the workers need no zod (~0.1 s each).
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
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
  if (row === undefined) {
    rmSync(temp, { force: true });
    const why = describeIssues(invalid[0]?.issues ?? []);
    return { kind: 'reject', file, errorType: 'invalid-run', error: `${file.relPath}: its manifest row breaks the rules: ${why}.` };
  }
  const target = absoluteDataPath(stageRoot, row.path);
  try {
    mkdirSync(path.dirname(target), { recursive: true });
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    return writeReject(file, stageRoot, `published at ${row.path}`, error);
  }
  return { ...staged, row };
}
