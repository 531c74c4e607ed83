// Records a stage run as it goes: an event per file when it ends, reject records, each staged run journaled at
// once and appended to the manifest in batches, so a run killed halfway loses at most the files in flight.
import { rmSync } from 'node:fs';
import type { RawFile } from '../discover/discover-raw-files.js';
import type { EventsLog } from '../lake/events-log.js';
import type { Lake } from '../lake/lake.js';
import type { ManifestBatch } from '../lake/manifest-appender.js';
import { manifestColumns, type ParameterColumn } from '../lake/manifest-columns.js';
import { GrowingManifest } from '../lake/manifest-file.js';
import { stagedSourceOf, type StagedSource } from '../lake/manifest-index.js';
import type { RecordedIndex } from '../lake/staged-index.js';
import type { ManifestRow } from '../lake/manifest-row.js';
import { runFolderOf } from '../lake/partition-path.js';
import { namingFullDisk } from '../errors.js';
import { makeDurable } from '../fs/durable-files.js';
import type { FileOutcome } from './stage-file.js';

/**
 * Staged runs are appended to the manifest when this many are waiting, or this long after the last append. The
 * journal is what keeps a killed run's work; the rows waiting are what the run holds in memory.
 */
export const MERGE_EVERY = { runs: 10_000, ms: 30_000 } as const;

export interface RecordedReject {
  readonly source_file: string;
  readonly error: string;
}

export interface OutcomeRecorder {
  /**
   * A pass over the raw root begins: the files it holds now, for a caller that has not matched them with the index
   * (undefined when it has: it names the staged runs whose file is gone, `goneRuns`), and those with a reject record.
   */
  beginPass(present: ReadonlySet<string> | undefined, rejected: ReadonlySet<string>, goneRuns?: Iterable<readonly [string, StagedSource]>): void;
  record(outcome: FileOutcome): void;
  /** The files a pass leaves alone (settling, rejected before), decided together from stat: their events, in one write. */
  skipped(files: readonly { readonly file: RawFile; readonly reason: string }[]): void;
  /** Files left alone because nothing changed: one event that counts them, not a line each. */
  unchanged(count: number): void;
  /** Appends what is waiting to the manifest now (the end of a pass). */
  flush(): Promise<void>;
  /** Flushes, and closes the journal; call once, after the last outcome. */
  finish(): Promise<void>;
  /** What the manifest holds once this run's changes are in, by source file (the index a re-run reads). */
  readonly index: RecordedIndex;
  /** Runs staged, and their rows in all. */
  readonly counts: () => { readonly runs: number; readonly rows: number };
  readonly rejects: readonly RecordedReject[];
  /** Raw files found under a new path with the same bytes: their run moved with them. */
  readonly moved: readonly { readonly from: string; readonly to: string }[];
  /** Staged runs whose raw file is gone (and did not move): kept, and reported. */
  readonly gone: () => number;
  /** Whether this run changed the manifest. */
  readonly changed: () => boolean;
  /** Whether recording one more staged run starts an append (this thread is then busy for a while). */
  readonly mergeDue: () => boolean;
}

/** The manifest's changes since the last append. */
class PendingBatch {
  runs: GrowingManifest;
  /** The data files of `runs`, relative to the stage root. */
  paths: string[] = [];
  dropped = new Set<string>();
  mtimes = new Map<string, number>();

  constructor(private readonly parameterColumns: readonly ParameterColumn[]) {
    this.runs = new GrowingManifest(manifestColumns(parameterColumns));
  }

  get empty(): boolean {
    return this.runs.size + this.dropped.size + this.mtimes.size === 0;
  }

  take(): ManifestBatch & { readonly paths: readonly string[] } {
    const batch = { runs: this.runs, count: this.runs.size, paths: this.paths, dropped: this.dropped, mtimes: this.mtimes, dataSchemas: new Map<string, string>() };
    this.runs = new GrowingManifest(manifestColumns(this.parameterColumns));
    this.paths = [];
    this.dropped = new Set();
    this.mtimes = new Map();
    return batch;
  }
}

export function openOutcomeRecorder(
  lake: Lake,
  parameterColumns: readonly ParameterColumn[],
  /** What the manifest holds, by source file: kept up to date as the recorder's `index` (not copied). */
  index: RecordedIndex,
  events: EventsLog,
  now: () => Date,
  every: { readonly runs: number; readonly ms: number } = MERGE_EVERY,
): OutcomeRecorder {
  const rejects: RecordedReject[] = [];
  const moved: { from: string; to: string }[] = [];
  // Runs whose raw file is gone from the raw root, by content: a file with the same bytes elsewhere is a move.
  const gone = new Map<string, { source: string; path: string }>();
  let rejected: ReadonlySet<string> = new Set();
  // A watcher passes over the same files again and again: what it said of a file (or of the unchanged ones) is said once.
  const said = new Map<string, string>();
  let unchangedSaid = 0;
  let pending = new PendingBatch(parameterColumns);
  let stagedRuns = 0;
  let stagedRows = 0;
  let lastMerge = now().getTime();
  let appending: Promise<void> = Promise.resolve();
  let changed = false;

  // A path read back from the manifest (a restaged or moved run) is removed only when it is a run folder of the lake.
  const removeRunFolder = (relPath: string) => {
    const folder = runFolderOf(lake.layout.stageRoot, relPath);
    if (folder !== null) rmSync(folder, { recursive: true, force: true });
  };
  const merge = () => {
    if (pending.empty) return;
    const batch = pending.take();
    lastMerge = now().getTime();
    appending = appending.then(async () => {
      // The data files reach the disk before the manifest that names them does.
      await makeDurable(lake.layout.stageRoot, batch.paths.map((p) => lake.layout.dataFile(p)));
      await lake.manifest.commit(batch, parameterColumns);
      changed = true;
      if (pending.runs.size === 0) lake.journal.clear();
    });
  };
  /** Journals a staged run; one that cannot be journaled (a full disk) is unpublished, for the next run to stage. */
  const journal = (row: ManifestRow) => {
    try {
      lake.journal.append(row);
    } catch (error) {
      removeRunFolder(row.path);
      throw namingFullDisk(lake.journal.file, error);
    }
  };
  const due = (more: number) => pending.runs.size + more >= every.runs || now().getTime() - lastMerge >= every.ms;
  const recordStaged = (outcome: Extract<FileOutcome, { kind: 'ok' }>, ts: string) => {
    const { row, file } = outcome;
    const previous = index.get(file.relPath);
    // A new start time is a new run id: the old run goes, folder and all (a run folder holds its one file).
    if (previous && previous.path !== row.path) removeRunFolder(previous.path);
    if (previous) pending.dropped.add(file.relPath);
    const origin = gone.get(row.source_sha1);
    if (origin && origin.path !== row.path) {
      // The same bytes under a new path: the run follows its file (one run, the new path).
      removeRunFolder(origin.path);
      pending.dropped.add(origin.source);
      index.delete(origin.source);
      gone.delete(row.source_sha1);
      moved.push({ from: origin.source, to: row.source_file });
    }
    if (rejected.has(file.relPath)) lake.removeReject(file.relPath);
    journal(row);
    stagedRuns++;
    stagedRows += row.rows;
    index.set(row.source_file, stagedSourceOf(row));
    pending.runs.add(row);
    pending.paths.push(row.path);
    const warnings = origin ? [...outcome.warnings, `moved from ${origin.source} (same bytes); its earlier run was replaced`] : outcome.warnings;
    events.append({ kind: 'ok', source_file: row.source_file, run_id: row.run_id, rows: row.rows, path: row.path, date_origin: row.date_origin, warnings, ts });
  };

  return {
    index,
    rejects,
    moved,
    counts: () => ({ runs: stagedRuns, rows: stagedRows }),
    gone: () => gone.size,
    changed: () => changed,
    mergeDue: () => due(1),
    beginPass(present, withRecord, goneRuns = []) {
      rejected = withRecord;
      gone.clear();
      if (present !== undefined) for (const [source, s] of index) if (!present.has(source)) gone.set(s.sha1, { source, path: s.path });
      for (const [source, s] of goneRuns) gone.set(s.sha1, { source, path: s.path });
    },
    record(outcome) {
      const ts = now().toISOString();
      const { file } = outcome;
      if (outcome.kind === 'reject') {
        lake.writeReject({ source_file: file.relPath, error: outcome.error, error_type: outcome.errorType, ts, source_size: file.size, source_mtime_ms: file.mtimeMs });
        events.append({ kind: 'reject', source_file: file.relPath, error: outcome.error, error_type: outcome.errorType, ts });
        rejects.push({ source_file: file.relPath, error: outcome.error });
      } else if (outcome.kind === 'skipped') {
        pending.mtimes.set(file.relPath, file.mtimeMs);
        const known = index.get(file.relPath);
        if (known) index.set(file.relPath, { ...known, mtimeMs: file.mtimeMs });
        events.append({ kind: 'skipped', source_file: file.relPath, reason: 'content unchanged (only its modification time moved)', ts });
      } else {
        recordStaged(outcome, ts);
      }
      if (due(0)) merge();
    },
    skipped(files) {
      const ts = now().toISOString();
      const unsaid = files.filter(({ file, reason }) => {
        const key = `${file.size}|${file.mtimeMs}|${reason}`;
        if (said.get(file.relPath) === key) return false;
        said.set(file.relPath, key);
        return true;
      });
      events.appendAll(unsaid.map(({ file, reason }) => ({ kind: 'skipped', source_file: file.relPath, reason, ts })));
    },
    unchanged(count) {
      if (count === 0 || count === unchangedSaid) return;
      unchangedSaid = count;
      events.append({ kind: 'unchanged', files: count, reason: 'already staged, unchanged (size and modification time as staged)', ts: now().toISOString() });
    },
    async flush() {
      merge();
      await appending;
    },
    async finish() {
      merge();
      try {
        await appending;
      } finally {
        lake.journal.close();
      }
    },
  };
}
