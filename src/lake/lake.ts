// The lake as one object, the counterpart of the landed flow's datasetsLayout(): its paths (lake-layout.ts), what it
// holds before a run, and the things on disk a stage run works with: the lock, the journal, the manifest and its
// index copy, the rejects and the events.
import { existsSync } from 'node:fs';
import { openEventsLog, type EventsLog } from './events-log.js';
import { lakeLayout, type LakeLayout, type LakeLocation } from './lake-layout.js';
import { appendToManifest, type AppendOutcome, type ManifestBatch } from './manifest-appender.js';
import { openIndexCopy, readIndexCopy, readManifestIndex } from './manifest-index.js';
import { StagedIndex } from './staged-index.js';
import { GrowingManifest } from './manifest-file.js';
import { manifestColumns, type ParameterColumn } from './manifest-columns.js';
import { validateManifestRows } from './manifest-row.js';
import { readRejectRecords, removeRejectRecord, writeRejectRecord, type RejectRecord } from './reject-records.js';
import { isWholeParquet, openRunJournal, type RunJournal } from './run-journal.js';
import { acquireStageLock, type StageLock } from './stage-lock.js';

/** What a lake holds before a stage run begins. */
export type LakeState =
  /** Nothing staged yet: no manifest and no journal. Every data file is one the run writes. */
  | { readonly kind: 'new' }
  /** A run was killed after it staged runs it had not merged: they are adopted first (Lake.adoptJournal). */
  | { readonly kind: 'interrupted' }
  /**
   * What the manifest holds, by source file: read from the index copy beside the walk when the copy matches the
   * manifest file and is in source order (fromCopy), else read into memory; the caller's own, to close.
   */
  | { readonly kind: 'indexed'; readonly staged: StagedIndex; readonly fromCopy: boolean };

/** Where the lake's manifest lives: a file that grows by appending here; the PostgreSQL catalog implements the same. */
export interface ManifestStore {
  /** Applies a batch durably; the data files its runs name are on disk already. */
  commit(batch: ManifestBatch, parameterColumns: readonly ParameterColumn[]): Promise<AppendOutcome>;
}

export interface Lake {
  readonly layout: LakeLayout;
  readonly manifest: ManifestStore;
  readonly journal: RunJournal;
  state(): Promise<LakeState>;
  /** Takes the lake's stage lock (one stage run at a time); sweeps a dead run's temp files when it takes over. */
  lock(options: { readonly breakLock: boolean }): StageLock;
  /**
   * Takes into the manifest the journaled runs of a run that died whose data file is whole; the others will be
   * staged again. Returns how many.
   */
  adoptJournal(parameterColumns: readonly ParameterColumn[]): Promise<number>;
  /** Keeps what the manifest holds now as its index copy (best effort: a read-only lake keeps none). */
  keepIndex(staged: StagedIndex): void;
  readRejects(): Map<string, RejectRecord>;
  writeReject(record: RejectRecord): void;
  removeReject(sourceFile: string): void;
  /** This run's events file, appended to as each file ends. */
  openEvents(startedAt: Date): EventsLog;
}

export function openLake(where: LakeLocation | LakeLayout): Lake {
  const layout = 'journal' in where ? (where as LakeLayout) : lakeLayout(where);
  const journal = openRunJournal(layout.journal);
  const manifest: ManifestStore = { commit: (batch, parameterColumns) => appendToManifest(layout.manifest, batch, parameterColumns) };
  return {
    layout,
    manifest,
    journal,
    async state() {
      if (journal.exists()) return { kind: 'interrupted' };
      if (!existsSync(layout.manifest)) return { kind: 'new' };
      const copy = openIndexCopy(layout.indexCopy, layout.manifest);
      if (copy !== undefined) return { kind: 'indexed', staged: StagedIndex.ofCopy(copy), fromCopy: true };
      // An older strata's copy (not in source order) is read whole; the copy is then written in order for next time.
      const whole = readIndexCopy(layout.indexCopy, layout.manifest)?.staged ?? (await readManifestIndex(layout.manifest));
      return { kind: 'indexed', staged: StagedIndex.ofMap(whole), fromCopy: false };
    },
    lock: ({ breakLock }) => acquireStageLock(layout.stageRoot, { alsoSweep: [layout.catalogCache, layout.rejects], breakLock }),
    async adoptJournal(parameterColumns) {
      const { valid } = validateManifestRows(journal.read(), parameterColumns);
      const whole = valid.filter((row) => isWholeParquet(layout.dataFile(row.path)));
      if (whole.length > 0) {
        const runs = new GrowingManifest(manifestColumns(parameterColumns));
        for (const row of whole) runs.add(row);
        // A journaled run may be a restaged one: its source's older row goes.
        const dropped = new Set(whole.map((row) => row.source_file));
        await manifest.commit({ runs, count: whole.length, dropped, mtimes: new Map(), dataSchemas: new Map() }, parameterColumns);
      }
      journal.clear();
      return whole.length;
    },
    keepIndex: (staged) => staged.keep(layout.indexCopy, layout.manifest),
    readRejects: () => readRejectRecords(layout.rejects),
    writeReject: (record) => void writeRejectRecord(layout.rejects, record),
    removeReject: (sourceFile) => removeRejectRecord(layout.rejects, sourceFile),
    openEvents: (startedAt) => openEventsLog(layout.events, startedAt),
  };
}
