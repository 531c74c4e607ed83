// `strata stage`: discover raw files, stage the new and changed ones in parallel, record events, rejects and the manifest.
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { StrataError, messageOf } from '../errors.js';
import type { StagingConfig } from '../config/staging-config.js';
import { folderKey, walkRawFiles, type RawFile } from '../discover/discover-raw-files.js';
import type { ProcedureCatalog } from '../schema/procedures-schema.js';
import { loadCachedCatalog } from '../schema/cached-catalog.js';
import type { ChipParams } from '../parse/run-identity.js';
import { prepareManifestRows } from '../lake/manifest-row.js';
import { openLake, type Lake } from '../lake/lake.js';
import { StagedIndex } from '../lake/staged-index.js';
import type { StagedSource } from '../lake/manifest-index.js';
import {
  growSchemas,
  pendingSchemasPath,
  readTargetSchemas,
  recordLakeSchemas,
  writePendingSchemas,
  type LakeSchemas,
  type ProcedureSchema,
  type SchemaGrowth,
} from '../lake/procedure-schemas.js';
import type { EventsLog, StageEvent } from '../lake/events-log.js';
import type { StageLock } from '../lake/stage-lock.js';
import { conformDataFiles } from '../lake/conform-data-files.js';
import { silentProgress, type Progress } from '../progress/progress.js';
import { openOutcomeRecorder, type OutcomeRecorder } from './record-outcomes.js';
import { startStageWorkers, type StageWorkers } from './stage-workers.js';
import { discardRunData, publishRun } from './publish-run.js';
import type { WorkerSetup, WorkerTask } from './stage-messages.js';
import type { FileOutcome } from './stage-file.js';
import { sameRunSentence } from '../parse/run-identity.js';
import { triageFiles, workerTasks } from './triage-raw-files.js';

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
  /** More folders for compiled procedures YAMLs than the lake's own (the CLI adds the user's cache folder). */
  readonly catalogCaches?: readonly string[];
  /** Aborted (SIGINT, SIGTERM): no more files are sent to the workers; those in hand are finished and recorded. */
  readonly signal?: AbortSignal;
  /** Each file's event as it is recorded (`strata stage --watch --json` prints them). */
  readonly onEvent?: (event: StageEvent) => void;
  /**
   * A resident stager (`--watch`): its workers and this thread keep their memory for hours (resident-memory.ts sets
   * V8 flags of the whole process for it).
   */
  readonly resident?: boolean;
}

/** Files sent ahead to each worker while this thread builds the manifest rows' model at the start. */
const MODEL_AHEAD_FILES = 32;
/** Files sent ahead to each worker before an append to the manifest, which keeps this thread busy for a while. */
const MERGE_AHEAD_FILES = 512;

interface RunContext {
  readonly config: StagingConfig;
  readonly lake: Lake;
  readonly now: () => Date;
  readonly progress: Progress;
}

/** What one pass over the raw files did. */
export type PassSummary = Omit<StageSummary, 'seconds' | 'manifest' | 'events' | 'rejectsDir' | 'sweptTempFiles' | 'adopted' | 'conformed' | 'catalogNote'> & {
  /** For each file staged or rejected: how long after it settled its outcome was recorded, in ms. */
  readonly waits: readonly number[];
};

/**
 * A stage session: the lake locked, its state read (a killed run's journal adopted), the catalog loaded and the
 * workers kept warm from one pass to the next. `strata stage` makes one pass; `strata stage --watch` many.
 */
export interface StageSession {
  readonly lake: Lake;
  /**
   * Stages what is new or changed among `files` (all the raw root holds now, in path order, as walkRawFiles yields
   * them: read once, beside the index) and appends it to the manifest. With `folders` (relative to the raw root,
   * as walkRawFolders takes them), `files` are all those folders hold: only their staged runs can be gone.
   */
  pass(files: Iterable<RawFile>, folders?: readonly string[]): Promise<PassSummary>;
  /** Releases the lake after a pass failed (a full disk): what was recorded stays, nothing more is done. */
  abort(): Promise<void>;
  /** Records the schemas, conforms older data files to them, keeps the index copy, and releases the lake. */
  close(): Promise<Pick<StageSummary, 'manifest' | 'events' | 'rejectsDir' | 'sweptTempFiles' | 'adopted' | 'conformed' | 'catalogNote'>>;
}

export async function stageRawFiles(config: StagingConfig, options: StageOptions = {}): Promise<StageSummary> {
  const started = performance.now();
  const session = await openStageSession(config, options);
  let pass: PassSummary;
  try {
    pass = await session.pass(walkRawFiles(config.rawRoot, { inFlightPrefixes: config.inFlightPrefixes }));
  } catch (error) {
    await session.abort();
    throw error;
  }
  const { waits: _, ...summary } = pass;
  return { ...summary, ...(await session.close()), seconds: (performance.now() - started) / 1000 };
}

export async function openStageSession(config: StagingConfig, options: StageOptions = {}): Promise<StageSession> {
  const lake = openLake(config);
  const run: RunContext = { config, lake, now: options.now ?? (() => new Date()), progress: options.progress ?? silentProgress };
  // A new lake will stage: its workers load their modules while this thread reads the catalog and the lake.
  let workers: StageWorkers | undefined = existsSync(lake.layout.manifest) ? undefined : startStageWorkers(config.workers, { resident: options.resident });
  let lock: StageLock | undefined;
  let opened: StagedIndex | undefined;
  let events: EventsLog | undefined;
  try {
    const catalog = await loadCachedCatalog(config.proceduresYaml, lake.layout.catalogCache, ...(options.catalogCaches ?? []));
    // Loaded only when given: its zod schema would otherwise be a large share of a re-run from the shell.
    const chipParams = config.chipParams === undefined ? undefined : (await import('../config/chip-params.js')).loadChipParams(config.chipParams);
    lock = lake.lock({ breakLock: options.breakLock ?? false });
    events = withListener(lake.openEvents(run.now()), options.onEvent);
    const before = await lake.state();
    const adopted = before.kind === 'interrupted' ? await lake.adoptJournal(catalog.parameterColumns) : 0;
    const state = before.kind === 'interrupted' ? await lake.state() : before;
    const index = (opened = state.kind === 'indexed' ? state.staged : StagedIndex.ofMap(new Map()));
    const recorder = openOutcomeRecorder(lake, catalog.parameterColumns, index, events, run.now);
    // The schemas a run that did not finish was bringing the lake to, else the recorded ones.
    const growth = growSchemas(readTargetSchemas(lake.layout.schemas), (proc) => catalog.procedures.get(proc), run.now);
    const held = { lock, events };
    return {
      lake,
      async pass(files, folders) {
        workers ??= startStageWorkers(config.workers, { resident: options.resident });
        return stagePass(run, files, folders, { catalog, chipParams }, recorder, index, growth, workers, options.signal);
      },
      async abort() {
        try {
          await workers?.close();
          await recorder.finish().catch(() => {});
        } finally {
          index.close();
          release(held.lock, held.events, new Error('aborted'));
        }
      },
      async close() {
        try {
          await workers?.close();
          await recorder.finish();
          const conformed = await conformStale(run, catalog, growth.schemas(), index);
          // A schema change is recorded once every data file has it (until then it is pending, and a run that dies
          // leaves it for the next one to finish).
          if (existsSync(pendingSchemasPath(lake.layout.schemas))) recordLakeSchemas(lake.layout.schemas, conformed.lake);
          if (recorder.changed() || adopted > 0 || conformed.rewritten > 0 || (state.kind === 'indexed' && !state.fromCopy)) lake.keepIndex(index);
          return {
            manifest: lake.layout.manifest,
            events: held.events.file,
            rejectsDir: lake.layout.rejects,
            sweptTempFiles: held.lock.sweptTempFiles,
            adopted,
            conformed: conformed.rewritten,
            catalogNote: catalog.note,
          };
        } finally {
          index.close();
          release(held.lock, held.events);
        }
      },
    };
  } catch (error) {
    await workers?.close();
    opened?.close();
    if (lock !== undefined) release(lock, events, error);
    throw error;
  }
}

/** The staged sources in `folders` (relative to the raw root, '' the whole of it) and below them, in path order. */
function* stagedWithin(index: Iterable<[string, StagedSource]>, folders: readonly string[]): Generator<[string, StagedSource]> {
  const keys = folders.map(folderKey);
  for (const entry of index) if (keys.some((key) => entry[0].startsWith(key))) yield entry;
}

/** The lock goes first: a full disk that cannot take the last events must not leave the lake locked. */
function release(lock: StageLock, events: EventsLog | undefined, failure?: unknown): void {
  lock.release();
  try {
    events?.close();
  } catch (error) {
    if (failure === undefined) throw error; // else the run's own failure (a full disk, most often) is the one to tell
  }
}

/** One pass: triage by stat, stage the rest on the warm workers, record each outcome, append to the manifest. */
async function stagePass(
  run: RunContext,
  files: Iterable<RawFile>,
  folders: readonly string[] | undefined,
  staging: { readonly catalog: ProcedureCatalog; readonly chipParams: ChipParams | undefined },
  recorder: OutcomeRecorder,
  index: StagedIndex,
  growth: SchemaGrowth,
  workers: StageWorkers,
  signal: AbortSignal | undefined,
): Promise<PassSummary> {
  const { config, lake, now } = run;
  const before = recorder.counts();
  const rejectsBefore = recorder.rejects.length;
  const movedBefore = recorder.moved.length;
  const rejectRecords = lake.readRejects();
  const triage = triageFiles(files, folders === undefined ? index : stagedWithin(index, folders), rejectRecords, config, now().getTime());
  // What the index says of the files to stage is read now, before their outcomes change it.
  index.look(triage.looked);
  const tasks = workerTasks(triage, index);
  recorder.beginPass(undefined, new Set(rejectRecords.keys()), triage.gone);
  recorder.skipped(triage.skipped);
  recorder.unchanged(triage.unchanged);
  const stop = () => workers.stop();
  signal?.addEventListener('abort', stop);
  try {
    if (!signal?.aborted) await stageInWorkers(run, tasks, staging, growth, recorder, workers);
  } finally {
    signal?.removeEventListener('abort', stop);
  }
  await recorder.flush();
  const visible = now().getTime();
  const after = recorder.counts();
  const rejects = recorder.rejects.slice(rejectsBefore);
  const ok = after.runs - before.runs;
  return {
    files: triage.files,
    ok,
    skipped: triage.files - ok - rejects.length,
    rejected: rejects.length,
    settling: triage.settling,
    rows: after.rows - before.rows,
    bytes: triage.work.reduce((sum, f) => sum + f.size, 0),
    moved: recorder.moved.slice(movedBefore),
    gone: recorder.gone(),
    rejects,
    waits: triage.work.map((f) => Math.max(0, visible - (f.mtimeMs + config.settleSeconds * 1000))),
  };
}

/** The events log, telling `listen` of each event too. */
function withListener(events: EventsLog, listen: ((event: StageEvent) => void) | undefined): EventsLog {
  if (listen === undefined) return events;
  return {
    file: events.file,
    append: (event) => {
      events.append(event);
      listen(event);
    },
    appendAll: (all) => {
      events.appendAll(all);
      all.forEach(listen);
    },
    close: () => events.close(),
  };
}

/**
 * Rewrites the data files whose schema is not their procedure's current one (a column arrived, or the lake was
 * written by an older strata), and notes their new schema in `index`. Nothing to do costs a look at the index.
 */
async function conformStale(
  run: RunContext,
  catalog: ProcedureCatalog,
  schemas: LakeSchemas,
  index: StagedIndex,
): Promise<{ readonly rewritten: number; readonly lake: LakeSchemas }> {
  // Two procedures of the same columns have the same schema id: a run is compared with its own procedure's.
  if (!someStale(index, schemas)) return { rewritten: 0, lake: schemas };
  const { Engine } = await import('../engine/duckdb.js');
  const engine = await Engine.open(':memory:', { threads: 1 });
  try {
    const done = await conformDataFiles(await engine.connect(), run.lake, run.config, catalog, schemas, run.progress);
    for (const [source, dataSchema] of done.dataSchemas) index.setDataSchema(source, dataSchema);
    return { rewritten: done.rewritten, lake: done.lake };
  } finally {
    engine.close();
  }
}

function someStale(index: StagedIndex, schemas: LakeSchemas): boolean {
  for (const s of index.schemaPairs()) if (s.dataSchema === null || schemas.procedures.get(s.procedure)?.id !== s.dataSchema) return true;
  return false;
}

/** Stages `work` on the workers; the procedures' schemas grow as files with new columns arrive. */
async function stageInWorkers(
  run: RunContext,
  work: { readonly tasks: readonly WorkerTask[]; readonly runOwners: Map<string, string> },
  { catalog, chipParams }: { readonly catalog: ProcedureCatalog; readonly chipParams: ChipParams | undefined },
  growth: SchemaGrowth,
  recorder: OutcomeRecorder,
  workers: StageWorkers,
): Promise<void> {
  const { config, lake, now, progress } = run;
  const { tasks, runOwners } = work;
  if (tasks.length === 0) return;
  progress.start('staging files', tasks.length);
  let stopped: string | undefined;
  const stop = (why: string) => {
    stopped ??= why;
    workers.stop();
  };
  /** Files refused a run id another file has (their paths differ only in letter case): the file that has it. */
  const refused = new Map<string, { owner: string; runId: string }>();
  workers.begin(workerSetup(config, catalog, chipParams, growth.procedures, now), {
    claimRunId: (id, source) => {
      const owner = runOwners.get(id) ?? runOwners.set(id, source).get(id)!;
      if (owner !== source) refused.set(source, { owner, runId: id });
      return owner === source;
    },
    onOutcome: (worked) => {
      const clash = worked.kind === 'reject' && worked.errorType === 'duplicate-run' ? refused.get(worked.file.relPath) : undefined;
      const arrived = clash === undefined ? worked : { ...worked, error: sameRunSentence(worked.file.relPath, clash.owner, clash.runId) };
      // An append keeps this thread busy for a while: the workers get work for that long first.
      if (arrived.kind === 'ok' && recorder.mergeDue()) workers.sendAhead(MERGE_AHEAD_FILES);
      // A file whose new columns would take its procedure past --max-columns is refused before it is published.
      const refusal = arrived.kind === 'ok' ? growth.refusal(arrived.row.proc, arrived.added, config.maxColumns) : undefined;
      if (refusal !== undefined && arrived.kind === 'ok') discardRunData(arrived.data);
      const outcome: FileOutcome =
        refusal === undefined
          ? publishRun(arrived, catalog.parameterColumns, lake.layout.stageRoot)
          : { kind: 'reject', file: arrived.file, errorType: 'too-many-columns', error: `${arrived.file.relPath}: ${refusal}.` };
      if (outcome.kind === 'reject' && outcome.errorType === 'disk-full') return stop(outcome.error);
      try {
        if (outcome.kind === 'ok') {
          const changes = growth.changes.length;
          const larger = growth.observe(outcome.row.proc, outcome.added, outcome.file.relPath);
          if (larger !== undefined) workers.shareSchema(larger);
          if (growth.changes.length > changes) keepPending(lake, growth, outcome.row.path);
        }
        recorder.record(outcome);
      } catch (error) {
        // The run cannot record what it does (a full disk, most often): stop sending files, keep what is done.
        stop(`${messageOf(error)}.`);
      }
      progress.advance();
    },
  });
  try {
    const running = workers.run(tasks);
    // The rows' model is built while the workers stage their first files (sent a few more for it).
    workers.sendAhead(MODEL_AHEAD_FILES);
    prepareManifestRows(catalog.parameterColumns);
    await running;
  } finally {
    progress.stop();
  }
  if (stopped !== undefined) {
    throw new StrataError(
      'input',
      `stopped: ${stopped} The ${recorder.counts().runs} run(s) staged before it are recorded in the manifest (or its journal, taken in by the next run); free some space and run strata stage again.`,
    );
  }
}

/**
 * Keeps the grown schemas as pending before the run that grew them is journaled, so a run that dies brings the lake
 * to them the next time; a run whose schema cannot be kept (a full disk) is unpublished, as one that cannot be
 * journaled is.
 */
function keepPending(lake: Lake, growth: SchemaGrowth, dataPath: string): void {
  try {
    writePendingSchemas(lake.layout.schemas, growth.schemas());
  } catch (error) {
    rmSync(path.dirname(lake.layout.dataFile(dataPath)), { recursive: true, force: true });
    throw error;
  }
}

function workerSetup(
  config: StagingConfig,
  catalog: ProcedureCatalog,
  chipParams: ChipParams | undefined,
  procedures: ReadonlyMap<string, ProcedureSchema>,
  now: () => Date,
): WorkerSetup {
  return {
    catalog,
    chipParams,
    options: {
      stageRoot: config.stageRoot,
      extractionVersion: config.extractionVersion,
      ingestedAtMs: now().getTime(),
      force: config.force,
      // A local stage root: the workers make the run folders and files, this thread renames them into place.
      writesDataFiles: true,
      localTz: config.localTz,
      strict: config.strict,
      onlyYamlData: config.onlyYamlData,
      maxColumns: config.maxColumns,
    },
    schemas: [...procedures],
  };
}
