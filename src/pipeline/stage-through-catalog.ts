// `strata stage --catalog postgres://...`: staging a lake whose state lives in PostgreSQL, by any number of stagers
// on any number of machines. A stager claims a batch of queued source file versions (a lease and a token), stages
// them on its warm workers, writes each run's data file under a name of its own attempt, and commits the batch
// under the claim's fence: a stager that died or stalled past its lease commits nothing. manifest.parquet is
// written from the catalog as a snapshot, and data files no run names are swept once older than any lease.
import { statSync } from 'node:fs';
import path from 'node:path';
import type { StagingConfig } from '../config/staging-config.js';
import type { Catalog } from '../catalog/open-catalog.js';
import type { AttemptOutcome, CommitResult } from '../catalog/commit-attempts.js';
import type { Claim, ClaimedVersion } from '../catalog/source-claims.js';
import type { SchemaVersion } from '../catalog/procedure-versions.js';
import { wakeOnChange } from '../discover/wake-on-change.js';
import { WHOLE_WALK_WATCHED_MS, walkSchedule } from '../discover/walk-schedule.js';
import type { RawFile } from '../discover/discover-raw-files.js';
import { isUrlLocation } from '../lake/lake-layout.js';
import type { StageEvent } from '../lake/events-log.js';
import type { S3Settings } from '../storage/s3/s3-settings.js';
import { openCatalogLakeFiles, type CatalogEvents, type CatalogLakeFiles } from './catalog-lake-files.js';
import { attemptDataPath } from '../lake/partition-path.js';
import { initialSchema, withFoundColumns, type LakeColumn, type ProcedureSchema } from '../lake/procedure-schemas.js';
import type { ChipParams } from '../parse/run-identity.js';
import { StrataError } from '../errors.js';
import { loadCachedCatalog } from '../schema/cached-catalog.js';
import type { ProcedureCatalog } from '../schema/procedures-schema.js';
import { offerRawFiles, type OfferPass } from './offer-raw-files.js';
import { checkRunRow, writeReject } from './publish-run.js';
import type { FileOutcome, WorkerOutcome } from './stage-file.js';
import { startStageWorkers, type StageWorkers } from './stage-workers.js';
import type { StageOptions } from './stage-raw-files.js';

export type CatalogRole = 'both' | 'discover' | 'stage';

export interface CatalogStageOptions extends StageOptions {
  readonly catalog: Catalog;
  /** Who claims: host and pid, recorded with each claim. */
  readonly stager: string;
  /** Keep running (with `signal` to stop); otherwise stop once nothing is left to claim. */
  readonly watch: boolean;
  /** Discover and offer files, claim and stage them, or both (the default). */
  readonly role?: CatalogRole;
  readonly leaseSeconds?: number;
  /** Versions claimed at once (one round trip to claim them, one to commit them). */
  readonly batch?: number;
  readonly pollMs?: number;
  readonly statusMs?: number;
  /**
   * How often a watcher writes manifest.parquet from the catalog when runs were committed (default 30 s); never more
   * often than ten times the last one took, so that a large lake's snapshot takes at most a tenth of the stager.
   */
  readonly snapshotMs?: number;
  /** How often the lake's data files that no run names are swept, by one watcher at a time (default 10 min). */
  readonly sweepMs?: number;
  readonly onStatus?: (status: CatalogStageStatus) => void;
  /** How to reach S3 when the stage root is `s3://...` (the CLI reads the standard AWS variables). */
  readonly s3?: S3Settings;
}

export interface CatalogStageStatus {
  readonly at: string;
  readonly staged: number;
  readonly rejected: number;
  /** Versions queued or claimed by anyone, not done yet. */
  readonly waiting: number;
  /** How long the oldest waiting version has waited, in seconds (null when none waits). */
  readonly lagSeconds: number | null;
  readonly roundTrips: number;
}

export interface CatalogStageSummary {
  readonly ok: number;
  readonly rejected: number;
  /** Versions whose bytes had not changed (only the mtime moved): nothing staged. */
  readonly unchanged: number;
  /** Attempts the catalog refused or found superseded (another stager's attempt counts): their files removed. */
  readonly refused: number;
  readonly rows: number;
  readonly queued: number;
  readonly swept: number;
  readonly roundTrips: number;
  readonly seconds: number;
  readonly manifest: string;
  readonly events: string;
  readonly rejects: readonly { readonly source_file: string; readonly error: string }[];
}

const DEFAULTS: Readonly<Record<'leaseSeconds' | 'batch' | 'pollMs' | 'statusMs' | 'snapshotMs' | 'sweepMs', number>> = {
  leaseSeconds: 60,
  // A batch costs a claim, a commit, a syncfs and a moment when one worker has finished and the other has not:
  // 20,000 small files went through one stager about a sixth faster in batches of 256 than of 64. A watcher's
  // trickle claims what is queued, however few.
  batch: 256,
  pollMs: 1000,
  statusMs: 10_000,
  snapshotMs: 30_000,
  sweepMs: 600_000,
};

/** A watcher's snapshots are at least this many times their own duration apart. */
const SNAPSHOT_SHARE = 10;
/**
 * Runs a watcher's snapshots read at a time: a row from pg is an object of every column, and a watcher's memory must
 * not grow with the lake (a one-shot run's last snapshot takes the default, 2,000, in fewer round trips).
 */
const WATCH_SNAPSHOT_BATCH = 250;
/** How often a watcher asks whether it is its turn to sweep (one round trip). */
const SWEEP_ASKED_EVERY_MS = 60_000;

export async function stageThroughCatalog(config: StagingConfig, options: CatalogStageOptions): Promise<CatalogStageSummary> {
  const started = performance.now();
  const { catalog, signal } = options;
  const now = options.now ?? (() => new Date());
  const role = options.role ?? 'both';
  const settings = { ...DEFAULTS, ...definedOf(options) };
  const lake = await openCatalogLakeFiles(config, now(), options.stager, options.s3);
  // A lake in object storage keeps no compiled catalog beside it: the user's cache folder does.
  const caches = isUrlLocation(config.stageRoot) ? (options.catalogCaches ?? []) : [lake.layout.catalogCache, ...(options.catalogCaches ?? [])];
  const procedures = await loadCachedCatalog(config.proceduresYaml, ...caches);
  const chipParams = config.chipParams === undefined ? undefined : (await import('../config/chip-params.js')).loadChipParams(config.chipParams);
  const events = lake.events;
  const stager = role === 'discover' ? undefined : await startCatalogStager(config, options, lake, procedures, chipParams, events, now);
  // The file system is watched by a resident discoverer; a stager alone is woken by the catalog's notifications.
  const wake = wakeOnChange(options.watch && role !== 'stage' ? config.rawRoot : undefined);
  const listener = role === 'discover' ? undefined : catalog.listen({ onWake: () => wake.now() });
  const offers = role === 'stage' ? undefined : offerRawFiles(catalog, config);
  await wake.ready; // a file that arrives during the first walk wakes the next
  const totals = { queued: 0, swept: 0 };
  let committedSinceSnapshot = 0;
  let lastSnapshot = now().getTime();
  let snapshotTookMs = 0;
  let lastSweepAsked = now().getTime();
  let lastStatus = now().getTime();
  const stopped = () => signal?.aborted ?? false;
  // The raw root is walked whole at the start and now and then; in between, a watcher walks only the folders where
  // the file system said something changed or a file is due to settle (the whole root every poll interval where it
  // cannot say). A walk goes on beside the staging: the stager claims what it offered first while it offers the rest.
  const schedule = walkSchedule(options.pollMs ?? (wake.watching() ? WHOLE_WALK_WATCHED_MS : settings.pollMs));
  let walk: { readonly at: number; readonly folders: readonly string[]; readonly pass: Promise<OfferPass>; ended: boolean } | undefined;
  let walked = false;
  try {
    for (;;) {
      if (walk?.ended) {
        const pass = await walk.pass;
        totals.queued += pass.queued;
        schedule.walked(walk.at, walk.folders, pass.unsettled, config.settleSeconds);
        walk = undefined;
      }
      const walkAt = now().getTime();
      // A one-shot run stages what the raw root held when it began: it walks once.
      const folders = walk !== undefined || (walked && !options.watch) ? undefined : schedule.due(walkAt, wake.takeChangedFolders());
      if (offers !== undefined && !stopped() && folders !== undefined) {
        const started = { at: walkAt, folders, pass: offers.pass(walkAt, folders), ended: false };
        // Its end wakes the wait below, which its failure ends too, to be thrown at the top of the loop.
        const ended = () => {
          started.ended = true;
          wake.now();
        };
        started.pass.then(ended, ended);
        walk = started;
        walked = true;
      }
      let claimed = 0;
      if (stager !== undefined && !stopped()) {
        const done = await stager.claimAndStage(settings.batch, settings.leaseSeconds);
        claimed = done.claimed;
        committedSinceSnapshot += done.committed;
      }
      const at = now().getTime();
      if (committedSinceSnapshot > 0 && options.watch && at - lastSnapshot >= Math.max(settings.snapshotMs, SNAPSHOT_SHARE * snapshotTookMs)) {
        await snapshotManifest(catalog, lake, WATCH_SNAPSHOT_BATCH);
        committedSinceSnapshot = 0;
        lastSnapshot = at;
        snapshotTookMs = now().getTime() - at;
      }
      if (stager !== undefined && options.watch && at - lastSweepAsked >= Math.min(settings.sweepMs, SWEEP_ASKED_EVERY_MS)) {
        lastSweepAsked = at;
        if (await catalog.takeSweepTurn(settings.sweepMs)) totals.swept += await sweepDataFiles(catalog, lake, settings.leaseSeconds);
      }
      if (options.onStatus && at - lastStatus >= settings.statusMs) {
        options.onStatus(await statusOf(catalog, stager, at));
        lastStatus = at;
      }
      if (stopped()) break;
      if (claimed > 0) continue; // more may wait: claim again at once
      if (!options.watch && walk === undefined && (stager === undefined || (await nothingLeft(catalog)))) break;
      // Until the next walk is due (a watcher), or the poll interval: a catalog notification, or the end of a walk,
      // wakes it sooner.
      const untilWalk = offers === undefined || !options.watch || walk !== undefined ? settings.pollMs : schedule.untilDue(now().getTime());
      await wake.wait(untilWalk, signal ?? new AbortController().signal);
    }
    // A watcher stopped during a walk lets it end (what it offered is queued either way).
    if (walk !== undefined) totals.queued += (await walk.pass).queued;
    walk = undefined;
    await stager?.close();
    if (stager !== undefined) {
      await snapshotManifest(catalog, lake);
      // Nothing is old enough to be swept sooner than twice the lease after the last sweep.
      if (await catalog.takeSweepTurn(2 * settings.leaseSeconds * 1000)) totals.swept += await sweepDataFiles(catalog, lake, settings.leaseSeconds);
    }
  } finally {
    await walk?.pass.catch(() => {}); // the error that ended the loop is the one to tell
    wake.close();
    await listener?.close();
    await stager?.close();
    await events.close();
  }
  const done = stager?.totals() ?? { ok: 0, rejected: 0, unchanged: 0, refused: 0, rows: 0, rejects: [] };
  return { ...done, ...totals, roundTrips: catalog.roundTrips(), seconds: (performance.now() - started) / 1000, manifest: lake.layout.manifest, events: events.where };
}

function definedOf(options: CatalogStageOptions): Partial<typeof DEFAULTS> {
  const out: Partial<Record<keyof typeof DEFAULTS, number>> = {};
  for (const key of Object.keys(DEFAULTS) as (keyof typeof DEFAULTS)[]) if (options[key] !== undefined) out[key] = options[key];
  return out;
}

/** A one-shot stager is done when nothing is queued and nobody holds a claim that could come back. */
async function nothingLeft(catalog: Catalog): Promise<boolean> {
  const status = await catalog.status();
  return status.queued === 0 && status.claimed === 0 && status.expired === 0;
}

async function statusOf(catalog: Catalog, stager: CatalogStager | undefined, at: number): Promise<CatalogStageStatus> {
  const queue = await catalog.status();
  const interval = stager?.interval() ?? { staged: 0, rejected: 0 };
  return {
    at: new Date(at).toISOString(),
    ...interval,
    waiting: queue.queued + queue.claimed + queue.expired,
    lagSeconds: queue.oldestWaitingSince === null ? null : Math.max(0, at - queue.oldestWaitingSince.getTime()) / 1000,
    roundTrips: catalog.roundTrips(),
  };
}

/** A batch's outcomes for the catalog, and the data files written for them by version. */
interface StagedBatch {
  readonly outcomes: AttemptOutcome[];
  readonly written: Map<number, string>;
}

interface CatalogStager {
  /** Claims a batch and stages it; says how many versions it claimed and how many runs it committed. */
  claimAndStage(batch: number, leaseSeconds: number): Promise<{ readonly claimed: number; readonly committed: number }>;
  interval(): { readonly staged: number; readonly rejected: number };
  totals(): Omit<CatalogStageSummary, 'queued' | 'swept' | 'roundTrips' | 'seconds' | 'manifest' | 'events'>;
  close(): Promise<void>;
}

async function startCatalogStager(
  config: StagingConfig,
  options: CatalogStageOptions,
  lake: CatalogLakeFiles,
  procedures: ProcedureCatalog,
  chipParams: ChipParams | undefined,
  events: CatalogEvents,
  now: () => Date,
): Promise<CatalogStager> {
  const { catalog } = options;
  const schemas = new Map([...(await catalog.latestSchemas())].map(([proc, v]) => [proc, asProcedureSchema(v)]));
  const workers: StageWorkers = startStageWorkers(config.workers, { resident: options.watch });
  const totals = { ok: 0, rejected: 0, unchanged: 0, refused: 0, rows: 0, rejects: [] as { source_file: string; error: string }[] };
  let interval = { staged: 0, rejected: 0 };
  let closed = false;
  const say = (event: StageEvent) => {
    events.append(event);
    options.onEvent?.(event);
  };

  /** Stages `versions` on the workers; every one gets an outcome for the catalog. */
  /**
   * Stages `versions` on the workers. Resolves once the workers are done with them; `written` then resolves once
   * their data files are written (or refused), with every version's outcome for the catalog.
   */
  const stageVersions = async (versions: readonly ClaimedVersion[], force: boolean): Promise<{ written: Promise<StagedBatch> }> => {
    const outcomes: AttemptOutcome[] = [];
    const written = new Map<number, string>();
    const tasks: { file: RawFile; version: ClaimedVersion }[] = [];
    for (const v of versions) {
      const file = onDisk(config.rawRoot, v.sourceFile);
      // The file changed (or went) since this version was queued: its newer version is what counts.
      if (file === undefined || file.size !== v.size || file.mtimeMs !== v.mtimeMs) outcomes.push({ kind: 'stale', attempt: v });
      else tasks.push({ file, version: v });
    }
    if (tasks.length === 0) return { written: Promise.resolve({ outcomes, written }) };
    const byPath = new Map(tasks.map((t) => [t.file.relPath, t.version]));
    // Procedures the catalog has no schema of yet, or whose files brought new columns: their next version.
    const grown = new Map<string, { added: LakeColumn[]; sourceFile: string }>();
    let diskFull: string | undefined;
    const writes: Promise<void>[] = [];
    workers.begin(setupOf(config, procedures, chipParams, schemas, now, force), {
      claimRunId: () => true, // a run id another source has is the catalog's to say (run-id-taken)
      onOutcome: (arrived: WorkerOutcome) => {
        const version = byPath.get(arrived.file.relPath)!;
        const checked = checkRunRow(asAttempt(arrived, version), procedures.parameterColumns);
        if (checked.kind !== 'ok') return void outcomes.push(attemptOutcome(checked, version));
        const { outcome, data } = checked;
        const proc = outcome.row.proc;
        if (outcome.added.length > 0 || !schemas.has(proc)) {
          const known = grown.get(proc) ?? grown.set(proc, { added: [], sourceFile: outcome.file.relPath }).get(proc)!;
          known.added.push(...outcome.added);
        }
        writes.push(
          lake.putDataFile(outcome.row.path, data).then((failed) => {
            if (failed === undefined) {
              written.set(version.version, outcome.row.path);
              return void outcomes.push(attemptOutcome(outcome, version));
            }
            const reject = writeReject(outcome.file, lake.layout.stageRoot, `written to ${outcome.row.path}`, failed);
            // Not committed: the version stays claimed until its lease runs out, then is staged again.
            if (reject.errorType === 'disk-full') {
              diskFull ??= reject.error;
              return void workers.stop();
            }
            outcomes.push(attemptOutcome(reject, version));
          }),
        );
      },
    });
    await workers.run(tasks.map((t) => ({ file: t.file, previous: force ? undefined : t.version.previous, contested: false })));
    // The catalog's next version of each procedure's schema (field ids and all), for the files from now on. Files
    // already written keep their columns: a reader through the catalog sees a column they lack as null.
    for (const [proc, { added, sourceFile }] of grown) {
      const before = schemas.get(proc) ?? initialSchema(proc, procedures.procedures.get(proc));
      const version = asProcedureSchema(await catalog.evolveSchema(proc, withFoundColumns(before, added).columns, sourceFile));
      schemas.set(proc, version);
      workers.shareSchema(version);
    }
    // The workers go on to the next batch while this one's files are written.
    const done = Promise.all(writes).then(async () => {
      if (diskFull === undefined) return { outcomes, written };
      await lake.syncDataFiles([...written.values()]);
      await commit(outcomes, written);
      throw new StrataError('input', `stopped: ${diskFull} The runs staged before it are committed; free some space and start the stager again.`);
    });
    done.catch(() => {}); // the caller's, when it awaits it
    return { written: done };
  };

  /** Makes a batch's files durable, then commits their outcomes. */
  const syncAndCommit = async ({ outcomes, written }: StagedBatch) => {
    await lake.syncDataFiles([...written.values()]);
    return commit(outcomes, written);
  };

  /** Commits outcomes under their fences; says what each result means, and removes files that are not live. */
  const commit = async (outcomes: readonly AttemptOutcome[], written: ReadonlyMap<number, string>): Promise<{ committed: number; again: ClaimedVersion[] }> => {
    if (outcomes.length === 0) return { committed: 0, again: [] };
    const results = await catalog.commit(outcomes, procedures.parameterColumns);
    const again: ClaimedVersion[] = [];
    const duplicates: AttemptOutcome[] = [];
    const removals: Promise<void>[] = [];
    let committed = 0;
    results.forEach((result: CommitResult, i) => {
      const outcome = outcomes[i]!;
      const ts = now().toISOString();
      const source = outcome.attempt.sourceFile;
      if (result.kind === 'committed') {
        committed++;
        if (outcome.kind === 'staged') {
          totals.ok++;
          totals.rows += outcome.row.rows;
          interval.staged++;
          const { row } = outcome;
          say({ kind: 'ok', source_file: source, run_id: row.run_id, rows: row.rows, path: row.path, date_origin: row.date_origin, warnings: JSON.parse(row.warnings) as string[], ts });
        } else if (outcome.kind === 'rejected') {
          totals.rejected++;
          interval.rejected++;
          totals.rejects.push({ source_file: source, error: outcome.error });
          const version = outcome.attempt as ClaimedVersion;
          removals.push(lake.writeReject({ source_file: source, error: outcome.error, error_type: outcome.errorType, ts, source_size: version.size, source_mtime_ms: version.mtimeMs }));
          say({ kind: 'reject', source_file: source, error: outcome.error, error_type: outcome.errorType, ts });
        } else if (outcome.kind === 'unchanged') {
          totals.unchanged++;
          say({ kind: 'skipped', source_file: source, reason: 'content unchanged (only its modification time moved)', ts });
        } else {
          say({ kind: 'skipped', source_file: source, reason: 'it changed since it was queued; its newer version is staged instead', ts });
        }
        return;
      }
      const file = written.get(result.version);
      if (file !== undefined) removals.push(lake.removeDataFile(file));
      if (result.kind === 'run-id-taken') {
        const error = `${source}: its run id ${result.runId} is ${result.owner}'s (the same path but for letter case, the same start time); rename one of them.`;
        duplicates.push({ kind: 'rejected', attempt: outcome.attempt, errorType: 'duplicate-run', error });
      } else if (result.kind === 'restage') {
        again.push(outcome.attempt as ClaimedVersion);
      } else {
        totals.refused++;
      }
    });
    await Promise.all(removals);
    await events.flush();
    if (duplicates.length > 0) committed += (await commit(duplicates, new Map())).committed;
    return { committed, again };
  };

  /** A claim and the timer that renews its lease until its versions are committed. */
  interface HeldClaim {
    readonly claim: Claim;
    readonly renewal: NodeJS.Timeout | undefined;
  }
  const hold = (claim: Claim, leaseSeconds: number): HeldClaim => {
    if (claim.versions.length === 0) return { claim, renewal: undefined };
    // Versions whose lease lapsed anyway (a stall) are refused at the commit.
    const renewal = setInterval(() => {
      catalog.renew(claim.token, claim.versions.map((v) => v.version), leaseSeconds).catch(() => {});
    }, (leaseSeconds * 1000) / 3);
    renewal.unref();
    return { claim, renewal };
  };
  const claimNext = (batch: number, leaseSeconds: number): Promise<HeldClaim> => {
    const claimed = catalog.claim({ stager: options.stager, batch, leaseSeconds }).then((claim) => hold(claim, leaseSeconds));
    claimed.catch(() => {}); // its failure is the caller's when it awaits it
    return claimed;
  };
  // The workers never wait on PostgreSQL: the next batch is claimed while this one is staged, and batches are made
  // durable and committed (on the one connection, in order) while the next ones are staged.
  let next: Promise<HeldClaim> | undefined;
  const committing: Promise<{ committed: number; again: ClaimedVersion[]; held: HeldClaim }>[] = [];
  /** Commits in flight before staging waits for the oldest: enough to ride out a slow one. */
  const COMMITS_IN_FLIGHT = 3;

  /** Waits for the oldest commit in flight, and stages in full what it sent back (a run that no longer has those bytes). */
  const settleOldest = async (): Promise<number> => {
    const done = await committing.shift()!;
    try {
      if (done.again.length === 0) return done.committed;
      const second = await stageVersions(done.again, true);
      return done.committed + (await syncAndCommit(await second.written)).committed;
    } finally {
      clearInterval(done.held.renewal);
    }
  };
  /** Waits for commits in flight until at most `left` are. */
  const settle = async (left = 0): Promise<number> => {
    let committed = 0;
    while (committing.length > left) committed += await settleOldest();
    return committed;
  };

  return {
    async claimAndStage(batch, leaseSeconds) {
      if (closed) return { claimed: 0, committed: 0 };
      const held = await (next ?? claimNext(batch, leaseSeconds));
      next = undefined;
      if (held.claim.versions.length === 0) return { claimed: 0, committed: await settle() };
      next = claimNext(batch, leaseSeconds);
      let staged: Awaited<ReturnType<typeof stageVersions>>;
      try {
        staged = await stageVersions(held.claim.versions, false);
      } catch (error) {
        clearInterval(held.renewal);
        throw error;
      }
      const inFlight = staged.written.then(syncAndCommit).then((done) => ({ ...done, held }));
      inFlight.catch(() => clearInterval(held.renewal));
      committing.push(inFlight);
      const committed = await settle(COMMITS_IN_FLIGHT - 1);
      return { claimed: held.claim.versions.length, committed };
    },
    interval() {
      const now = interval;
      interval = { staged: 0, rejected: 0 };
      return now;
    },
    totals: () => totals,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await settle();
      } finally {
        // A batch claimed ahead and not begun goes back to the queue at once, for another stager.
        const ahead = await next?.catch(() => undefined);
        next = undefined;
        if (ahead !== undefined && ahead.claim.versions.length > 0) {
          clearInterval(ahead.renewal);
          await catalog.release(ahead.claim.token, ahead.claim.versions.map((v) => v.version)).catch(() => {});
        }
        await workers.close();
      }
    },
  };
}

/** A worker's outcome for a claimed version: its data file named for this attempt, so attempts never collide. */
function asAttempt(arrived: WorkerOutcome, version: ClaimedVersion): WorkerOutcome {
  if (arrived.kind !== 'ok') return arrived;
  return { ...arrived, row: { ...arrived.row, path: attemptDataPath(arrived.row.path, version.attemptId) } };
}

function attemptOutcome(outcome: FileOutcome, version: ClaimedVersion): AttemptOutcome {
  if (outcome.kind === 'ok') return { kind: 'staged', attempt: version, row: outcome.row };
  if (outcome.kind === 'skipped') return { kind: 'unchanged', attempt: version, sha1: version.previous?.sha1 ?? '' };
  return { kind: 'rejected', attempt: version, errorType: outcome.errorType, error: outcome.error };
}

function asProcedureSchema(version: SchemaVersion): ProcedureSchema {
  return { proc: version.proc, id: version.id, columns: version.columns };
}

function setupOf(
  config: StagingConfig,
  catalog: ProcedureCatalog,
  chipParams: ChipParams | undefined,
  schemas: ReadonlyMap<string, ProcedureSchema>,
  now: () => Date,
  force: boolean,
) {
  return {
    catalog,
    chipParams,
    options: {
      stageRoot: config.stageRoot,
      extractionVersion: config.extractionVersion,
      ingestedAtMs: now().getTime(),
      force: force || config.force,
      // In a folder, the workers write each run's file beside its name, and this thread renames it to the attempt's
      // own name; in object storage the bytes come back, to be put.
      writesDataFiles: !isUrlLocation(config.stageRoot),
      localTz: config.localTz,
      strict: config.strict,
      onlyYamlData: config.onlyYamlData,
      maxColumns: config.maxColumns,
    },
    schemas: [...schemas],
  };
}

function onDisk(rawRoot: string, sourceFile: string): RawFile | undefined {
  const absPath = path.join(rawRoot, ...sourceFile.split('/'));
  try {
    const stat = statSync(absPath);
    return stat.isFile() ? { absPath, relPath: sourceFile, size: stat.size, mtimeMs: stat.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

/** manifest.parquet from the catalog, as every reader of a local lake opens it, read `batch` runs at a time. */
function snapshotManifest(catalog: Catalog, lake: CatalogLakeFiles, batch?: number): Promise<number> {
  return lake.writeManifest((write) => catalog.snapshot(write, batch));
}

/** Removes data files no run names, once older than twice the lease (an attempt may still commit before that). */
async function sweepDataFiles(catalog: Catalog, lake: CatalogLakeFiles, leaseSeconds: number): Promise<number> {
  let removed = 0;
  for await (const orphan of catalog.orphanDataFiles(lake.listDataFiles(), { minAgeMs: 2 * leaseSeconds * 1000 })) {
    await lake.removeDataFile(orphan);
    removed++;
  }
  return removed;
}
