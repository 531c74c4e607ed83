// The catalog: a lake's state in PostgreSQL, one object for the discoverers, stagers, readers and the sweeper.
import { SQL_TYPE_OF, type ManifestColumn, type ParameterColumn } from '../lake/manifest-columns.js';
import type { ManifestRow } from '../lake/manifest-row.js';
import type { LakeColumn, LakeSchemas } from '../lake/procedure-schemas.js';
import type { RejectRecord } from '../lake/reject-records.js';
import { catalogLayout, type CatalogLayout } from './catalog-layout.js';
import { migrateCatalog } from './catalog-migrations.js';
import type { CatalogSession } from './catalog-session.js';
import { commitAttempts, type AttemptOutcome, type CommitResult } from './commit-attempts.js';
import { orphanDataFiles, takeSweepTurn, type DataFileEntry, type OrphanQuery } from './data-file-sweep.js';
import {
  catalogManifestColumns,
  readCatalogRejects,
  readCatalogRuns,
  snapshotCatalogManifest,
  type RunsQuery,
  type SnapshotBatch,
} from './manifest-reads.js';
import type { WorkListener, WorkListenerOptions } from './postgres/work-listener.js';
import {
  asLakeSchemas,
  evolveProcedureSchema,
  latestProcedureSchemas,
  procedureSchemaHistory,
  schemaOfRun,
  type SchemaVersion,
} from './procedure-versions.js';
import { addParameterColumns, describeRunsTable, parameterColumnsOf, POSTGRES_TYPE_OF, type TableColumn } from './run-columns-table.js';
import { claimVersions, releaseVersions, renewLease, type Claim, type ClaimRequest, type LeaseRenewal } from './source-claims.js';
import { enqueueSourceVersions, queueStatus, type EnqueueResult, type QueueStatus, type SourceFileVersion } from './source-queue.js';

export interface CatalogOptions {
  /** The schema the catalog lives in: `strata` unless said (lower-case letters, digits, `_`). */
  readonly schema?: string;
  /** Bring the catalog's tables up to date on opening (idempotent, safe from many processes at once). Yes unless said. */
  readonly migrate?: boolean;
  readonly maxConnections?: number;
  /** Shown in pg_stat_activity. */
  readonly applicationName?: string;
}

export interface Catalog {
  readonly layout: CatalogLayout;
  /** host:port/database, for messages. */
  readonly where: string;

  // Discoverers
  /** Offers source file versions; the new ones are queued and the stagers woken. One round trip per batch. */
  enqueue(versions: Iterable<SourceFileVersion>, batch?: number): Promise<EnqueueResult>;
  status(): Promise<QueueStatus>;

  // Stagers
  /** Calls `onWake` whenever work may be waiting (LISTEN on a connection of its own, reconnected when lost). */
  listen(options: WorkListenerOptions): WorkListener;
  claim(request: ClaimRequest): Promise<Claim>;
  renew(token: string, versions: readonly number[], leaseSeconds: number): Promise<LeaseRenewal>;
  release(token: string, versions: readonly number[]): Promise<readonly number[]>;
  /** Records outcomes under their attempts' fences; `parameterColumns` are added to the runs table first if new. */
  commit(outcomes: readonly AttemptOutcome[], parameterColumns: readonly ParameterColumn[]): Promise<CommitResult[]>;
  /** The procedure's schema version for a file with `wanted` columns (a new version when it adds any). */
  evolveSchema(proc: string, wanted: readonly LakeColumn[], sourceFile: string | null): Promise<SchemaVersion>;

  // Readers
  runs(query?: RunsQuery): Promise<ManifestRow[]>;
  manifestColumns(): Promise<ManifestColumn[]>;
  parameterColumns(): Promise<ParameterColumn[]>;
  snapshot(write: (batch: SnapshotBatch) => Promise<void> | void, batch?: number): Promise<{ readonly rows: number; readonly columns: readonly ManifestColumn[] }>;
  rejects(): Promise<Map<string, RejectRecord>>;
  latestSchemas(): Promise<Map<string, SchemaVersion>>;
  schemaHistory(proc?: string): Promise<SchemaVersion[]>;
  lakeSchemas(): Promise<LakeSchemas>;
  schemaOfRun(runId: string): Promise<SchemaVersion | undefined>;

  // The sweeper
  orphanDataFiles(listing: Iterable<DataFileEntry> | AsyncIterable<DataFileEntry>, query: OrphanQuery): AsyncGenerator<string>;
  /** True when nobody has swept for `afterMs` (this caller sweeps now, and that is recorded); else false. */
  takeSweepTurn(afterMs: number): Promise<boolean>;

  /** Round trips to PostgreSQL so far (the listener's own connection aside). */
  roundTrips(): number;
  close(): Promise<void>;
}

export async function openCatalog(url: string, options: CatalogOptions = {}): Promise<Catalog> {
  const layout = catalogLayout(options.schema);
  // pg is loaded when a catalog is opened, not with the library: a local lake never loads it.
  const [{ openPostgresSession }, { listenForWork }] = await Promise.all([import('./postgres/postgres-session.js'), import('./postgres/work-listener.js')]);
  const session = await openPostgresSession(url, {
    ...(options.maxConnections === undefined ? {} : { maxConnections: options.maxConnections }),
    ...(options.applicationName === undefined ? {} : { applicationName: options.applicationName }),
  });
  try {
    if (options.migrate ?? true) await migrateCatalog(session, layout);
  } catch (error) {
    await session.close();
    throw error;
  }
  return catalogOver(session, layout, (listenOptions) => listenForWork(url, layout.workChannel, listenOptions));
}

function catalogOver(session: CatalogSession, layout: CatalogLayout, listen: Catalog['listen']): Catalog {
  // The runs table's columns and their types as last seen: a commit adds what it lacks (or refuses a changed
  // type), and asks again only then.
  let columns: Map<string, string> | undefined;
  const seen = (table: readonly TableColumn[]) => (columns = new Map(table.map((c) => [c.name, c.type])));
  // The latest schema version of each procedure as last seen: a file with no new column costs no round trip.
  const schemas = new Map<string, SchemaVersion>();

  return {
    layout,
    where: session.where,
    enqueue: (versions, batch) => enqueueSourceVersions(session, layout, versions, batch),
    status: () => queueStatus(session, layout),
    listen,
    claim: (request) => claimVersions(session, layout, request),
    renew: (token, versions, leaseSeconds) => renewLease(session, layout, token, versions, leaseSeconds),
    release: (token, versions) => releaseVersions(session, layout, token, versions),
    async commit(outcomes, parameterColumns) {
      let known = columns ?? seen(await describeRunsTable(session, layout));
      if (parameterColumns.some((p) => known.get(p.name) !== POSTGRES_TYPE_OF[SQL_TYPE_OF[p.type]])) {
        known = seen(await addParameterColumns(session, layout, parameterColumns));
      }
      return commitAttempts(session, layout, outcomes, new Set(known.keys()));
    },
    async evolveSchema(proc, wanted, sourceFile) {
      const cached = schemas.get(proc);
      if (cached !== undefined && wanted.every((w) => cached.columns.some((c) => c.name === w.name))) return cached;
      const version = await evolveProcedureSchema(session, layout, proc, wanted, sourceFile);
      schemas.set(proc, version);
      return version;
    },
    runs: (query) => readCatalogRuns(session, layout, query),
    manifestColumns: () => catalogManifestColumns(session, layout),
    parameterColumns: async () => parameterColumnsOf(await describeRunsTable(session, layout)),
    snapshot: (write, batch) => snapshotCatalogManifest(session, layout, write, batch),
    rejects: () => readCatalogRejects(session, layout),
    latestSchemas: () => latestProcedureSchemas(session, layout),
    schemaHistory: (proc) => procedureSchemaHistory(session, layout, proc),
    lakeSchemas: async () => asLakeSchemas(await procedureSchemaHistory(session, layout)),
    schemaOfRun: (runId) => schemaOfRun(session, layout, runId),
    orphanDataFiles: (listing, query) => orphanDataFiles(session, layout, listing, query),
    takeSweepTurn: (afterMs) => takeSweepTurn(session, layout, afterMs),
    roundTrips: () => session.roundTrips(),
    close: () => session.close(),
  };
}
