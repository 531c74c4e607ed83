// Records a stage run as it goes: an event per file when it ends, reject records, each staged run journaled at
// once and merged into the manifest every few seconds, so a run killed halfway loses at most that much.
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { execFile } from 'node:child_process';
import path from 'node:path';
import type { EngineConnection } from '../engine/duckdb.js';
import type { StagingConfig } from '../config/staging-config.js';
import type { RawFile } from '../discover/discover-raw-files.js';
import type { EventsLog } from '../lake/events-log.js';
import { stagedSourceOf, type StagedSource } from '../lake/manifest-index.js';
import { validateManifestRows, type ManifestRow } from '../lake/manifest-row.js';
import { mergeIntoManifest } from '../lake/manifest-store.js';
import { manifestColumns, type ParameterColumn } from '../lake/manifest-columns.js';
import { GrowingManifest } from '../lake/manifest-file.js';
import { absoluteDataPath } from '../lake/partition-path.js';
import { namingFullDisk } from '../errors.js';
import { appendWhole, writeFileAtomically } from '../fs/atomic-file.js';
import { removeRejectRecord, writeRejectRecord } from '../lake/reject-records.js';
import type { FileOutcome } from './stage-file.js';

/**
 * A new lake's runs, up to this many, stay in memory so that each merge writes its whole manifest in JS
 * (manifest-file.ts) and the first run never loads DuckDB (~2 KB a run; DuckDB's merge of 10,000 runs into a
 * manifest took the 20,000-file first run to a peak of 293 MB). Beyond it, DuckDB merges as into any lake.
 */
const NEW_LAKE_RUNS_KEPT = 50_000;

/**
 * Staged runs are merged into the manifest when this many are waiting, or this long after the last merge. The
 * journal is what keeps a killed run's work (a merge rewrites the whole manifest, so merging often costs a long
 * first run dearly: measured on 20,000 small files, merges every 5 s took about a tenth of the run). Every 10,000
 * runs keeps the rows waiting in memory bounded: on 20,000 files, peak 284-296 MB against 317-318 MB when all
 * waited for the end, in the same time (10.6-10.8 s against 9.9-10.9 s, lake on tmpfs). A new lake's runs are in
 * memory whatever it does, so its manifest waits for the clock or for all that are kept: a merge at 10,000 of
 * 20,000 files had cost 4.19-4.24 s against 4.01-4.16 s, and a peak of 241-245 MB against 225-231 MB.
 */
const MERGE_EVERY = { runs: 10_000, newLakeRuns: NEW_LAKE_RUNS_KEPT, ms: 30_000 } as const;

export interface RecordedRun {
  readonly source_file: string;
  readonly error: string;
}

export interface OutcomeRecorder {
  record(outcome: FileOutcome): void;
  skipped(file: RawFile, reason: string): void;
  /** Merges what is still waiting; call once, after the last outcome. */
  finish(): Promise<void>;
  /** What the manifest holds once this run's changes are merged, as the index a re-run reads (manifest-index.ts). */
  readonly index: () => ReadonlyMap<string, StagedSource>;
  /** Runs staged, and their rows in all (counts only: the rows themselves are let go once merged, but a new lake's). */
  readonly counts: () => { readonly runs: number; readonly rows: number };
  readonly rejects: readonly RecordedRun[];
  /** Raw files found under a new path with the same bytes: their run moved with them. */
  readonly moved: readonly { readonly from: string; readonly to: string }[];
  /** Staged runs whose raw file is gone (and did not move): kept, and reported. */
  readonly gone: () => number;
  /** Whether this run wrote the manifest (a merge that changed something). */
  readonly merged: () => boolean;
  /** Whether recording the next staged run will start a merge. */
  readonly mergeDue: () => boolean;
}

/** `_manifest/pending.jsonl`: staged runs not merged yet, one manifest row a line. */
export function pendingJournalPath(manifestPath: string): string {
  return path.join(path.dirname(manifestPath), 'pending.jsonl');
}

export function openOutcomeRecorder(
  connect: () => Promise<EngineConnection>,
  config: StagingConfig,
  parameterColumns: readonly ParameterColumn[],
  lake: {
    readonly staged: ReadonlyMap<string, StagedSource>;
    /** The raw files discovered this run. */
    readonly present: ReadonlySet<string>;
    /** The raw files with a reject record from an earlier run. */
    readonly rejected: ReadonlySet<string>;
  },
  events: EventsLog,
  now: () => Date,
  every: { readonly runs: number; readonly newLakeRuns: number; readonly ms: number } = MERGE_EVERY,
): OutcomeRecorder {
  const { staged, present, rejected } = lake;
  const journal = pendingJournalPath(config.manifestPath);
  let stagedRuns = 0;
  let stagedRows = 0;
  const index = new Map(staged);
  const rejects: RecordedRun[] = [];
  // Runs staged since the last merge: how many, and their rows for DuckDB's merge (a new lake's are in `newLake`).
  let waiting = 0;
  let upserts: ManifestRow[] = [];
  let mtimes = new Map<string, number>();
  let removals = new Set<string>();
  // Runs whose raw file is gone from the raw root, by content: a file with the same bytes elsewhere is a move.
  const gone = new Map<string, { source: string; path: string }>();
  for (const [source, s] of staged) if (!present.has(source)) gone.set(s.sha1, { source, path: s.path });
  const moved: { from: string; to: string }[] = [];
  let lastMerge = Date.now();
  let merging: Promise<void> = Promise.resolve();
  let journalFd: number | undefined;
  let merged = false;

  // Every run of a lake that had no manifest when this run began (the manifest is then this run's alone), added
  // as it is recorded, up to `every.newLakeRuns`; then DuckDB merges the runs after them as into any lake. Only
  // these columns hold a new lake's runs (as rows too, they had cost its first run 3% more time, as garbage).
  // A new lake has no staged runs before this run, so no file of it is skipped (mtimes) or gone (removals): its
  // merges are its runs alone.
  let newLake: GrowingManifest | undefined = existsSync(config.manifestPath) ? undefined : new GrowingManifest(manifestColumns(parameterColumns));

  const merge = () => {
    const runs = waiting;
    const lake = newLake;
    // The runs recorded so far (those after it name data files this merge's syncfs may not cover).
    const lakeRuns = lake?.size ?? 0;
    if (lakeRuns >= every.newLakeRuns) newLake = undefined;
    const changes = { upserts, mtimes, removals };
    waiting = 0;
    upserts = [];
    mtimes = new Map();
    removals = new Set();
    lastMerge = Date.now();
    merging = merging.then(async () => {
      if (runs + changes.mtimes.size + changes.removals.size === 0) return;
      // The data files reach the disk before the manifest that names them does (one syncfs for all of them); a new
      // lake's manifest is encoded while the disk works (on 20,000 files, ~0.1 s of waiting each).
      const flushed = runs > 0 ? flushFileSystem(config.stageRoot) : Promise.resolve();
      if (lake !== undefined) {
        const manifest = lake.encode(lakeRuns);
        await flushed;
        writeFileAtomically(config.manifestPath, manifest);
      } else {
        await flushed;
        await mergeIntoManifest(await connect(), config.manifestPath, changes, parameterColumns);
      }
      merged = true;
      if (waiting === 0) {
        if (journalFd !== undefined) closeSync(journalFd);
        journalFd = undefined;
        rmSync(journal, { force: true });
      }
    });
  };
  /** Journals a staged run; a run that cannot be journaled (a full disk) is unpublished, for the next run to stage. */
  const journalRun = (row: ManifestRow) => {
    try {
      journalFd ??= openSync(journal, 'a');
      appendWhole(journalFd, `${JSON.stringify(row)}\n`, journal);
    } catch (error) {
      rmSync(path.dirname(absoluteDataPath(config.stageRoot, row.path)), { recursive: true, force: true });
      throw namingFullDisk(journal, error);
    }
  };
  /** Whether a merge is due once `more` runs are staged. */
  const due = (more: number) =>
    (newLake === undefined ? waiting + more >= every.runs : newLake.size + more >= every.newLakeRuns) || Date.now() - lastMerge >= every.ms;
  /** Whether recording one more staged run merges (the run's main thread is then busy for a while). */
  const mergeDue = () => due(1);
  const maybeMerge = () => {
    if (due(0)) merge();
  };

  return {
    counts: () => ({ runs: stagedRuns, rows: stagedRows }),
    index: () => index,
    rejects,
    moved,
    gone: () => gone.size,
    merged: () => merged,
    mergeDue,
    record(outcome) {
      const ts = now().toISOString();
      const { file } = outcome;
      if (outcome.kind === 'reject') {
        writeRejectRecord(config.rejectsDir, { source_file: file.relPath, error: outcome.error, error_type: outcome.errorType, ts, source_size: file.size, source_mtime_ms: file.mtimeMs });
        events.append({ kind: 'reject', source_file: file.relPath, error: outcome.error, error_type: outcome.errorType, ts });
        rejects.push({ source_file: file.relPath, error: outcome.error });
      } else if (outcome.kind === 'skipped') {
        mtimes.set(file.relPath, file.mtimeMs);
        const known = index.get(file.relPath);
        if (known) index.set(file.relPath, { ...known, mtimeMs: file.mtimeMs });
        events.append({ kind: 'skipped', source_file: file.relPath, reason: 'content unchanged (only its modification time moved)', ts });
      } else {
        const { row } = outcome;
        const previous = staged.get(file.relPath);
        // A new start time is a new run id: the old run goes, folder and all (a run folder holds its one file).
        if (previous && previous.path !== row.path) rmSync(path.dirname(absoluteDataPath(config.stageRoot, previous.path)), { recursive: true, force: true });
        const origin = gone.get(row.source_sha1);
        if (origin && origin.path !== row.path) {
          // The same bytes under a new path: the run follows its file (one run, the new path).
          rmSync(path.dirname(absoluteDataPath(config.stageRoot, origin.path)), { recursive: true, force: true });
          removals.add(origin.source);
          index.delete(origin.source);
          gone.delete(row.source_sha1);
          moved.push({ from: origin.source, to: row.source_file });
        }
        if (rejected.has(file.relPath)) removeRejectRecord(config.rejectsDir, file.relPath);
        journalRun(row);
        stagedRuns++;
        stagedRows += row.rows;
        index.set(row.source_file, stagedSourceOf(row));
        waiting++;
        if (newLake !== undefined) newLake.add(row);
        else upserts.push(row);
        const warnings = origin ? [...outcome.warnings, `moved from ${origin.source} (same bytes); its earlier run was replaced`] : outcome.warnings;
        events.append({ kind: 'ok', source_file: row.source_file, run_id: row.run_id, rows: row.rows, path: row.path, date_origin: row.date_origin, warnings, ts });
      }
      maybeMerge();
    },
    skipped(file, reason) {
      events.append({ kind: 'skipped', source_file: file.relPath, reason, ts: now().toISOString() });
    },
    async finish() {
      merge();
      try {
        await merging;
      } finally {
        if (journalFd !== undefined) closeSync(journalFd);
        journalFd = undefined;
      }
    },
  };
}

/**
 * Adopts the runs a stage run that died had journaled but not merged: those whose data file is there and whole
 * (it ends with Parquet's magic) go into the manifest; the others are staged again. Returns how many.
 */
export async function adoptJournaledRuns(
  conn: EngineConnection,
  config: StagingConfig,
  parameterColumns: readonly ParameterColumn[],
): Promise<number> {
  const journal = pendingJournalPath(config.manifestPath);
  if (!existsSync(journal)) return 0;
  const lines = readFileSync(journal, 'utf8').split('\n');
  const rows = lines.flatMap((line) => {
    try {
      return line.trim() === '' ? [] : [JSON.parse(line) as unknown];
    } catch {
      return []; // the line being written when the run died
    }
  });
  const { valid } = validateManifestRows(rows, parameterColumns);
  const whole = valid.filter((row) => isWholeParquet(absoluteDataPath(config.stageRoot, row.path)));
  if (whole.length > 0) await mergeIntoManifest(conn, config.manifestPath, { upserts: whole, mtimes: new Map() }, parameterColumns);
  rmSync(journal, { force: true });
  return whole.length;
}

/** Whether `file` starts and ends with Parquet's magic (only those 8 bytes are read). */
function isWholeParquet(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    if (size < 12) return false;
    const head = Buffer.alloc(4);
    const tail = Buffer.alloc(4);
    readSync(fd, head, 0, 4, 0);
    readSync(fd, tail, 0, 4, size - 4);
    return head.toString('latin1') === 'PAR1' && tail.toString('latin1') === 'PAR1';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Flushes the file system holding `dir` to disk (syncfs through coreutils' `sync -f`); best effort elsewhere.
 * Waited for without blocking: on 20,000 small files the flushes took 1.2 s, during which this thread (which
 * feeds the workers and publishes their files) would otherwise stand still.
 */
async function flushFileSystem(dir: string): Promise<void> {
  await new Promise<void>((resolve) => {
    // no `sync -f` here (an error): the data files reach the disk when the kernel writes them back
    execFile('sync', ['-f', dir], () => resolve());
  });
}
