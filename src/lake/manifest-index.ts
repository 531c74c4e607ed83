// The few manifest columns a re-run needs to recognise unchanged files, read without the rest of the table; and a
// JSON copy of them beside the manifest (`_manifest/index.json`), stamped with the manifest file it was read from,
// so a re-run with nothing to do opens no database at all. The copy is kept in source order, so that a run reads
// it beside the walk of the raw root a piece at a time rather than holding the lake's runs (staged-index.ts).
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { comparePaths } from '../fs/path-order.js';
import { openAtomicFile, type AtomicFile } from '../fs/atomic-file.js';
import type { ManifestCoreRow } from './manifest-row.js';
import { readManifestColumns } from './manifest-appender.js';
import { procedureOfPath } from './partition-path.js';

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
 * The copy's text: a first line `{"stamp": ..., "sorted": true}`, then one JSON array a staged source,
 * `[source_file, run_id, path, size, mtime_ms, sha1, data_schema]`, in source order (comparePaths), then a last line
 * `{"schemas": [[procedure, data_schema, runs], ...]}`. Line by line, so that neither writing nor reading it holds
 * the whole lake as one string or one parsed tree. A copy without "sorted" (an older strata's) is read whole.
 */
type IndexLine = readonly [string, string, string, number, number, string, string | null];

/** A (procedure, data schema) pair and how many runs have it. */
type SchemaLine = readonly [string, string | null, number];

export interface CachedIndex {
  readonly staged: Map<string, StagedSource>;
}

/** A staged source, what the copy holds of it, and the copy's line for it (undefined when not read from a copy). */
export type CopyEntry = readonly [string, StagedSource, string | undefined];

/** A copy in source order, read again a piece at a time whenever it is walked; holds its file open. */
export interface SortedCopy {
  /** How many runs have each (procedure, data schema) pair, by schemaKey. */
  readonly schemas: ReadonlyMap<string, number>;
  /**
   * Its staged sources in source order, each with its line of the copy (written again as it is when unchanged);
   * throws when they are not in order (a copy edited by hand).
   */
  entries(): Iterable<CopyEntry>;
  close(): void;
}

/** The key of a run's (procedure, data schema) pair. */
export function schemaKey(procedure: string, dataSchema: string | null): string {
  return JSON.stringify([procedure, dataSchema]);
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
  let fd: number | undefined;
  try {
    fd = openSync(copyPath, 'r');
    const lines = linesOf(fd);
    if (currentHeader(lines, manifestPath) === undefined) return undefined;
    const staged = new Map<string, StagedSource>();
    const schemas = new Map<string, string>();
    for (const text of lines) {
      if (text.startsWith('{')) break; // the schemas' line, the last
      const line = JSON.parse(text) as IndexLine;
      if (line.length < 7) return undefined; // written before it kept data schemas
      const [source, runId, p, size, mtimeMs, sha1, read] = line;
      const dataSchema = read === null ? null : oneString(schemas, read);
      staged.set(source, { runId, path: p, size, mtimeMs, sha1, dataSchema });
    }
    return { staged };
  } catch {
    return undefined; // none, cut short, or not one this strata reads: the manifest is read instead
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The string `schemas` holds equal to `text` (held from now on if none): a lake has a few data schemas, one string each. */
function oneString(schemas: Map<string, string>, text: string): string {
  return schemas.get(text) ?? schemas.set(text, text).get(text)!;
}

interface CopyHeader {
  readonly stamp?: ManifestStamp;
  /** Written in source order (an older strata's copy is not). */
  readonly sorted?: boolean;
}

/** The copy's first line, when its stamp is the manifest's as it is now; undefined otherwise. */
function currentHeader(lines: Generator<string>, manifestPath: string): { readonly header: CopyHeader; readonly text: string } | undefined {
  const stamp = stampOf(manifestPath);
  const first = lines.next();
  if (stamp === undefined || first.done === true) return undefined;
  const header = JSON.parse(first.value) as CopyHeader;
  const s = header.stamp;
  return s?.ino === stamp.ino && s.size === stamp.size && s.mtimeMs === stamp.mtimeMs ? { header, text: first.value } : undefined;
}

/** The copy is read this many bytes at a time: never the whole lake's text at once. */
const READ_BYTES = 1 << 20;

/**
 * The lines of a file from byte `from`, read a piece at a time, each with the offset after it; throws when the last
 * one has no newline (the file was cut short).
 */
function* linesOf(fd: number, from = 0): Generator<string> {
  let position = from;
  let buffer = Buffer.allocUnsafe(READ_BYTES);
  let held = 0;
  for (;;) {
    if (held === buffer.length) buffer = Buffer.concat([buffer, Buffer.allocUnsafe(buffer.length)]); // a line longer than the buffer
    const read = readSync(fd, buffer, held, buffer.length - held, position);
    if (read === 0) break;
    position += read;
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

/**
 * The copy written in source order, when it was read from the manifest as it is now; undefined otherwise (then
 * readIndexCopy reads an older strata's copy whole, or the manifest is read).
 */
export function openIndexCopy(copyPath: string, manifestPath: string): SortedCopy | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(copyPath, 'r');
    const current = currentHeader(linesOf(fd), manifestPath);
    if (current?.header.sorted !== true) return undefined;
    const body = Buffer.byteLength(current.text) + 1;
    const schemas = new Map((lastLine(fd).schemas ?? []).map(([proc, dataSchema, runs]) => [schemaKey(proc, dataSchema), runs]));
    const held = fd;
    fd = undefined;
    return { schemas, entries: () => sortedEntries(held, body, copyPath), close: () => closeSync(held) };
  } catch {
    return undefined; // none, cut short, or not one this strata reads this way
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The copy's last line, its schemas; throws when the copy does not end with one (cut short). */
function lastLine(fd: number): { schemas?: SchemaLine[] } {
  const size = fstatSync(fd).size;
  const tail = Buffer.allocUnsafe(Math.min(size, READ_BYTES));
  readSync(fd, tail, 0, tail.length, size - tail.length);
  if (tail[tail.length - 1] !== 10) throw new Error('cut short');
  const start = tail.lastIndexOf(10, tail.length - 2) + 1;
  if (start === 0 && tail.length < size) throw new Error('a schemas line longer than the tail read');
  return JSON.parse(tail.toString('utf8', start, tail.length - 1)) as { schemas?: SchemaLine[] };
}

function* sortedEntries(fd: number, from: number, copyPath: string): Generator<CopyEntry> {
  const schemas = new Map<string, string>();
  let last: string | undefined;
  for (const text of linesOf(fd, from)) {
    if (text.startsWith('{')) return;
    const [source, runId, p, size, mtimeMs, sha1, read] = JSON.parse(text) as IndexLine;
    if (last !== undefined && comparePaths(last, source) >= 0) throw new Error(`the index copy ${copyPath} is out of order: remove it, and the next run reads the manifest`);
    last = source;
    const dataSchema = read === null ? null : oneString(schemas, read);
    yield [source, { runId, path: p, size, mtimeMs, sha1, dataSchema }, text];
  }
}

/** Keeps `staged` (read from the manifest as it is now) as the JSON copy; best effort (a read-only lake keeps none). */
export function writeIndexCopy(copyPath: string, manifestPath: string, staged: ReadonlyMap<string, StagedSource>): void {
  writeSortedIndexCopy(
    copyPath,
    manifestPath,
    [...staged].sort((a, b) => comparePaths(a[0], b[0])).map(([source, s]) => [source, s, undefined] as const),
  );
}

/**
 * writeIndexCopy for entries given in source order (comparePaths), which may be read from the copy it replaces;
 * an entry's line is written as it is when given. `schemas` are the runs' pair counts, when the caller knows them.
 */
export function writeSortedIndexCopy(copyPath: string, manifestPath: string, staged: Iterable<CopyEntry>, schemas?: ReadonlyMap<string, number>): void {
  const stamp = stampOf(manifestPath);
  if (stamp === undefined) return;
  let file: AtomicFile | undefined;
  try {
    file = openAtomicFile(copyPath);
    let text = `${JSON.stringify({ stamp, sorted: true })}\n`;
    const counted = schemas === undefined ? new Map<string, number>() : undefined;
    for (const [source, s, line] of staged) {
      text += `${line ?? JSON.stringify([source, s.runId, s.path, s.size, s.mtimeMs, s.sha1, s.dataSchema] satisfies IndexLine)}\n`;
      if (counted !== undefined) {
        const key = schemaKey(procedureOfPath(s.path), s.dataSchema);
        counted.set(key, (counted.get(key) ?? 0) + 1);
      }
      if (text.length >= 1 << 20) {
        file.write(Buffer.from(text));
        text = '';
      }
    }
    const pairs = [...(schemas ?? counted!)].map(([key, runs]) => [...(JSON.parse(key) as [string, string | null]), runs] satisfies SchemaLine);
    text += `${JSON.stringify({ schemas: pairs })}\n`;
    file.write(Buffer.from(text));
    file.commit();
  } catch {
    file?.abort(); // read-only, or full: the next run reads the manifest itself
  }
}
