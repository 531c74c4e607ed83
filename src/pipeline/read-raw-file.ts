// Reads a raw file for staging: all its bytes (the table is parsed from them) and their SHA-1.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** Above this a file is not staged: its bytes and columns would not fit a worker's memory beside the others'. */
const SIZE_LIMIT = 2 ** 30;

/** Thrown (as this value) for a file over the size limit. */
export const TOO_LARGE = Symbol('too large');

export interface RawFileContent {
  readonly sha1: string;
  readonly bytes: Buffer;
}

/** Synchronous on purpose: it runs on a stage worker's own thread, where libuv's pool would only add round trips. */
export async function readRawFile(absPath: string, size: number): Promise<RawFileContent> {
  if (size > SIZE_LIMIT) throw TOO_LARGE;
  const bytes = readFileSync(absPath);
  return { sha1: createHash('sha1').update(bytes).digest('hex'), bytes };
}
