// The reject of a run whose data file could not be written (in a worker) or published (on the main thread).
import type { RawFile } from '../discover/discover-raw-files.js';
import { isDiskFull, messageOf } from '../errors.js';
import type { FileOutcome } from './stage-file.js';

/** The reject of a run whose data file could not be `what` ("written to ..."): a full disk is said as such (it stops the run). */
export function writeReject(file: RawFile, stageRoot: string, what: string, error: unknown): Extract<FileOutcome, { kind: 'reject' }> {
  const full = isDiskFull(error);
  const why = full ? `the disk holding ${stageRoot} is full (${(error as NodeJS.ErrnoException).code ?? 'ENOSPC'})` : messageOf(error);
  return { kind: 'reject', file, errorType: full ? 'disk-full' : 'write-failed', error: `${file.relPath}: its data file could not be ${what}: ${why}.` };
}

