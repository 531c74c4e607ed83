// `strata stage`: discover raw files, stage the new and changed ones in parallel, record events, rejects and the manifest.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Engine } from '../engine/duckdb.js';
import type { StagingConfig } from '../config/staging-config.js';
import { discoverRawFiles, type RawFile } from '../discover/discover-raw-files.js';
import { loadProcedureCatalog } from '../schema/procedures-schema.js';
import { mergeIntoManifest, type ManifestChanges } from '../lake/manifest-store.js';
import { readManifestIndex, type StagedSource } from '../lake/manifest-index.js';
import type { ManifestRow } from '../lake/manifest-row.js';
import { absoluteDataPath } from '../lake/partition-path.js';
import { openEventsLog, type EventsLog } from '../lake/events-log.js';
import { readRejectRecords, removeRejectRecord, writeRejectRecord, type RejectRecord } from '../lake/reject-records.js';
import { acquireStageLock } from '../lake/stage-lock.js';
import { silentProgress, type Progress } from '../progress/progress.js';
import { prepareRun, writePreparedRun, type FileOutcome, type PreparedRun, type StageFileContext } from './stage-one-file.js';

export interface StageSummary {
  readonly files: number;
  readonly ok: number;
  readonly skipped: number;
  readonly rejected: number;
  /** Files modified within the settle window, left for the next run (counted in `skipped` too). */
  readonly settling: number;
  readonly rows: number;
  readonly bytes: number;
  readonly seconds: number;
  readonly manifest: string;
  readonly events: string;
  readonly rejectsDir: string;
  /** Temp files of an earlier run that died, removed before this one started. */
  readonly sweptTempFiles: number;
  /** The rejects of this run, for the closing report. */
  readonly rejects: readonly { readonly source_file: string; readonly error: string }[];
}

export interface StageOptions {
  readonly progress?: Progress;
  /** Take the stage lock even when another run seems to hold it (`--break-lock`). */
  readonly breakLock?: boolean;
  readonly now?: () => Date;
}

/** Why a file is left alone this run; `undefined` means it is staged. */
type Skip = { readonly kind: 'settling' | 'unchanged' | 'rejected-before'; readonly reason: string };
type Triage = { readonly file: RawFile; readonly skip?: Skip };

export async function stageRawFiles(config: StagingConfig, options: StageOptions = {}): Promise<StageSummary> {
  const started = performance.now();
  const now = options.now ?? (() => new Date());
  const progress = options.progress ?? silentProgress;
  const catalog = loadProcedureCatalog(config.proceduresYaml);
  const files = discoverRawFiles(config.rawRoot, { inFlightPrefixes: config.inFlightPrefixes });
  const lock = acquireStageLock(config.stageRoot, { alsoSweep: [path.dirname(config.manifestPath), config.rejectsDir], breakLock: options.breakLock ?? false });
  // Each worker's connection runs its query on its own thread; DuckDB's pool adds threadsPerWorker more, shared
  // (measured: two connections over one pool thread beat two over two, the small queries fight less).
  const engine = await Engine.open(':memory:', { threads: config.threadsPerWorker });
  const events = openEventsLog(config.eventsDir, now());
  try {
    const conns = await Promise.all(Array.from({ length: config.workers }, () => engine.connect()));
    const staged = await readManifestIndex(conns[0]!, config.manifestPath);
    const triage = triageFiles(files, staged, readRejectRecords(config.rejectsDir), config, now().getTime());
    const work = triage.filter((t) => t.skip === undefined).map((t) => t.file);
    if (work.length > 0) progress.start('staging files', work.length);
    const runOwners = new Map([...staged].map(([source, s]) => [s.runId, source]));
    const ingestedAt = now();
    const contexts = new Map(
      conns.map((conn): [typeof conn, StageFileContext] => [
        conn,
        {
          claimRunId: (id, source) => (runOwners.get(id) ?? runOwners.set(id, source).get(id)) === source,
          conn,
          catalog,
          stageRoot: config.stageRoot,
          extractionVersion: config.extractionVersion,
          ingestedAt,
          force: config.force,
          localTz: config.localTz,
          strict: config.strict,
          onlyYamlData: config.onlyYamlData,
        },
      ]),
    );
    const outcomes = await inParallel(
      work,
      conns,
      (file, conn) => prepareRun(file, staged.get(file.relPath), contexts.get(conn)!),
      (run, conn) => writePreparedRun(run, contexts.get(conn)!),
      () => progress.advance(),
    );
    if (work.length > 0) progress.stop();
    const ts = now().toISOString();
    for (const t of triage) if (t.skip !== undefined) events.append({ status: 'skipped', source_file: t.file.relPath, reason: t.skip.reason, ts });
    const recorded = recordOutcomes(outcomes, staged, config, events, ts);
    // Merged inside DuckDB: the runs already staged are never read into memory, and a run with nothing new
    // does not touch the manifest at all.
    if (recorded.changes.upserts.length + recorded.changes.mtimes.size > 0) {
      await mergeIntoManifest(conns[0]!, config.manifestPath, recorded.changes, catalog.parameterColumns);
    }
    const settling = triage.filter((t) => t.skip?.kind === 'settling').length;
    return {
      files: files.length,
      ok: recorded.ok.length,
      skipped: files.length - recorded.ok.length - recorded.rejects.length,
      rejected: recorded.rejects.length,
      settling,
      rows: recorded.ok.reduce((sum, r) => sum + r.rows, 0),
      bytes: work.reduce((sum, f) => sum + f.size, 0),
      seconds: (performance.now() - started) / 1000,
      manifest: config.manifestPath,
      events: events.file,
      rejectsDir: config.rejectsDir,
      sweptTempFiles: lock.sweptTempFiles,
      rejects: recorded.rejects,
    };
  } finally {
    events.close();
    engine.close();
    lock.release();
  }
}

/** Decides from stat alone (no reading) which files need work: the whole cost of an unchanged file on a re-run. */
function triageFiles(
  files: readonly RawFile[],
  staged: ReadonlyMap<string, StagedSource>,
  rejects: ReadonlyMap<string, RejectRecord>,
  config: StagingConfig,
  nowMs: number,
): Triage[] {
  return files.map((file) => {
    if (nowMs - file.mtimeMs < config.settleSeconds * 1000) {
      const reason = `modified less than ${config.settleSeconds} s ago (an instrument may still be writing it); left for the next run`;
      return { file, skip: { kind: 'settling', reason } };
    }
    if (config.force) return { file };
    const previous = staged.get(file.relPath);
    if (previous && previous.size === file.size && previous.mtimeMs === file.mtimeMs) {
      if (existsSync(absoluteDataPath(config.stageRoot, previous.path))) {
        return { file, skip: { kind: 'unchanged', reason: 'already staged, unchanged' } };
      }
    }
    const rejected = rejects.get(file.relPath);
    if (rejected && rejected.source_size === file.size && rejected.source_mtime_ms === file.mtimeMs) {
      return { file, skip: { kind: 'rejected-before', reason: 'rejected before and unchanged since (see its reject record)' } };
    }
    return { file };
  });
}

/**
 * Stages `items` with one connection per worker; every item gets an outcome, whatever the others do. Each
 * worker reads and plans its next file while DuckDB writes its current one, so neither waits for the other
 * (measured on the shared corpus: as fast as twice the workers taking turns, without their extra threads).
 */
async function inParallel<C>(
  items: readonly RawFile[],
  workers: readonly C[],
  prepare: (item: RawFile, worker: C) => Promise<FileOutcome | PreparedRun>,
  write: (run: PreparedRun, worker: C) => Promise<FileOutcome>,
  onDone: () => void,
): Promise<FileOutcome[]> {
  const outcomes: FileOutcome[] = new Array(items.length);
  const failed = (item: RawFile, error: unknown): FileOutcome => ({ status: 'rejected', file: item, errorType: 'internal', error: `${item.relPath}: ${String(error)}` });
  let next = 0;
  await Promise.all(
    workers.map(async (worker) => {
      const take = () => {
        if (next >= items.length) return undefined;
        const index = next++;
        const item = items[index]!;
        return { index, item, prepared: prepare(item, worker).catch((error: unknown) => failed(item, error)) };
      };
      for (let current = take(); current !== undefined; ) {
        const ahead = take();
        const prepared = await current.prepared;
        try {
          outcomes[current.index] = 'status' in prepared ? prepared : await write(prepared, worker);
        } catch (error) {
          outcomes[current.index] = failed(current.item, error);
        }
        onDone();
        current = ahead;
      }
    }),
  );
  return outcomes;
}

interface Recorded {
  readonly ok: readonly ManifestRow[];
  readonly rejects: readonly { readonly source_file: string; readonly error: string }[];
  readonly changes: ManifestChanges;
}

/** Turns the outcomes into manifest changes, events and reject records; removes data files a restage moved. */
function recordOutcomes(
  outcomes: readonly FileOutcome[],
  staged: ReadonlyMap<string, StagedSource>,
  config: StagingConfig,
  events: EventsLog,
  ts: string,
): Recorded {
  const ok: ManifestRow[] = [];
  const rejects: { source_file: string; error: string }[] = [];
  const mtimes = new Map<string, number>();
  const rejectFile = (file: RawFile, errorType: string, error: string) => {
    writeRejectRecord(config.rejectsDir, { source_file: file.relPath, error, error_type: errorType, ts, source_size: file.size, source_mtime_ms: file.mtimeMs });
    events.append({ status: 'reject', source_file: file.relPath, error, error_type: errorType, ts });
    rejects.push({ source_file: file.relPath, error });
  };
  for (const outcome of outcomes) {
    if (outcome.status === 'rejected') {
      rejectFile(outcome.file, outcome.errorType, outcome.error);
    } else if (outcome.status === 'unchanged') {
      mtimes.set(outcome.file.relPath, outcome.file.mtimeMs);
      events.append({ status: 'skipped', source_file: outcome.file.relPath, reason: 'content unchanged (only its modification time moved)', ts });
    } else {
      const previous = staged.get(outcome.file.relPath);
      if (previous && previous.path !== outcome.row.path) rmSync(absoluteDataPath(config.stageRoot, previous.path), { force: true });
      ok.push(outcome.row);
      removeRejectRecord(config.rejectsDir, outcome.file.relPath);
      const { row } = outcome;
      events.append({ status: 'ok', source_file: row.source_file, run_id: row.run_id, rows: row.rows, path: row.path, date_origin: row.date_origin, warnings: outcome.warnings, ts });
    }
  }
  return { ok, rejects, changes: { upserts: ok, mtimes } };
}
