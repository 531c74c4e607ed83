// The fenced commit: what attempts produced (runs, rejects, unchanged files) is recorded only for attempts whose
// claim is still their own, checked in the same statement that writes the run rows: delivery at least once,
// effect exactly once. A batch of outcomes is one round trip.
import type { ManifestRow } from '../lake/manifest-row.js';
import type { RejectKind } from '../lake/reject-records.js';
import { StrataError } from '../errors.js';
import type { CatalogLayout } from './catalog-layout.js';
import { retryingRaces, type CatalogStatements } from './catalog-session.js';
import type { Attempt } from './source-claims.js';

/** What an attempt at a claimed version came to. */
export type AttemptOutcome =
  /** A run, its data file written (uniquely named for this attempt) and named by `row.path`. */
  | { readonly kind: 'staged'; readonly attempt: Attempt; readonly row: ManifestRow }
  | { readonly kind: 'rejected'; readonly attempt: Attempt; readonly errorType: RejectKind; readonly error: string; readonly at?: Date }
  /** The same bytes (`sha1`) as the source's run: only the mtime moved, so the run stays and takes the new mtime. */
  | { readonly kind: 'unchanged'; readonly attempt: Attempt; readonly sha1: string }
  /** The file on disk is no longer this version (it changed since it was queued): the newer version is staged instead. */
  | { readonly kind: 'stale'; readonly attempt: Attempt };

/** What the catalog did with an outcome. */
export type CommitResult =
  | { readonly kind: 'committed'; readonly version: number }
  /** A newer version of the same source was recorded first: nothing was written, the data file is not live. */
  | { readonly kind: 'superseded'; readonly version: number }
  /** The claim is no longer this attempt's (lease ran out, claimed again): nothing was written. */
  | { readonly kind: 'refused'; readonly version: number }
  /** Another source's run has this run id (a path that differs only by letter case): still claimed; reject it. */
  | { readonly kind: 'run-id-taken'; readonly version: number; readonly runId: string; readonly owner: string }
  /** `unchanged`, but the source's run no longer has those bytes: still claimed; stage it. */
  | { readonly kind: 'restage'; readonly version: number };

/**
 * Records `outcomes`, each under its own attempt's fence. Outcomes that touch the same source file or run id go
 * in separate statements (in the order given), so one statement never writes a row twice; usually that is one.
 * `columns` are the runs table's columns: a row with any other field is refused here rather than cut silently.
 */
export async function commitAttempts(
  db: CatalogStatements,
  layout: CatalogLayout,
  outcomes: readonly AttemptOutcome[],
  columns: ReadonlySet<string>,
): Promise<CommitResult[]> {
  for (const outcome of outcomes) checkOutcome(outcome, columns);
  const results = new Map<number, CommitResult>();
  for (const round of separateRounds(outcomes)) {
    const items = round.map(itemOf);
    const rows = await retryingRaces(() =>
      db.query<{ version: number; result: CommitResult['kind']; owner: string | null; run_id: string | null }>(commitSql(layout), [JSON.stringify(items)]),
    );
    for (const r of rows) {
      results.set(
        r.version,
        r.result === 'run-id-taken' ? { kind: r.result, version: r.version, runId: r.run_id!, owner: r.owner! } : { kind: r.result, version: r.version },
      );
    }
  }
  return outcomes.map((o) => results.get(o.attempt.version)!);
}

function checkOutcome(outcome: AttemptOutcome, columns: ReadonlySet<string>): void {
  if (outcome.kind !== 'staged') return;
  const { row, attempt } = outcome;
  if (row.source_file !== attempt.sourceFile) {
    throw new StrataError('internal', `a run of ${row.source_file} was committed under the claim of ${attempt.sourceFile}`, { version: attempt.version });
  }
  for (const name of Object.keys(row)) {
    if (!columns.has(name)) {
      throw new StrataError('internal', `the run of ${row.source_file} has a column the catalog's runs table lacks (${name}): add its parameter columns first`, { column: name });
    }
  }
}

/** Rounds in which no two outcomes share a source file or (staged) run id; each keeps the order given. */
function separateRounds(outcomes: readonly AttemptOutcome[]): AttemptOutcome[][] {
  const rounds: { outcomes: AttemptOutcome[]; keys: Set<string> }[] = [];
  for (const outcome of outcomes) {
    const keys = [`f:${outcome.attempt.sourceFile}`, ...(outcome.kind === 'staged' ? [`r:${outcome.row.run_id}`] : [])];
    // After the last round holding any of its keys, so that a later version is recorded after an earlier one.
    let after = -1;
    rounds.forEach((r, i) => {
      if (keys.some((k) => r.keys.has(k))) after = i;
    });
    const round = rounds[after + 1] ?? (rounds[after + 1] = { outcomes: [], keys: new Set() });
    round.outcomes.push(outcome);
    for (const k of keys) round.keys.add(k);
  }
  return rounds.map((r) => r.outcomes);
}

function itemOf(outcome: AttemptOutcome): Record<string, unknown> {
  const { version, token, sourceFile } = outcome.attempt;
  const base = { v: version, t: token, f: sourceFile, k: outcome.kind };
  switch (outcome.kind) {
    case 'staged':
      return { ...base, row: withoutNulls(outcome.row) };
    case 'rejected':
      return { ...base, error: outcome.error, error_type: outcome.errorType, ts: (outcome.at ?? null)?.toISOString() ?? null };
    case 'unchanged':
      return { ...base, sha1: outcome.sha1 };
    case 'stale':
      return base;
  }
}

/**
 * The row as the statement reads it: `jsonb_populate_record` makes a missing field null, so null fields (most of a
 * run's parameter columns, which belong to other procedures) are not sent, and the statement is half as long.
 */
function withoutNulls(row: ManifestRow): Record<string, unknown> {
  const sent: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(row)) if (value !== null) sent[name] = value;
  return sent;
}

/**
 * One statement. `fenced` marks the versions whose claim is still the attempt's (token, state, lease) and is
 * the only source of every write after it, so a refused attempt writes nothing. A run replaces its source's run
 * only when it comes from a later version; the DELETE runs to its end before the INSERT (the InitPlan on
 * `replaced`), so a run that keeps its run id replaces itself. Rejects are kept per source, the latest version's,
 * and only while no later version has a run.
 */
function commitSql(c: CatalogLayout): string {
  return `WITH items AS (
      SELECT (e->>'v')::bigint AS version, (e->>'t')::uuid AS token, e->>'f' AS source_file, e->>'k' AS kind, e->'row' AS row,
             e->>'sha1' AS sha1, e->>'error' AS error, e->>'error_type' AS error_type, (e->>'ts')::timestamptz AS ts
        FROM jsonb_array_elements($1::jsonb) AS e
    ), taken AS (
      SELECT i.version, r.source_file AS owner, r.run_id
        FROM items i JOIN ${c.runs} r ON r.run_id = i.row->>'run_id' AND r.source_file <> i.source_file
       WHERE i.kind = 'staged'
    ), restage AS (
      SELECT i.version FROM items i
       WHERE i.kind = 'unchanged' AND NOT EXISTS (SELECT 1 FROM ${c.runs} r WHERE r.source_file = i.source_file AND r.source_sha1 = i.sha1)
    ), fenced AS (
      UPDATE ${c.sourceFiles} s
         SET state = CASE WHEN i.kind = 'rejected' THEN 'rejected' ELSE 'done' END,
             outcome = i.kind, finished_at = clock_timestamp(), run_id = i.row->>'run_id'
        FROM items i
       WHERE s.id = i.version AND s.claim_token = i.token AND s.state = 'claimed' AND s.lease_expires_at > clock_timestamp()
         AND s.source_file = i.source_file
         AND NOT EXISTS (SELECT 1 FROM taken t WHERE t.version = i.version)
         AND NOT EXISTS (SELECT 1 FROM restage x WHERE x.version = i.version)
      RETURNING s.id AS version, s.source_file, s.source_size, s.source_mtime_ms, i.kind, i.row, i.error, i.error_type, i.ts
    ), replaced AS (
      DELETE FROM ${c.runs} r USING fenced f
       WHERE f.kind = 'staged' AND r.source_file = f.source_file AND r._source_version < f.version
      RETURNING r.source_file
    ), inserted AS (
      INSERT INTO ${c.runs}
      SELECT p.* FROM fenced f
       CROSS JOIN LATERAL jsonb_populate_record(NULL::${c.runs}, f.row || jsonb_build_object('_source_version', f.version, '_committed_at', clock_timestamp())) AS p
       WHERE f.kind = 'staged' AND (SELECT count(*) FROM replaced) >= 0
         AND NOT EXISTS (SELECT 1 FROM ${c.runs} r WHERE r.source_file = f.source_file AND r._source_version > f.version)
      RETURNING _source_version AS version, source_file
    ), touched AS (
      UPDATE ${c.runs} r SET source_mtime_ms = f.source_mtime_ms, _source_version = f.version, _committed_at = clock_timestamp()
        FROM fenced f
       WHERE f.kind = 'unchanged' AND r.source_file = f.source_file AND r._source_version < f.version
      RETURNING r._source_version AS version, r.source_file
    ), cleared AS (
      DELETE FROM ${c.rejects} j
       USING (SELECT version, source_file FROM inserted UNION ALL SELECT version, source_file FROM touched) n
       WHERE j.source_file = n.source_file AND j._source_version < n.version
    ), rejected AS (
      INSERT INTO ${c.rejects} AS j (source_file, error, error_type, ts, source_size, source_mtime_ms, _source_version)
      SELECT f.source_file, f.error, f.error_type, coalesce(f.ts, clock_timestamp()), f.source_size, f.source_mtime_ms, f.version
        FROM fenced f
       WHERE f.kind = 'rejected'
         AND NOT EXISTS (SELECT 1 FROM ${c.runs} r WHERE r.source_file = f.source_file AND r._source_version > f.version)
      ON CONFLICT (source_file) DO UPDATE
         SET error = EXCLUDED.error, error_type = EXCLUDED.error_type, ts = EXCLUDED.ts, source_size = EXCLUDED.source_size,
             source_mtime_ms = EXCLUDED.source_mtime_ms, _source_version = EXCLUDED._source_version
       WHERE j._source_version < EXCLUDED._source_version
      RETURNING _source_version AS version
    )
    SELECT i.version,
           CASE WHEN t.version IS NOT NULL THEN 'run-id-taken'
                WHEN x.version IS NOT NULL THEN 'restage'
                WHEN f.version IS NULL THEN 'refused'
                WHEN f.kind = 'stale' OR coalesce(n.version, u.version, j.version) IS NOT NULL THEN 'committed'
                ELSE 'superseded' END AS result,
           t.owner, t.run_id
      FROM items i
      LEFT JOIN taken t ON t.version = i.version
      LEFT JOIN restage x ON x.version = i.version
      LEFT JOIN fenced f ON f.version = i.version
      LEFT JOIN inserted n ON n.version = i.version
      LEFT JOIN touched u ON u.version = i.version
      LEFT JOIN rejected j ON j.version = i.version`;
}
