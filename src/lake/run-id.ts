// The run id of the contract: first 16 hex digits of SHA-1 of `<relative path, lower-cased>|<start time UTC>`.
import { createHash } from 'node:crypto';
import { utcSecondIso } from '../time/local-time.js';

export function runId(relPath: string, startTimeUtc: Date | null): string {
  const key = `${relPath.replaceAll('\\', '/').toLowerCase()}|${startTimeUtc ? utcSecondIso(startTimeUtc) : ''}`;
  return createHash('sha1').update(key).digest('hex').slice(0, 16);
}
