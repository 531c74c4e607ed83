// Which data files are orphans: every attempt writes its own file, and only the catalog says which one is live
// (the one its run's `path` names). The sweeper lists the storage and asks; this module answers, and never deletes.
import { StrataError } from '../errors.js';
import type { CatalogLayout } from './catalog-layout.js';
import type { CatalogStatements } from './catalog-session.js';

/** A data file as the storage lists it. */
export interface DataFileEntry {
  /** Relative to the stage root, forward slashes: as a run's `path` names it. */
  readonly path: string;
  readonly modified: Date;
}

export interface OrphanQuery {
  /**
   * Files younger than this are kept whatever: the longest lease a stager takes (the rule), and time for
   * readers of the last manifest.parquet snapshot.
   */
  readonly minAgeMs: number;
  /** How far the storage's clock may be from PostgreSQL's. A minute unless said. */
  readonly clockSkewMs?: number;
  /** Entries asked about per statement. */
  readonly batch?: number;
}

/**
 * The files of `listing` that no run names and none ever will: older than `minAgeMs`, and written before every
 * claim still held began (an attempt writes its file after its claim, and commits only while it holds the claim).
 *
 * Expired claims are handed back to the queue first. That UPDATE waits for any commit holding their rows, and
 * once it is done their tokens are gone, so no attempt that is not holding a claim now can make a file live
 * later; the question after it sees every commit that got in. Yields orphan paths batch by batch.
 */
export async function* orphanDataFiles(
  db: CatalogStatements,
  layout: CatalogLayout,
  listing: Iterable<DataFileEntry> | AsyncIterable<DataFileEntry>,
  query: OrphanQuery,
): AsyncGenerator<string> {
  const { minAgeMs, clockSkewMs = 60_000, batch = 5_000 } = query;
  if (!(minAgeMs >= 0) || !(clockSkewMs >= 0)) throw new StrataError('usage', `the sweeper's ages must be at least 0 ms (got ${minAgeMs}, ${clockSkewMs})`);
  await expireLapsedClaims(db, layout);
  let pending: DataFileEntry[] = [];
  const ask = async () => {
    const sent = pending;
    pending = [];
    const rows = await db.query<{ path: string }>(orphanSql(layout), [sent.map((e) => e.path), sent.map((e) => e.modified), minAgeMs, clockSkewMs]);
    return rows.map((r) => r.path);
  };
  for await (const entry of listing) {
    pending.push(entry);
    if (pending.length >= batch) yield* await ask();
  }
  if (pending.length > 0) yield* await ask();
}

/**
 * Whether this stager sweeps now: true, and the sweep recorded as done now, when nobody has swept for `afterMs`.
 * One stager sweeps at a time, however many run: a sweep lists the whole lake.
 */
export async function takeSweepTurn(db: CatalogStatements, layout: CatalogLayout, afterMs: number): Promise<boolean> {
  const rows = await db.query<{ one_row: boolean }>(
    `UPDATE ${layout.sweeps} SET swept_at = clock_timestamp()
      WHERE swept_at <= clock_timestamp() - make_interval(secs => $1::float8 / 1000)
      RETURNING one_row`,
    [afterMs],
  );
  return rows.length > 0;
}

/** Claims whose lease ran out go back to the queue, tokens and all (the next claim would take them anyway). */
export async function expireLapsedClaims(db: CatalogStatements, layout: CatalogLayout): Promise<number> {
  const rows = await db.query<{ id: number }>(
    `UPDATE ${layout.sourceFiles}
        SET state = 'queued', claim_token = NULL, claimed_by = NULL, claimed_at = NULL, lease_expires_at = NULL
      WHERE state = 'claimed' AND lease_expires_at <= clock_timestamp()
      RETURNING id`,
  );
  return rows.length;
}

function orphanSql(c: CatalogLayout): string {
  return `WITH listing AS (
      SELECT * FROM unnest($1::text[], $2::timestamptz[]) AS l(path, modified)
    ), barrier AS (
      SELECT min(claimed_at) AS since FROM ${c.sourceFiles} WHERE state = 'claimed'
    )
    SELECT l.path FROM listing l, barrier b
     WHERE l.modified < clock_timestamp() - make_interval(secs => $3::float8 / 1000)
       AND (b.since IS NULL OR l.modified < b.since - make_interval(secs => $4::float8 / 1000))
       AND NOT EXISTS (SELECT 1 FROM ${c.runs} r WHERE r.path = l.path)`;
}
