// The few manifest columns a re-run needs to recognise unchanged files, read without the rest of the table; and a
// JSON copy of them beside the manifest (`_manifest/index.json`), stamped with the manifest file it was read from,
// so a re-run with nothing to do opens no database at all.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { openAtomicFile, type AtomicFile } from '../fs/atomic-file.js';
import type { ManifestCoreRow } from './manifest-row.js';
import { readManifestColumns } from './manifest-appender.js';

export interface StagedSource {
  readonly runId: string;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly sha1: string;
  /** The procedure schema its data file has (null: written before schemas existed, to be conformed). */
  readonly dataSchema: string | null;
}

/** The manifest columns a re-run's index is made of. */
export type IndexedRow = Pick<ManifestCoreRow, 'source_file' | 'run_id' | 'path' | 'source_size' | 'source_mtime_ms' | 'source_sha1'> & {
  readonly data_schema?: string | null | undefined;
};

const INDEXED: readonly (keyof IndexedRow)[] = ['source_file', 'run_id', 'path', 'source_size', 'source_mtime_ms', 'source_sha1', 'data_schema'];

/** What the index holds of a manifest row. */
export function stagedSourceOf(row: IndexedRow): StagedSource {
  return { runId: row.run_id, path: row.path, size: Number(row.source_size), mtimeMs: row.source_mtime_ms, sha1: row.source_sha1, dataSchema: row.data_schema ?? null };
}

/** source_file -> what was staged from it, read from those columns of the manifest alone; no manifest, no runs. */
export async function readManifestIndex(file: string): Promise<Map<string, StagedSource>> {
  const index = new Map<string, StagedSource>();
  if (!existsSync(file)) return index;
  for (const r of (await readManifestColumns(file, INDEXED)) as unknown as IndexedRow[]) index.set(r.source_file, stagedSourceOf(r));
  return index;
}

/** The manifest file as the copy saw it: any rewrite (an atomic rename makes a new inode) breaks the stamp. */
interface ManifestStamp {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * The copy's text: a first line `{"stamp": ...}`, then one JSON array a staged source,
 * `[source_file, run_id, path, size, mtime_ms, sha1, data_schema]`. Line by line, so that neither writing nor
 * reading it holds the whole lake as one string or one parsed tree.
 */
type IndexLine = readonly [string, string, string, number, number, string, string | null];

export interface CachedIndex {
  readonly staged: Map<string, StagedSource>;
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
export function readIndexCopy(copyPath: string, manifestPath: string): CachedIndex | undefined {
  const stamp = stampOf(manifestPath);
  if (stamp === undefined) return undefined;
  let fd: number | undefined;
  try {
    fd = openSync(copyPath, 'r');
    const lines = linesOf(fd);
    const first = lines.next();
    if (first.done === true) return undefined;
    const s = (JSON.parse(first.value) as { stamp?: ManifestStamp }).stamp;
    if (s?.ino !== stamp.ino || s.size !== stamp.size || s.mtimeMs !== stamp.mtimeMs) return undefined;
    const staged = new Map<string, StagedSource>();
    // A lake has a few data schemas: one string each, not one per run.
    const schemas = new Map<string, string>();
    for (const text of lines) {
      const line = JSON.parse(text) as IndexLine;
      if (line.length < 7) return undefined; // written before it kept data schemas
      const [source, runId, p, size, mtimeMs, sha1, read] = line;
      const dataSchema = read === null ? null : (schemas.get(read) ?? schemas.set(read, read).get(read)!);
      staged.set(source, { runId, path: p, size, mtimeMs, sha1, dataSchema });
    }
    return { staged };
  } catch {
    return undefined; // none, cut short, or not one this strata reads: the manifest is read instead
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The copy is read this many bytes at a time: never the whole lake's text at once. */
const READ_BYTES = 1 << 20;

/** The lines of a file, read a piece at a time; throws when the last one has no newline (the file was cut short). */
function* linesOf(fd: number): Generator<string> {
  let buffer = Buffer.allocUnsafe(READ_BYTES);
  let held = 0;
  for (;;) {
    if (held === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(buffer.length)]); // a line longer than the buffer
    const read = readSync(fd, buffer, held, buffer.length - held, null);
    if (read === 0) break;
    held += read;
    let start = 0;
    for (let end = buffer.indexOf(10, start); end >= 0 && end < held; end = buffer.indexOf(10, start)) {
      yield buffer.toString('utf8', start, end);
      start = end + 1;
    }
    buffer.copy(buffer, 0, start, held);
    held -= start;
  }
  if (held > 0) throw new Error('cut short');
}

/** Keeps `staged` (read from the manifest as it is now) as the JSON copy; best effort (a read-only lake keeps none). */
export function writeIndexCopy(copyPath: string, manifestPath: string, staged: ReadonlyMap<string, StagedSource>): void {
  const stamp = stampOf(manifestPath);
  if (stamp === undefined) return;
  let file: AtomicFile | undefined;
  try {
    file = openAtomicFile(copyPath);
    let text = `${JSON.stringify({ stamp })}\n`;
    for (const [source, s] of staged) {
      text += `${JSON.stringify([source, s.runId, s.path, s.size, s.mtimeMs, s.sha1, s.dataSchema] satisfies IndexLine)}\n`;
      if (text.length >= 1 << 20) {
        file.write(Buffer.from(text));
        text = '';
      }
    }
    file.write(Buffer.from(text));
    file.commit();
  } catch {
    file?.abort(); // read-only, or full: the next run reads the manifest itself
  }
}
