// What every format sampler shares: what it is given, what it reports back.
import type { EngineConnection } from '../engine/duckdb.js';

export interface SampleContext {
  /** Data rows (records, lines) to keep; a CSV header comes on top. */
  readonly rows: number;
  /** The longest head a sampler may hold in memory; a longer head fails the sample instead of exhausting memory. */
  readonly maxHeadBytes: number;
  /** The largest first zip entry that is copied into a zip sample. */
  readonly maxZipEntryBytes: number;
  /** The most tar or zip entries named in a listing; the rest are counted. */
  readonly maxListedEntries: number;
  /** A DuckDB connection, opened on first use (only Parquet needs one). */
  readonly duckdb: () => Promise<EngineConnection>;
}

/** What a sampler wrote. `rows` is the data rows (or entries listed) in the sample. */
export interface SampleWritten {
  readonly rows: number;
  readonly bytes: number;
}

/** The leading bytes of a stream, cut at the end of a record or line. */
export interface Head {
  readonly bytes: Buffer;
  /** Records (or lines) in `bytes`. */
  readonly count: number;
}

/** Writes a sample of `input` at `output` (atomically) or throws with a sentence naming the problem. */
export type Sampler = (input: string, output: string, context: SampleContext) => Promise<SampleWritten>;

export const DEFAULT_SAMPLE_LIMITS = {
  maxHeadBytes: 64 * 1024 * 1024,
  maxZipEntryBytes: 1024 * 1024,
  maxListedEntries: 100_000,
} as const;

/** A problem with the input, said as a clause the runner puts after the file name: "is not a complete gzip file". */
export class SampleProblem extends Error {
  override readonly name = 'SampleProblem';
}

/** The `code` of an error (`ENOENT`, `Z_DATA_ERROR`, `CSV_...`), or '' when it has none, whatever was thrown. */
export function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : '';
}

/** An error from the operating system (no such file, permission denied), as opposed to one about the content. */
export function isSystemError(error: unknown): boolean {
  return typeof (error as { syscall?: unknown } | null)?.syscall === 'string';
}
