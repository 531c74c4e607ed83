// Where a catalog lake's files go: its data files, its manifest snapshot, reject records and events. A local stage
// root takes the folder path a one-machine stage run takes (written beside their names, renamed into place); a stage
// root in object storage (s3://bucket/prefix) goes through LakeStorage, the manifest and records beside it.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StagingConfig } from '../config/staging-config.js';
import { eventLine, eventsStamp, openEventsLog, type StageEvent } from '../lake/events-log.js';
import { makeDurable } from '../fs/durable-files.js';
import { isTempFile } from '../fs/atomic-file.js';
import { filesBelow } from '../fs/files-below.js';
import { isUrlLocation, lakeLayout, type LakeLayout } from '../lake/lake-layout.js';
import { writeManifestSnapshot, type ManifestSnapshot } from '../lake/manifest-snapshot.js';
import { rejectRecordName, rejectRecordText, writeRejectRecord, type RejectRecord } from '../lake/reject-records.js';
import { openLakeStorage } from '../storage/open-lake-storage.js';
import type { LakeStorage } from '../storage/lake-storage.js';
import type { S3Settings } from '../storage/s3/s3-settings.js';
import { discardRunData, writeRunFileAsync } from './publish-run.js';
import type { RunData } from './stage-task.js';

export interface CatalogLakeFiles {
  readonly layout: LakeLayout;
  /** Writes a run's data file whole (or moves a streamed one into place); the error when it could not be, else undefined. */
  putDataFile(relPath: string, data: RunData): Promise<unknown>;
  removeDataFile(relPath: string): Promise<void>;
  /** Makes the data files written durable (a power cut keeps them) before the catalog names them. */
  syncDataFiles(relPaths: readonly string[]): Promise<void>;
  /** Every data file (`part-*.parquet`) with when it was written, for the sweeper. */
  listDataFiles(): AsyncIterable<{ readonly path: string; readonly modified: Date }>;
  writeManifest(snapshot: ManifestSnapshot): Promise<number>;
  writeReject(record: RejectRecord): Promise<void>;
  /** This stager's events: appended as they come, written out at each `flush` (after each commit) and at `close`. */
  readonly events: CatalogEvents;
}

export interface CatalogEvents {
  readonly where: string;
  append(event: StageEvent): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function openCatalogLakeFiles(
  config: StagingConfig,
  startedAt: Date,
  stager: string,
  s3: S3Settings | undefined,
): Promise<CatalogLakeFiles> {
  const layout = lakeLayout(config);
  return isUrlLocation(config.stageRoot) ? remoteFiles(layout, startedAt, stager, s3) : localFiles(layout, startedAt);
}

function localFiles(layout: LakeLayout, startedAt: Date): CatalogLakeFiles {
  const events = openEventsLog(layout.events, startedAt);
  return {
    layout,
    putDataFile: (relPath, data) => writeRunFileAsync(layout.stageRoot, relPath, data),
    removeDataFile: async (relPath) => rmSync(layout.dataFile(relPath), { force: true }),
    syncDataFiles: (relPaths) => makeDurable(layout.stageRoot, relPaths.map((p) => layout.dataFile(p))),
    listDataFiles: () => walkDataFiles(layout.stageRoot),
    writeManifest: (snapshot) => writeManifestSnapshot(layout.manifest, snapshot),
    writeReject: async (record) => void writeRejectRecord(layout.rejects, record),
    events: { where: events.file, append: (e) => events.append(e), flush: async () => {}, close: async () => events.close() },
  };
}

/**
 * Every data file under the stage root, and every hidden temp file: a stager that died between a worker's write and
 * its rename left one, swept as an orphan too.
 */
async function* walkDataFiles(stageRoot: string): AsyncGenerator<{ path: string; modified: Date }> {
  for (const file of filesBelow(stageRoot)) {
    const dataFile = file.name.startsWith('part-') && file.name.endsWith('.parquet');
    if (!(dataFile || isTempFile(file.name))) continue;
    const stat = statSync(file.path, { throwIfNoEntry: false });
    if (stat) yield { path: path.relative(stageRoot, file.path).split(path.sep).join('/'), modified: stat.mtime };
  }
}

/** The lake's other files are beside its stage root: `s3://b/lab/stage` has `s3://b/lab/_manifest/manifest.parquet`. */
async function remoteFiles(layout: LakeLayout, startedAt: Date, stager: string, s3: S3Settings | undefined): Promise<CatalogLakeFiles> {
  const parent = layout.stageRoot.slice(0, layout.stageRoot.lastIndexOf('/'));
  const [data, beside] = await Promise.all([openLakeStorage(layout.stageRoot, { s3 }), openLakeStorage(parent, { s3 })]);
  const key = (location: string) => location.slice(parent.length + 1);
  const events = remoteEvents(beside, `${key(layout.events)}/${eventsStamp(startedAt)}-${stager}`);
  return {
    layout,
    async putDataFile(relPath, run) {
      try {
        // A streamed file is put as one object too (read back whole: object storage has no rename).
        await data.put(relPath, run.kind === 'bytes' ? run.bytes : readFileSync(run.path));
        return undefined;
      } catch (error) {
        return error;
      } finally {
        discardRunData(run);
      }
    },
    removeDataFile: (relPath) => data.delete(relPath),
    syncDataFiles: async () => {}, // a PUT that succeeded is stored
    async *listDataFiles() {
      for await (const object of data.list('proc=')) {
        if (/\/part-[^/]*\.parquet$/.test(object.path)) yield { path: object.path, modified: object.modified };
      }
    },
    async writeManifest(snapshot) {
      // Written whole first (one row group a batch), then put as one object: readers see the old one or this one.
      const dir = mkdtempSync(path.join(tmpdir(), 'strata-manifest-'));
      try {
        const file = path.join(dir, 'manifest.parquet');
        const runs = await writeManifestSnapshot(file, snapshot);
        await beside.put(key(layout.manifest), readFileSync(file));
        return runs;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    writeReject: (record) => beside.put(`${key(layout.rejects)}/${rejectRecordName(record.source_file)}`, Buffer.from(rejectRecordText(record))),
    events,
  };
}

/** Events in object storage, which cannot append: each flush writes the lines since the last as an object of its own. */
function remoteEvents(storage: LakeStorage, prefix: string): CatalogEvents {
  let lines: string[] = [];
  let part = 0;
  const flush = async () => {
    if (lines.length === 0) return;
    const text = lines.join('');
    lines = [];
    await storage.put(`${prefix}-${String(part++).padStart(6, '0')}.jsonl`, Buffer.from(text));
  };
  return {
    where: `${storage.location}/${prefix}-*.jsonl`,
    append: (event) => void lines.push(eventLine(event)),
    flush,
    close: flush,
  };
}
