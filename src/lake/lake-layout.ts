// Every path of a lake, named once: the stage root and its partitions, the manifest and the files beside it, the
// rejects, the events and the lock. Commands that read a lake and the stage run that writes it take them from here.
import path from 'node:path';
import { absoluteDataPath } from './partition-path.js';
import { STAGE_LOCK_NAME } from './stage-lock.js';

export interface LakeLayout {
  /** `proc=<Proc>/date=<YYYY-MM-DD>/run_id=<id>/part-000.parquet` below it. */
  readonly stageRoot: string;
  /** The manifest: one row per staged run (CONTRACT: `<stage root>/../_manifest/manifest.parquet`). */
  readonly manifest: string;
  /** Staged runs not in the manifest yet, one row a line: what a run that died had finished. */
  readonly journal: string;
  /** The columns of the manifest a re-run needs, as JSON, stamped with the manifest file they were read from. */
  readonly indexCopy: string;
  /** Each procedure's columns and their changes. */
  readonly schemas: string;
  /** One JSON-lines file per stage run. */
  readonly events: string;
  /** One JSON record per raw file that could not be staged. */
  readonly rejects: string;
  /** One stage run at a time per lake. */
  readonly lock: string;
  /** Compiled copies of procedures YAMLs, kept with the lake. */
  readonly catalogCache: string;
  /** A run's data file on disk, from its path relative to the stage root (the manifest's `path`, runDataPath). */
  dataFile(relPath: string): string;
}

/** Where a lake is: its stage root, and where the flags put its manifest, rejects and events (a StagingConfig is one). */
export interface LakeLocation {
  readonly stageRoot: string;
  readonly manifestPath?: string | undefined;
  readonly rejectsDir?: string | undefined;
  readonly eventsDir?: string | undefined;
}

/** Whether a stage root is a URL (`s3://bucket/prefix`) rather than a folder. */
export function isUrlLocation(location: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location) && !location.toLowerCase().startsWith('file://');
}

/** The layout of the lake at `stageRoot`, its manifest, rejects and events beside it unless given elsewhere. */
export function lakeLayout(where: LakeLocation): LakeLayout {
  // In object storage, the paths are keys: `s3://bucket/lake/stage` has `s3://bucket/lake/_manifest/...` beside it.
  const url = isUrlLocation(where.stageRoot);
  const join = url ? (...parts: string[]) => parts.join('/') : path.join;
  const dirname = url ? (key: string) => key.slice(0, key.lastIndexOf('/')) : path.dirname;
  const stageRoot = url ? where.stageRoot.replace(/\/+$/, '') : path.resolve(where.stageRoot);
  const beside = (...parts: string[]) => join(dirname(stageRoot), ...parts);
  const manifest = where.manifestPath ?? beside('_manifest', 'manifest.parquet');
  const manifestDir = dirname(manifest);
  return {
    stageRoot,
    manifest,
    journal: join(manifestDir, 'pending.jsonl'),
    indexCopy: join(manifestDir, 'index.json'),
    schemas: join(manifestDir, 'schemas.json'),
    catalogCache: manifestDir,
    events: where.eventsDir ?? beside('_manifest', 'events'),
    rejects: where.rejectsDir ?? beside('_rejects'),
    lock: join(stageRoot, STAGE_LOCK_NAME),
    dataFile: (relPath) => (url ? join(stageRoot, relPath) : absoluteDataPath(stageRoot, relPath)),
  };
}
