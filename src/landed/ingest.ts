// `strata ingest`: checks landed files in place and records each one (size, hash, ok or why not) in meta.ingestion_log.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { messageOf } from '../errors.js';
import { silentProgress, type Progress } from '../progress/progress.js';
import { checkLandedFile } from './check-landed-file.js';
import type { DatasetRules } from './dataset-rules.js';
import type { IngestionLogEntry, LandedLog } from './landed-log.js';

export interface IngestOptions {
  readonly rules: DatasetRules;
  readonly dataRoot: string;
  /** Where each file's outcome is recorded (a stage database's meta.ingestion_log). */
  readonly log: LandedLog;
  readonly progress?: Progress;
}

export async function ingestFiles(files: readonly string[], options: IngestOptions): Promise<IngestionLogEntry[]> {
  const progress = options.progress ?? silentProgress;
  const outcomes: IngestionLogEntry[] = [];
  progress.start('ingesting files', files.length);
  for (const file of files) {
    const outcome = await ingestFile(file, options);
    await options.log.logIngestion(outcome);
    outcomes.push(outcome);
    progress.advance();
  }
  progress.stop();
  return outcomes;
}

async function ingestFile(file: string, { rules, dataRoot }: IngestOptions): Promise<IngestionLogEntry> {
  const identity = await fileIdentity(file);
  if (!identity.ok) return { file, dataset: null, period: null, sizeBytes: 0, sha256: '', status: 'refused', reason: identity.reason };
  const check = await checkLandedFile(file, rules, dataRoot);
  if (check.ok) check.table.close();
  return {
    file,
    dataset: check.dataset?.name ?? null,
    period: check.period,
    sizeBytes: identity.sizeBytes,
    sha256: identity.sha256,
    status: check.ok ? 'ok' : 'refused',
    reason: check.ok ? null : check.reason,
  };
}

/** Size and SHA-256 of the file, so a re-sent file can be told from the one loaded before. */
async function fileIdentity(file: string): Promise<{ ok: true; sizeBytes: number; sha256: string } | { ok: false; reason: string }> {
  try {
    const { size } = await stat(file);
    const hash = createHash('sha256');
    await pipeline(createReadStream(file), hash);
    return { ok: true, sizeBytes: size, sha256: hash.digest('hex') };
  } catch (error) {
    return { ok: false, reason: `cannot read ${file}: ${messageOf(error)}` };
  }
}
