// The few manifest columns a re-run needs to recognise unchanged files, read without the rest of the table; and a
// JSON copy of them beside the manifest (`_manifest/index.json`), stamped with the manifest file it was read from,
// so a re-run with nothing to do opens no database at all.
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomically } from '../fs/atomic-file.js';
import type { EngineConnection } from '../engine/duckdb.js';
import type { ManifestCoreRow } from './manifest-row.js';
import { manifestSource } from './manifest-store.js';

export interface StagedSource {
  readonly runId: string;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha1: string;
}

/** The manifest columns a re-run's index is made of. */
export type IndexedRow = Pick<ManifestCoreRow, 'source_file' | 'run_id' | 'path' | 'source_size' | 'source_mtime_ms' | 'source_sha1'>;

/** What the index holds of a manifest row. */
export function stagedSourceOf(row: IndexedRow): StagedSource {
  return { runId: row.run_id, path: row.path, size: row.source_size, mtimeMs: row.source_mtime_ms, sha1: row.source_sha1 };
}

/** source_file -> what was staged from it; an absent manifest is an empty index. */
export async function readManifestIndex(conn: EngineConnection, file: string): Promise<Map<string, StagedSource>> {
  const index = new Map<string, StagedSource>();
  if (!existsSync(file)) return index;
  const rows = await conn.all<IndexedRow>(`SELECT source_file, run_id, path, source_size, source_mtime_ms, source_sha1 FROM ${manifestSource(file)}`);
  for (const r of rows) index.set(r.source_file, stagedSourceOf(r));
  return index;
}

/** The manifest file as the copy saw it: any rewrite (an atomic rename makes a new inode) breaks the stamp. */
interface ManifestStamp {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

interface IndexCopy {
  readonly stamp: ManifestStamp;
  /** The lake's procedure schema ids every data file was conformed to when the copy was written. */
  readonly conformedTo: string;
  readonly sources: readonly (readonly [string, string, string, number, number, string])[];
}

export interface CachedIndex {
  readonly staged: Map<string, StagedSource>;
  readonly conformedTo: string;
}

function indexCopyPath(manifestPath: string): string {
  return path.join(path.dirname(manifestPath), 'index.json');
}

function stampOf(manifestPath: string): ManifestStamp | undefined {
  try {
    const { ino, size, mtimeMs } = statSync(manifestPath);
    return { ino, size, mtimeMs };
  } catch {
    return undefined;
  }
}

/** The JSON copy of the index when it was read from the manifest as it is now; undefined otherwise. */
export function readIndexCopy(manifestPath: string): CachedIndex | undefined {
  const stamp = stampOf(manifestPath);
  if (stamp === undefined) return undefined;
  let copy: IndexCopy;
  try {
    copy = JSON.parse(readFileSync(indexCopyPath(manifestPath), 'utf8')) as IndexCopy;
  } catch {
    return undefined;
  }
  const s = copy.stamp;
  if (s?.ino !== stamp.ino || s.size !== stamp.size || s.mtimeMs !== stamp.mtimeMs) return undefined;
  const staged = new Map(copy.sources.map(([source, runId, p, size, mtimeMs, sha1]) => [source, { runId, path: p, size, mtimeMs, sha1 }]));
  return { staged, conformedTo: copy.conformedTo };
}

/** Keeps `staged` (read from the manifest as it is now) as the JSON copy; best effort (a read-only lake keeps none). */
export function writeIndexCopy(manifestPath: string, staged: ReadonlyMap<string, StagedSource>, conformedTo: string): void {
  const stamp = stampOf(manifestPath);
  if (stamp === undefined) return;
  const sources = [...staged].map(([source, s]) => [source, s.runId, s.path, s.size, s.mtimeMs, s.sha1] as const);
  try {
    writeFileAtomically(indexCopyPath(manifestPath), JSON.stringify({ stamp, conformedTo, sources } satisfies IndexCopy));
  } catch {
    // read-only: the next run reads the manifest itself
  }
}
