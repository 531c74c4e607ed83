// The few manifest columns a re-run needs to recognise unchanged files, read without the rest of the table.
import { existsSync } from 'node:fs';
import type { EngineConnection } from '../engine/duckdb.js';
import { manifestSource } from './manifest-store.js';

export interface StagedSource {
  readonly runId: string;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha1: string;
}

/** source_file -> what was staged from it; an absent manifest is an empty index. */
export async function readManifestIndex(conn: EngineConnection, file: string): Promise<Map<string, StagedSource>> {
  const index = new Map<string, StagedSource>();
  if (!existsSync(file)) return index;
  const rows = await conn.all<{ source_file: string; run_id: string; path: string; source_size: number; source_mtime_ms: number; source_sha1: string }>(
    `SELECT source_file, run_id, path, source_size, source_mtime_ms, source_sha1 FROM ${manifestSource(file)}`,
  );
  for (const r of rows) {
    index.set(r.source_file, { runId: r.run_id, path: r.path, size: r.source_size, mtimeMs: r.source_mtime_ms, sha1: r.source_sha1 });
  }
  return index;
}
