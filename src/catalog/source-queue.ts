// The source file versions, which are also the work queue: discoverers offer what they see, anywhere and as often
// as they like; a version already known is ignored, a new one is queued and the stagers are woken.
import { StrataError } from '../errors.js';
import type { CatalogLayout } from './catalog-layout.js';
import { retryingRaces, type CatalogStatements } from './catalog-session.js';

/** A source file as a discoverer saw it: a changed size or mtime is a new version. */
export interface SourceFileVersion {
  /** The path under the raw root, forward slashes, as the manifest's `source_file` holds it. */
  readonly sourceFile: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** When the discoverer read the bytes anyway; stagers compute it otherwise. */
  readonly sha1?: string | null;
}

export interface EnqueueResult {
  /** Versions offered. */
  readonly offered: number;
  /** Versions the catalog did not know: queued now. */
  readonly queued: number;
}

/** Versions offered per statement: one round trip each. */
export const ENQUEUE_BATCH = 5_000;

/**
 * Offers `versions` to the queue, `batch` per statement (arrays unnested server-side, INSERT ... ON CONFLICT DO
 * NOTHING): any number of discoverers may offer the same files at once, each version is queued once. Rows go in
 * key order, so two discoverers inserting the same keys wait for each other in one order rather than deadlock
 * (and a deadlock anyway is run again: the statement is idempotent). A statement that queued anything notifies
 * the work channel, delivered when it commits.
 */
export async function enqueueSourceVersions(
  db: CatalogStatements,
  layout: CatalogLayout,
  versions: Iterable<SourceFileVersion>,
  batch = ENQUEUE_BATCH,
): Promise<EnqueueResult> {
  let offered = 0;
  let queued = 0;
  let pending: SourceFileVersion[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const sent = pending;
    pending = [];
    const params = [sent.map((v) => v.sourceFile), sent.map((v) => v.size), sent.map((v) => v.mtimeMs), sent.map((v) => v.sha1 ?? null), layout.workChannel];
    const [result] = await retryingRaces(() => db.query<{ queued: number }>(enqueueSql(layout), params));
    queued += result?.queued ?? 0;
  };
  for (const version of versions) {
    checkSourceVersion(version);
    offered++;
    pending.push(version);
    if (pending.length >= batch) await flush();
  }
  await flush();
  return { offered, queued };
}

function enqueueSql(c: CatalogLayout): string {
  return `WITH offered AS (
      SELECT * FROM unnest($1::text[], $2::bigint[], $3::float8[], $4::text[]) AS o(source_file, source_size, source_mtime_ms, source_sha1)
    ), added AS (
      INSERT INTO ${c.sourceFiles} (source_file, source_size, source_mtime_ms, source_sha1)
      SELECT source_file, source_size, source_mtime_ms, source_sha1 FROM offered
       ORDER BY source_file, source_size, source_mtime_ms
      ON CONFLICT (source_file, source_size, source_mtime_ms) DO NOTHING
      RETURNING 1
    ), counted AS (SELECT count(*)::int AS queued FROM added)
    SELECT queued, CASE WHEN queued > 0 THEN pg_notify($5, queued::text) END AS notified FROM counted`;
}

/**
 * A source key becomes a path under the raw root when a stager reads it: it must be relative, with forward
 * slashes, and never climb out (`..`), whoever offered it.
 */
export function checkSourceVersion(version: SourceFileVersion): void {
  const { sourceFile, size, mtimeMs, sha1 } = version;
  const shown = JSON.stringify(sourceFile);
  const segments = sourceFile.split('/');
  if (sourceFile.length === 0 || sourceFile.startsWith('/') || sourceFile.includes('\\') || sourceFile.includes('\0') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw new StrataError('validation', `the source file ${shown} cannot be queued: expected a path relative to the raw root, with forward slashes and no empty, '.' or '..' part`, { sourceFile });
  }
  if (!Number.isSafeInteger(size) || size < 0 || !Number.isFinite(mtimeMs)) {
    throw new StrataError('validation', `the source file ${shown} cannot be queued: expected a whole size of at least 0 and a finite mtime (got ${size}, ${mtimeMs})`, { sourceFile });
  }
  if (sha1 != null && !/^[0-9a-f]{40}$/.test(sha1)) {
    throw new StrataError('validation', `the source file ${shown} cannot be queued: its SHA-1 must be 40 lower-case hexadecimal digits`, { sourceFile });
  }
}

export interface QueueStatus {
  readonly queued: number;
  /** Claimed and within their lease. */
  readonly claimed: number;
  /** Claimed, lease run out: the next claim takes them. */
  readonly expired: number;
  readonly done: number;
  readonly rejected: number;
  /** When the oldest version still waiting was discovered; null when none waits. */
  readonly oldestWaitingSince: Date | null;
}

/** How many versions are in each state: the `--watch` status line's waiting and lag. */
export async function queueStatus(db: CatalogStatements, layout: CatalogLayout): Promise<QueueStatus> {
  const [row] = await db.query<QueueStatus>(
    `SELECT count(*) FILTER (WHERE state = 'queued')::int AS queued,
            count(*) FILTER (WHERE state = 'claimed' AND lease_expires_at > clock_timestamp())::int AS claimed,
            count(*) FILTER (WHERE state = 'claimed' AND lease_expires_at <= clock_timestamp())::int AS expired,
            count(*) FILTER (WHERE state = 'done')::int AS done,
            count(*) FILTER (WHERE state = 'rejected')::int AS rejected,
            min(discovered_at) FILTER (WHERE state IN ('queued', 'claimed')) AS "oldestWaitingSince"
       FROM ${layout.sourceFiles}`,
  );
  return row!;
}
