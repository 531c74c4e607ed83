// Claims on queued versions: a batch taken with FOR UPDATE SKIP LOCKED under a lease and a fresh token, in one
// round trip; renewed while its stager works; lost when the lease runs out (the next claim takes it).
import { randomUUID } from 'node:crypto';
import type { StagedSource } from '../lake/manifest-index.js';
import { StrataError } from '../errors.js';
import type { CatalogLayout } from './catalog-layout.js';
import { retryingRaces, type CatalogStatements } from './catalog-session.js';

/** One attempt at a version: what a commit must show to be let through. */
export interface Attempt {
  /** The version's id in the queue. */
  readonly version: number;
  /** The claim's token: a commit is refused once the version is claimed again (or its lease ran out). */
  readonly token: string;
  /** The version's source file: a staged run's row must name it. */
  readonly sourceFile: string;
}

export interface ClaimedVersion extends Attempt {
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha1: string | null;
  /** Claims of this version so far, this one included. */
  readonly attempts: number;
  /**
   * Unique to this attempt (version and token): the name of the data file it writes carries it, so that two
   * attempts never write the same file and only the committed one becomes live.
   */
  readonly attemptId: string;
  /** The source's run the catalog holds now (an earlier version's), to compare bytes with. */
  readonly previous: StagedSource | undefined;
}

export interface Claim {
  readonly token: string;
  readonly stager: string;
  readonly leaseSeconds: number;
  readonly expiresAt: Date;
  /** The versions claimed, oldest first; empty when nothing waits. */
  readonly versions: readonly ClaimedVersion[];
  /** Versions this claim found claimed `maxAttempts` times already and rejected instead (see ClaimRequest). */
  readonly exhausted: number;
}

export interface ClaimRequest {
  /** Who claims, recorded with the claim (host and pid, say). */
  readonly stager: string;
  readonly batch: number;
  readonly leaseSeconds: number;
  /**
   * A version claimed this many times and never finished (every stager that took it died or stalled) is
   * rejected, not claimed again, so that one file that kills stagers cannot stop the lake. 5 unless said.
   */
  readonly maxAttempts?: number;
}

export const DEFAULT_MAX_ATTEMPTS = 5;

interface ClaimedRow {
  id: number;
  source_file: string;
  source_size: number;
  source_mtime_ms: number;
  source_sha1: string | null;
  attempts: number;
  lease_expires_at: Date;
  exhausted: number;
  run_id: string | null;
  run_path: string | null;
  run_size: number | null;
  run_mtime_ms: number | null;
  run_sha1: string | null;
}

/** Claims up to `batch` versions, oldest first: queued ones, and claimed ones whose lease has run out. */
export async function claimVersions(db: CatalogStatements, layout: CatalogLayout, request: ClaimRequest): Promise<Claim> {
  const { stager, batch, leaseSeconds } = request;
  const maxAttempts = request.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  if (!(leaseSeconds > 0) || !Number.isInteger(batch) || batch < 1 || !Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new StrataError('usage', `a claim needs a lease of more than 0 s, a batch of at least 1 and at least 1 attempt (got ${leaseSeconds} s, ${batch}, ${maxAttempts})`);
  }
  const token = randomUUID();
  // SKIP LOCKED never waits on a claimer, but an exhausted version's reject may wait on a commit (and deadlock).
  const rows = await retryingRaces(() => db.query<ClaimedRow>(claimSql(layout), [batch, maxAttempts, token, stager, leaseSeconds]));
  const claimed = rows.filter((r) => r.id !== null);
  const versions = claimed.map((r): ClaimedVersion => ({
    version: r.id,
    token,
    sourceFile: r.source_file,
    size: r.source_size,
    mtimeMs: r.source_mtime_ms,
    sha1: r.source_sha1,
    attempts: r.attempts,
    attemptId: `${r.id}-${token.replaceAll('-', '')}`,
    previous:
      r.run_id === null
        ? undefined
        : { runId: r.run_id, path: r.run_path!, size: r.run_size!, mtimeMs: r.run_mtime_ms!, sha1: r.run_sha1!, dataSchema: null },
  }));
  const expiresAt = claimed[0]?.lease_expires_at ?? new Date(Date.now() + leaseSeconds * 1000);
  return { token, stager, leaseSeconds, expiresAt, versions, exhausted: rows[0]?.exhausted ?? 0 };
}

/**
 * One statement: pick (SKIP LOCKED: claimers never wait on each other, nor take the same row), reject the
 * exhausted among them, claim the rest, and read each one's current run. A last row with a null id carries the
 * count of exhausted versions when nothing was claimed.
 */
function claimSql(c: CatalogLayout): string {
  return `WITH picked AS (
      SELECT id, attempts FROM ${c.sourceFiles}
       WHERE state = 'queued' OR (state = 'claimed' AND lease_expires_at <= clock_timestamp())
       ORDER BY id
       LIMIT $1
       FOR UPDATE SKIP LOCKED
    ), exhausted AS (
      UPDATE ${c.sourceFiles} s
         SET state = 'rejected', outcome = 'exhausted', finished_at = clock_timestamp()
        FROM picked p
       WHERE s.id = p.id AND p.attempts >= $2
      RETURNING s.id, s.source_file, s.source_size, s.source_mtime_ms, s.attempts
    ), exhausted_rejects AS (
      INSERT INTO ${c.rejects} AS j (source_file, error, error_type, ts, source_size, source_mtime_ms, _source_version)
      SELECT DISTINCT ON (source_file) source_file,
             format('%s: stagers took it %s times and none finished it (each died or stalled past its lease); it is tried again once it changes.', source_file, attempts),
             'internal', clock_timestamp(), source_size, source_mtime_ms, id
        FROM exhausted ORDER BY source_file, id DESC
      ON CONFLICT (source_file) DO UPDATE
         SET error = EXCLUDED.error, error_type = EXCLUDED.error_type, ts = EXCLUDED.ts, source_size = EXCLUDED.source_size,
             source_mtime_ms = EXCLUDED.source_mtime_ms, _source_version = EXCLUDED._source_version
       WHERE j._source_version < EXCLUDED._source_version
    ), claimed AS (
      UPDATE ${c.sourceFiles} s
         SET state = 'claimed', claim_token = $3, claimed_by = $4, claimed_at = clock_timestamp(),
             lease_expires_at = clock_timestamp() + make_interval(secs => $5), attempts = s.attempts + 1
        FROM picked p
       WHERE s.id = p.id AND p.attempts < $2
      RETURNING s.id, s.source_file, s.source_size, s.source_mtime_ms, s.source_sha1, s.attempts, s.lease_expires_at
    ), counted AS (SELECT count(*)::int AS exhausted FROM exhausted)
    SELECT k.id, k.source_file, k.source_size, k.source_mtime_ms, k.source_sha1, k.attempts, k.lease_expires_at, n.exhausted,
           r.run_id, r.path AS run_path, r.source_size AS run_size, r.source_mtime_ms AS run_mtime_ms, r.source_sha1 AS run_sha1
      FROM counted n
      LEFT JOIN claimed k ON true
      LEFT JOIN ${c.runs} r ON r.source_file = k.source_file
     ORDER BY k.id`;
}

export interface LeaseRenewal {
  /** The versions still held, with the new expiry. */
  readonly held: readonly number[];
  /** The versions asked for that the claim no longer holds (lease ran out, claimed again, or committed). */
  readonly lost: readonly number[];
  readonly expiresAt: Date | null;
}

/** Extends the lease of the `versions` a claim still holds by `leaseSeconds` from now; one round trip. */
export async function renewLease(
  db: CatalogStatements,
  layout: CatalogLayout,
  token: string,
  versions: readonly number[],
  leaseSeconds: number,
): Promise<LeaseRenewal> {
  if (!(leaseSeconds > 0)) throw new StrataError('usage', `a lease must be more than 0 s (got ${leaseSeconds})`);
  const rows = await db.query<{ id: number; lease_expires_at: Date }>(
    `UPDATE ${layout.sourceFiles}
        SET lease_expires_at = clock_timestamp() + make_interval(secs => $3)
      WHERE id = ANY($2::bigint[]) AND claim_token = $1 AND state = 'claimed' AND lease_expires_at > clock_timestamp()
      RETURNING id, lease_expires_at`,
    [token, versions, leaseSeconds],
  );
  const held = new Set(rows.map((r) => r.id));
  return { held: [...held], lost: versions.filter((v) => !held.has(v)), expiresAt: rows[0]?.lease_expires_at ?? null };
}

/**
 * Hands `versions` back to the queue unstarted (a stager asked to stop finishes what it has in hand and releases
 * the rest): they are queued again at once, and the claim does not count as an attempt. Returns those released.
 */
export async function releaseVersions(db: CatalogStatements, layout: CatalogLayout, token: string, versions: readonly number[]): Promise<readonly number[]> {
  const rows = await db.query<{ id: number }>(
    `UPDATE ${layout.sourceFiles}
        SET state = 'queued', claim_token = NULL, claimed_by = NULL, claimed_at = NULL, lease_expires_at = NULL,
            attempts = greatest(attempts - 1, 0)
      WHERE id = ANY($2::bigint[]) AND claim_token = $1 AND state = 'claimed'
      RETURNING id`,
    [token, versions],
  );
  return rows.map((r) => r.id);
}
