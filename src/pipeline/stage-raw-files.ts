// `strata stage`: discover raw files, stage the new and changed ones in parallel, record events, rejects and the manifest.
import { existsSync } from 'node:fs';
import { StrataError, messageOf } from '../errors.js';
import path from 'node:path';
import { Engine, type EngineConnection } from '../engine/duckdb.js';
import type { StagingConfig } from '../config/staging-config.js';
import { discoverRawFiles, type RawFile } from '../discover/discover-raw-files.js';
import type { ProcedureCatalog } from '../schema/procedures-schema.js';
import { loadCachedCatalog, userCacheDir } from '../schema/cached-catalog.js';
import type { ChipParams } from '../config/chip-params.js';
import { readIndexCopy, readManifestIndex, writeIndexCopy, type StagedSource } from '../lake/manifest-index.js';
import { prepareManifestRows } from '../lake/manifest-row.js';
import { absoluteDataPath } from '../lake/partition-path.js';
import { openEventsLog } from '../lake/events-log.js';
import { readRejectRecords, type RejectRecord } from '../lake/reject-records.js';
import { acquireStageLock } from '../lake/stage-lock.js';
import {
  initialSchema,
  readLakeSchemas,
  withFoundColumns,
  writeLakeSchemas,
  type LakeSchemas,
  type ProcedureSchema,
  type SchemaChange,
} from '../lake/procedure-schemas.js';
import { conformDataFiles, lakeSchemasPath } from '../lake/conform-data-files.js';
import { silentProgress, type Progress } from '../progress/progress.js';
import { adoptJournaledRuns, openOutcomeRecorder, pendingJournalPath, type OutcomeRecorder } from './record-outcomes.js';
import { startStageWorkers, type StageWorkers } from './stage-workers.js';
import { publishRun } from './publish-run.js';
import type { WorkerSetup } from './stage-messages.js';

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
  /** Runs an earlier run that died had staged and journaled, taken into the manifest without restaging. */
  readonly adopted: number;
  /** Data files rewritten to their procedure's current schema (a new column, or a lake written the old way). */
  readonly conformed: number;
  /** Raw files found under a new path with the same bytes: their run followed them. */
  readonly moved: readonly { readonly from: string; readonly to: string }[];
  /** Staged runs whose raw file is no longer under the raw root (kept in the lake; validate-manifest --raw-root lists them). */
  readonly gone: number;
  /** What a foreign-shaped procedures YAML held that strata ignored (null for strata's own YAML). */
  readonly catalogNote: string | null;
  /** The rejects of this run, for the closing report. */
  readonly rejects: readonly { readonly source_file: string; readonly error: string }[];
}

export interface StageOptions {
  readonly progress?: Progress;
  /** Take the stage lock even when another run seems to hold it (`--break-lock`). */
  readonly breakLock?: boolean;
  readonly now?: () => Date;
}

/** Files sent ahead to each worker while this thread builds the manifest rows' model at the start. */
const MODEL_AHEAD_FILES = 32;
/** Files sent ahead to each worker before a merge (a small file takes a worker ~0.5 ms; a merge, up to ~0.4 s). */
const MERGE_AHEAD_FILES = 512;

/** Why a file is left alone this run; `undefined` means it is staged. */
type Skip = { readonly kind: 'settling' | 'unchanged' | 'rejected-before'; readonly reason: string };
type Triage = { readonly file: RawFile; readonly skip?: Skip };

export async function stageRawFiles(config: StagingConfig, options: StageOptions = {}): Promise<StageSummary> {
  const started = performance.now();
  const now = options.now ?? (() => new Date());
  const progress = options.progress ?? silentProgress;
  // A first run will stage: its workers load their modules while this thread finds the files (0.5 s for 20,000)
  // and reads the catalog; a raw root with nothing in it only cost them their start.
  const early = existsSync(config.manifestPath) ? undefined : startStageWorkers(config.workers);
  try {
    const files = discoverRawFiles(config.rawRoot, { inFlightPrefixes: config.inFlightPrefixes });
    return await stageDiscovered(config, files, early, { now, progress, started, breakLock: options.breakLock ?? false });
  } finally {
    await early?.close();
  }
}

async function stageDiscovered(
  config: StagingConfig,
  files: readonly RawFile[],
  early: StageWorkers | undefined,
  { now, progress, started, breakLock }: { now: () => Date; progress: Progress; started: number; breakLock: boolean },
): Promise<StageSummary> {
  const catalog = await loadCachedCatalog(config.proceduresYaml, path.dirname(config.manifestPath), userCacheDir());
  // Loaded only when given (its zod schema costs a re-run from the shell ~0.1 s otherwise).
  const chipParams = config.chipParams === undefined ? undefined : (await import('../config/chip-params.js')).loadChipParams(config.chipParams);
  const lock = acquireStageLock(config.stageRoot, { alsoSweep: [path.dirname(config.manifestPath), config.rejectsDir], breakLock });
  // DuckDB merges the manifest and reads it: opened when first needed, which on a first run is after the workers
  // have their work (it loads while they stage).
  let opened: Promise<{ engine: Engine; conn: EngineConnection }> | undefined;
  const connect = async () => (await (opened ??= Engine.open(':memory:', { threads: 1 }).then(async (engine) => ({ engine, conn: await engine.connect() })))).conn;
  const events = openEventsLog(config.eventsDir, now());
  let failure: unknown;
  try {
    const journaled = existsSync(pendingJournalPath(config.manifestPath));
    // No manifest and no journal: every data file of the lake is one this run writes.
    const fresh = !journaled && !existsSync(config.manifestPath);
    const adopted = journaled ? await adoptJournaledRuns(await connect(), config, catalog.parameterColumns) : 0;
    // The index's JSON copy when it matches the manifest file: a re-run with nothing to do then opens no database.
    const copy = journaled ? undefined : readIndexCopy(config.manifestPath);
    const staged = copy?.staged ?? (existsSync(config.manifestPath) ? await readManifestIndex(await connect(), config.manifestPath) : new Map<string, StagedSource>());
    const rejectRecords = readRejectRecords(config.rejectsDir);
    const triage = triageFiles(files, staged, rejectRecords, config, now().getTime());
    const work = triage.filter((t) => t.skip === undefined).map((t) => t.file);
    const present = new Set(files.map((f) => f.relPath));
    const recorder = openOutcomeRecorder(connect, config, catalog.parameterColumns, { staged, present, rejected: new Set(rejectRecords.keys()) }, events, now);
    for (const t of triage) if (t.skip !== undefined) recorder.skipped(t.file, t.skip.reason);
    const schemasFile = lakeSchemasPath(config.manifestPath);
    const schemas = readLakeSchemas(schemasFile);
    const staging = stageInWorkers(work, staged, config, { catalog, chipParams }, schemas, recorder, progress, early);
    // Merging into a manifest takes DuckDB: it loads while the workers stage (a failure is met where it is used).
    // A new lake's manifest is written in JS during its first run (record-outcomes.ts), which then never loads it.
    if (work.length > 0 && !fresh) connect().catch(() => {});
    const grown = await staging;
    await recorder.finish();
    const lake = { procedures: grown.procedures, changes: [...schemas.changes, ...grown.changes] };
    if (grown.changes.length > 0) writeLakeSchemas(schemasFile, lake);
    const conformedTo = [...lake.procedures.values()].map((p) => `${p.proc}:${p.id}`).sort().join(',');
    // Nothing is stale when nothing merged and every file conformed to these schemas when the copy was written, or
    // when this run wrote every file of the lake, each with its procedure's final schema.
    const unchanged = !recorder.merged() && opened === undefined && copy?.conformedTo === conformedTo;
    const current = fresh && [...grown.written].every(([proc, ids]) => ids.size === 1 && ids.has(lake.procedures.get(proc)?.id ?? ''));
    const conformed = unchanged || current ? { rewritten: 0 } : await conformDataFiles(await connect(), config, catalog, lake, progress);
    if ((recorder.merged() || opened !== undefined) && existsSync(config.manifestPath)) writeIndexCopy(config.manifestPath, recorder.index(), conformedTo);
    const settling = triage.filter((t) => t.skip?.kind === 'settling').length;
    const { rejects } = recorder;
    const done = recorder.counts();
    return {
      files: files.length,
      ok: done.runs,
      skipped: files.length - done.runs - rejects.length,
      rejected: rejects.length,
      settling,
      rows: done.rows,
      bytes: work.reduce((sum, f) => sum + f.size, 0),
      seconds: (performance.now() - started) / 1000,
      manifest: config.manifestPath,
      events: events.file,
      rejectsDir: config.rejectsDir,
      sweptTempFiles: lock.sweptTempFiles,
      adopted,
      conformed: conformed.rewritten,
      moved: recorder.moved,
      gone: recorder.gone(),
      catalogNote: catalog.note,
      rejects,
    };
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    // The lock goes first: a full disk that cannot take this run's last events must not leave the lake locked.
    lock.release();
    await opened?.then(({ engine }) => engine.close(), () => {});
    try {
      events.close();
    } catch (error) {
      if (failure === undefined) throw error; // else the run's own failure (a full disk, most often) is the one to tell
    }
  }
}

/** Stages `work` on worker threads (started only when there is work); returns the procedures' grown schemas. */
async function stageInWorkers(
  work: readonly RawFile[],
  staged: ReadonlyMap<string, StagedSource>,
  config: StagingConfig,
  { catalog, chipParams }: { catalog: ProcedureCatalog; chipParams: ChipParams | undefined },
  schemas: LakeSchemas,
  recorder: OutcomeRecorder,
  progress: Progress,
  started: StageWorkers | undefined,
): Promise<{ procedures: Map<string, ProcedureSchema>; changes: SchemaChange[]; written: Map<string, Set<string>> }> {
  const procedures = new Map(schemas.procedures);
  const changes: SchemaChange[] = [];
  /** The schema ids this run's data files were written with, by procedure. */
  const written = new Map<string, Set<string>>();
  if (work.length === 0) return { procedures, changes, written };
  progress.start('staging files', work.length);
  const runOwners = new Map([...staged].map(([source, s]) => [s.runId, source]));
  const contested = contestedPaths(work, staged);
  let stopped: string | undefined;
  const setup: WorkerSetup = {
    catalog,
    chipParams,
    options: {
      stageRoot: config.stageRoot,
      extractionVersion: config.extractionVersion,
      ingestedAtMs: Date.now(),
      force: config.force,
      localTz: config.localTz,
      strict: config.strict,
      onlyYamlData: config.onlyYamlData,
    },
    schemas: [...procedures],
  };
  const workers = started ?? startStageWorkers(Math.min(config.workers, work.length));
  workers.begin(setup, {
    claimRunId: (id, source) => (runOwners.get(id) ?? runOwners.set(id, source).get(id)) === source,
    onOutcome: (arrived) => {
      // A merge keeps this thread busy (0.1-0.4 s on 10,000 runs): the workers get work for that long first.
      if (arrived.kind === 'ok' && recorder.mergeDue()) workers.sendAhead(MERGE_AHEAD_FILES);
      const outcome = publishRun(arrived, catalog.parameterColumns, config.stageRoot);
      if (outcome.kind === 'reject' && outcome.errorType === 'disk-full') {
        stopped ??= outcome.error;
        workers.stop();
        return;
      }
      if (outcome.kind === 'ok') {
        const ids = written.get(outcome.row.proc) ?? written.set(outcome.row.proc, new Set()).get(outcome.row.proc)!;
        ids.add(outcome.row.data_schema as string);
      }
      if (outcome.kind === 'ok' && outcome.added.length > 0) {
        const proc = outcome.row.proc;
        const before = procedures.get(proc) ?? initialSchema(proc, catalog.procedures.get(proc));
        const after = withFoundColumns(before, outcome.added);
        if (after.id !== before.id) {
          procedures.set(proc, after);
          changes.push({ proc, at: new Date().toISOString(), added: outcome.added, source_file: outcome.file.relPath });
          workers.shareSchema(after);
        }
      } else if (outcome.kind === 'ok' && !procedures.has(outcome.row.proc)) {
        const proc = outcome.row.proc;
        const schema = initialSchema(proc, catalog.procedures.get(proc));
        procedures.set(proc, schema);
        changes.push({ proc, at: new Date().toISOString(), added: schema.columns, source_file: outcome.file.relPath });
      }
      try {
        recorder.record(outcome);
      } catch (error) {
        // The run cannot record what it does (a full disk, most often): stop sending files, keep what is done.
        stopped ??= `${messageOf(error)}.`;
        workers.stop();
      }
      progress.advance();
    },
  });
  try {
    const running = workers.run(work.map((file) => ({ file, previous: staged.get(file.relPath), contested: contested.has(file.relPath) })));
    // The rows' model is built now, while the workers stage their first files (sent a few more for it), not at
    // the first outcome, where the workers waited on this thread for their next files (~0.1 s at each start).
    workers.sendAhead(MODEL_AHEAD_FILES);
    prepareManifestRows(catalog.parameterColumns);
    await running;
  } finally {
    await workers.close();
    progress.stop();
  }
  if (stopped !== undefined) {
    await recorder.finish().catch(() => {});
    throw new StrataError(
      'input',
      `stopped: ${stopped} The ${recorder.counts().runs} run(s) staged before it are recorded in the manifest (or its journal, taken in by the next run); free some space and run strata stage again.`,
    );
  }
  return { procedures, changes, written };
}

/** Paths that differ from another discovered or staged path only by letter case: their run ids may clash. */
function contestedPaths(work: readonly RawFile[], staged: ReadonlyMap<string, StagedSource>): Set<string> {
  const byLower = new Map<string, Set<string>>();
  for (const source of [...staged.keys(), ...work.map((f) => f.relPath)]) {
    const key = source.toLowerCase();
    (byLower.get(key) ?? byLower.set(key, new Set()).get(key)!).add(source);
  }
  return new Set([...byLower.values()].filter((s) => s.size > 1).flatMap((s) => [...s]));
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
    // A future mtime (a clock ahead, `touch -d`) is not a file being written: it is staged, with a warning (plan-run).
    const age = nowMs - file.mtimeMs;
    if (age >= 0 && age < config.settleSeconds * 1000) {
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
    // A file strata itself failed on (error type `internal`) is tried again; a file that is bad waits for a change.
    if (rejected && rejected.error_type !== 'internal' && rejected.source_size === file.size && rejected.source_mtime_ms === file.mtimeMs) {
      return { file, skip: { kind: 'rejected-before', reason: 'rejected before and unchanged since (see its reject record)' } };
    }
    return { file };
  });
}

