// Reading the manifest out of the catalog: the runs as the Parquet manifest's readers get them (same columns,
// same JS values, same row order), filtered or whole, and a consistent snapshot streamed in batches.
import type { ManifestColumn } from '../lake/manifest-columns.js';
import type { ManifestRow } from '../lake/manifest-row.js';
import type { RejectKind, RejectRecord } from '../lake/reject-records.js';
import type { RunFilter } from '../lake/run-filter.js';
import { quoteIdentifier } from '../sql/quote.js';
import type { CatalogLayout } from './catalog-layout.js';
import type { CatalogParam, CatalogSession, CatalogStatements } from './catalog-session.js';
import { describeRunsTable, manifestColumnsOf } from './run-columns-table.js';

/** The manifest file's row order (manifest-store.ts): text by its bytes (C collation), nulls last. */
const MANIFEST_ORDER = 'chip_group COLLATE "C", chip_number, start_time_utc, file_idx, run_id COLLATE "C"';

/** The local calendar date of a run in the zone `$n` names: its start time's, else its `date_local`. */
const localDate = (zone: string) => `coalesce(to_char(start_time_utc AT TIME ZONE ${zone}, 'YYYY-MM-DD'), date_local)`;

export interface RunsQuery {
  readonly filter?: RunFilter;
  /** The IANA zone `from` and `to` are local dates in (the lab's `local_tz`); UTC unless said. */
  readonly timeZone?: string;
}

/** A WHERE clause on the runs table and its parameters, as history's whereClause (manifest-query.ts) filters. */
export function runsWhere(filter: RunFilter = {}, timeZone = 'UTC'): { readonly sql: string; readonly params: CatalogParam[] } {
  const terms: string[] = ['true'];
  const params: CatalogParam[] = [];
  const param = (value: CatalogParam) => `$${params.push(value)}`;
  if (filter.chip !== undefined) terms.push(`chip_number = ${param(filter.chip)}`);
  if (filter.group !== undefined) terms.push(`lower(chip_group) = lower(${param(filter.group)})`);
  if (filter.proc !== undefined) terms.push(`lower(proc) = lower(${param(filter.proc)})`);
  if (filter.from !== undefined || filter.to !== undefined) {
    const zone = param(timeZone);
    if (filter.from !== undefined) terms.push(`${localDate(zone)} >= ${param(filter.from)}`);
    if (filter.to !== undefined) terms.push(`${localDate(zone)} <= ${param(filter.to)}`);
  }
  if (filter.light !== undefined) terms.push(`has_light = ${param(filter.light)}`);
  return { sql: terms.join(' AND '), params };
}

const selectList = (columns: readonly ManifestColumn[]) => columns.map((c) => quoteIdentifier(c.name)).join(', ');

/** The manifest's columns as the catalog holds them now. */
export async function catalogManifestColumns(db: CatalogStatements, layout: CatalogLayout): Promise<ManifestColumn[]> {
  return manifestColumnsOf(await describeRunsTable(db, layout));
}

/** The runs `query` selects, in the manifest's order, each as readManifest gives a Parquet manifest's row. */
export async function readCatalogRuns(db: CatalogStatements, layout: CatalogLayout, query: RunsQuery = {}): Promise<ManifestRow[]> {
  const columns = await catalogManifestColumns(db, layout);
  const where = runsWhere(query.filter, query.timeZone);
  return db.query<ManifestRow>(`SELECT ${selectList(columns)} FROM ${layout.runs} WHERE ${where.sql} ORDER BY ${MANIFEST_ORDER}`, where.params);
}

export interface SnapshotBatch {
  /** The manifest's columns, the same for every batch of a snapshot. */
  readonly columns: readonly ManifestColumn[];
  readonly rows: readonly ManifestRow[];
}

/**
 * The whole manifest as it was at one instant (a REPEATABLE READ transaction), in the manifest's order, handed to
 * `write` `batch` rows at a time through a cursor: memory holds one batch, whatever the lake's size. An empty
 * manifest is one batch of no rows, so that `write` still learns the columns. Returns the rows written. A row as pg
 * returns it is an object of every column (tens of bytes a cell, most of them null), held twice over while the next
 * batch is fetched: a watcher asks for smaller batches, so that its snapshots do not take more memory as the lake
 * grows.
 */
export async function snapshotCatalogManifest(
  session: CatalogSession,
  layout: CatalogLayout,
  write: (batch: SnapshotBatch) => Promise<void> | void,
  batch = 2_000,
): Promise<{ readonly rows: number; readonly columns: readonly ManifestColumn[] }> {
  return session.transaction(async (tx) => {
    const columns = await catalogManifestColumns(tx, layout);
    await tx.query(`DECLARE manifest_snapshot NO SCROLL CURSOR FOR SELECT ${selectList(columns)} FROM ${layout.runs} ORDER BY ${MANIFEST_ORDER}`);
    const fetch = () => {
      const rows = tx.query<ManifestRow>(`FETCH ${Math.max(1, Math.trunc(batch))} FROM manifest_snapshot`);
      rows.catch(() => {}); // a batch fetched ahead of a write that failed: the transaction's failure is the one to tell
      return rows;
    };
    let total = 0;
    let next = fetch();
    for (;;) {
      const rows = await next;
      const more = rows.length >= batch;
      // The server reads the next batch while this one is written.
      if (more) next = fetch();
      if (rows.length > 0 || total === 0) await write({ columns, rows });
      total += rows.length;
      if (!more) break;
    }
    await tx.query('CLOSE manifest_snapshot');
    return { rows: total, columns };
  }, 'repeatable read only');
}

/** The reject records the catalog holds, by source file, as `_rejects/*.json` hold them in a local lake. */
export async function readCatalogRejects(db: CatalogStatements, layout: CatalogLayout): Promise<Map<string, RejectRecord>> {
  const rows = await db.query<{ source_file: string; error: string; error_type: RejectKind; ts: Date; source_size: number; source_mtime_ms: number }>(
    `SELECT source_file, error, error_type, ts, source_size, source_mtime_ms FROM ${layout.rejects} ORDER BY source_file COLLATE "C"`,
  );
  return new Map(rows.map((r) => [r.source_file, { ...r, ts: r.ts.toISOString() }]));
}
