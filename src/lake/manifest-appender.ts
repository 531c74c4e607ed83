// The manifest grows by appending: a stage run's new runs become a row group added to `manifest.parquet`, whose
// other row groups are copied byte for byte, neither read nor encoded again. Only row groups that hold a run the
// stage run changed (restaged, touched, moved, rewritten to a new schema) are decoded and written anew, and small
// row groups are merged now and then, so a run costs what it changed plus one copy of the file's bytes. It stays one
// Parquet file, replaced atomically, that every reader opens as before.
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parquetReadObjects, type AsyncBuffer } from 'hyparquet';
import { readParquetFooter, schemaElementsOf, widening, writeRowGroups, type ByteSource, type ParquetFooter, type RowGroupPiece } from '../parquet/append-row-groups.js';
import { fieldOf, type ThriftStruct } from '../parquet/thrift-compact-tree.js';
import { ConvertedType, SchemaElement, Type } from '../parquet/parquet-thrift.js';
import { openAtomicFile } from '../fs/atomic-file.js';
import { isCoreColumn, manifestColumns, mergeParameterColumns, parameterTypeOfSql, type ManifestColumn, type ParameterColumn, type SqlType } from './manifest-columns.js';
import { GrowingManifest } from './manifest-file.js';

/** A row group with fewer runs is small: small ones are merged once there are more than MAX_SMALL_GROUPS. */
const SMALL_GROUP_RUNS = 4096;
const MAX_SMALL_GROUPS = 8;

/** What a stage run changes in the manifest, as one batch. */
export interface ManifestBatch {
  /** New and restaged runs (validated rows): the first `count` of `runs`. */
  readonly runs: GrowingManifest;
  readonly count: number;
  /** Source files whose rows the manifest holds and must lose: restaged (their new row is in `runs`) or moved. */
  readonly dropped: ReadonlySet<string>;
  /** New modification times of files whose bytes did not change. */
  readonly mtimes: ReadonlyMap<string, number>;
  /** The procedure schema each rewritten data file has now (conformDataFiles). */
  readonly dataSchemas: ReadonlyMap<string, string>;
}

export interface AppendOutcome {
  /** Runs in the manifest now. */
  readonly runs: number;
  /** How the file was written: appended to (others copied as bytes), or written whole (new, or another writer's). */
  readonly how: 'new' | 'appended' | 'rewritten';
  /** Row groups decoded and written anew (changed runs, merged small groups). */
  readonly regrouped: number;
}

type ManifestRecord = Record<string, unknown>;

/** Applies `batch` to the manifest `file` (created when missing) and replaces it atomically. */
export async function appendToManifest(file: string, batch: ManifestBatch, parameterColumns: readonly ParameterColumn[]): Promise<AppendOutcome> {
  mkdirSync(path.dirname(file), { recursive: true });
  if (!existsSync(file)) {
    const columns = manifestColumns(parameterColumns);
    const bytes = batch.runs.encode(batch.count, columns);
    return publish(file, (sink) => sink.write(bytes), { runs: batch.count, how: 'new', regrouped: 0 });
  }
  const fd = openSync(file, 'r');
  try {
    const source = fileSource(fd);
    const footer = readParquetFooter(source);
    const columns = manifestColumns(mergeParameterColumns(parameterColumns, parameterColumnsOf(footer)));
    const added = readParquetFooter(batch.runs.encode(0, columns));
    // A new parameter column leaves the row groups there as they are, with a chunk of nulls for it in each.
    const ours = footer.movable && footer.createdBy.startsWith('strata') && (footer.schemaKey === added.schemaKey || widening(footer, added) !== null);
    return ours ? await appendRowGroups(file, source, footer, added, batch, columns) : await rewriteWhole(file, source, footer, batch, columns);
  } finally {
    closeSync(fd);
  }
}

async function appendRowGroups(
  file: string,
  source: ByteSource,
  footer: ParquetFooter,
  template: ParquetFooter,
  batch: ManifestBatch,
  columns: readonly ManifestColumn[],
): Promise<AppendOutcome> {
  const touched = new Set([...batch.dropped, ...batch.mtimes.keys(), ...batch.dataSchemas.keys()]);
  const changed = touched.size === 0 ? new Set<number>() : await groupsHolding(source, footer, touched);
  const small = footer.rowGroups.flatMap((g, i) => (g.rows < SMALL_GROUP_RUNS && !changed.has(i) ? [i] : []));
  const merge = small.length >= MAX_SMALL_GROUPS ? new Set(small) : new Set<number>();
  const kept = footer.rowGroups.flatMap((_, i) => (changed.has(i) || merge.has(i) ? [] : [i]));
  // Changed groups are written anew one at a time (memory for one group); merged small ones go with the new runs.
  const fill = (column: number, rows: number) => nullColumnFile(columns[column]!, rows);
  const pieces: RowGroupPiece[] = [{ source, footer, groups: kept, fill }];
  let runs = kept.reduce((sum, i) => sum + footer.rowGroups[i]!.rows, 0);
  for (const g of changed) {
    const rows = applyBatch(await readGroups(source, footer, [g]), batch);
    if (rows.length > 0) pieces.push(piece(encodeRecords(rows, columns)));
    runs += rows.length;
  }
  const merged = merge.size === 0 ? [] : applyBatch(await readGroups(source, footer, [...merge]), batch);
  if (merged.length + batch.count > 0) pieces.push(piece(withNewRuns(merged, batch, columns)));
  runs += merged.length + batch.count;
  await publish(file, (sink) => writeRowGroups(sink, template, pieces), { runs, how: 'appended', regrouped: changed.size + merge.size });
  return { runs, how: 'appended', regrouped: changed.size + merge.size };
}

/**
 * Another writer's manifest (DuckDB's, from an older strata), or one whose column changed type: read whole and
 * written anew by strata's encoder, once; the runs after it append.
 */
async function rewriteWhole(
  file: string,
  source: ByteSource,
  footer: ParquetFooter,
  batch: ManifestBatch,
  columns: readonly ManifestColumn[],
): Promise<AppendOutcome> {
  const all = footer.rowGroups.map((_, i) => i);
  const rows = applyBatch(await readGroups(source, footer, all).catch(() => readWithDuckDb(file)), batch);
  const bytes = withNewRuns(rows, batch, columns);
  const runs = rows.length + batch.count;
  return publish(file, (sink) => sink.write(bytes), { runs, how: 'rewritten', regrouped: all.length });
}

/** The rows kept from old row groups: without the dropped runs, with the new mtimes and data schemas. */
function applyBatch(rows: ManifestRecord[], batch: ManifestBatch): ManifestRecord[] {
  const kept: ManifestRecord[] = [];
  for (const row of rows) {
    const source = row.source_file as string;
    if (batch.dropped.has(source)) continue;
    const mtime = batch.mtimes.get(source);
    if (mtime !== undefined) row.source_mtime_ms = mtime;
    const schema = batch.dataSchemas.get(source);
    if (schema !== undefined) row.data_schema = schema;
    kept.push(row);
  }
  return kept;
}

/** Old rows and a batch's new runs as one file, in the manifest's order. */
function withNewRuns(rows: readonly ManifestRecord[], batch: ManifestBatch, columns: readonly ManifestColumn[]): Buffer {
  const manifest = new GrowingManifest(columns);
  for (const row of rows) manifest.add(row);
  manifest.addRuns(batch.runs, batch.count);
  return manifest.encode(manifest.size, columns);
}

function encodeRecords(rows: readonly ManifestRecord[], columns: readonly ManifestColumn[]): Buffer {
  const manifest = new GrowingManifest(columns);
  for (const row of rows) manifest.add(row);
  return manifest.encode(manifest.size, columns);
}

/** A Parquet file of one column of `rows` nulls, as the manifest types it. */
function nullColumnFile(column: ManifestColumn, rows: number): Uint8Array {
  return new GrowingManifest([column]).encode(rows);
}

function piece(bytes: Buffer): RowGroupPiece {
  const footer = readParquetFooter(bytes);
  return { source: bytes, footer, groups: footer.rowGroups.map((_, i) => i) };
}

/** The row groups holding any of `sources`, found from the source_file column alone. */
async function groupsHolding(source: ByteSource, footer: ParquetFooter, sources: ReadonlySet<string>): Promise<Set<number>> {
  const names = (await read(source, ['source_file'])) as { source_file: string }[];
  const groups = new Set<number>();
  let row = 0;
  footer.rowGroups.forEach((g, i) => {
    for (let r = row; r < row + g.rows; r++) {
      if (sources.has(names[r]!.source_file)) {
        groups.add(i);
        break;
      }
    }
    row += g.rows;
  });
  return groups;
}

async function readGroups(source: ByteSource, footer: ParquetFooter, groups: readonly number[]): Promise<ManifestRecord[]> {
  const starts: number[] = [];
  let at = 0;
  for (const g of footer.rowGroups) {
    starts.push(at);
    at += g.rows;
  }
  const rows: ManifestRecord[] = [];
  for (const g of [...groups].sort((a, b) => a - b)) {
    const rowStart = starts[g]!;
    rows.push(...((await read(source, undefined, rowStart, rowStart + footer.rowGroups[g]!.rows)) as ManifestRecord[]));
  }
  return rows;
}

/** Timestamps stay exact microseconds (a Date keeps milliseconds); GZIP pages through node's zlib. */
const READ_OPTIONS = {
  rowFormat: 'object',
  compressors: { GZIP: (input: Uint8Array) => gunzipSync(input) },
  parsers: { timestampFromMicroseconds: (micros: bigint) => micros },
} as const;

function read(source: ByteSource, columns?: string[], rowStart?: number, rowEnd?: number): Promise<Record<string, unknown>[]> {
  return parquetReadObjects({ ...READ_OPTIONS, file: asyncBuffer(source), columns, rowStart, rowEnd });
}

/**
 * These columns of every run in a manifest file (a column the file lacks is absent from the rows), read without a
 * database; DuckDB reads a file hyparquet cannot decode (an older strata's manifest is ZSTD).
 */
export async function readManifestColumns(file: string, columns: readonly string[]): Promise<Record<string, unknown>[]> {
  const fd = openSync(file, 'r');
  try {
    const source = fileSource(fd);
    const names = new Set(schemaColumnsOf(readParquetFooter(source)).map((c) => c.name));
    return await read(source, columns.filter((c) => names.has(c)));
  } catch {
    return (await readWithDuckDb(file)).map((row) => Object.fromEntries(columns.filter((c) => c in row).map((c) => [c, row[c]])));
  } finally {
    closeSync(fd);
  }
}

/** Rows of a manifest hyparquet cannot decode (DuckDB writes ZSTD), through DuckDB, as the manifest's JS values. */
async function readWithDuckDb(file: string): Promise<ManifestRecord[]> {
  const { Engine } = await import('../engine/duckdb.js');
  const { readManifest } = await import('./manifest-store.js');
  const engine = await Engine.open(':memory:', { threads: 1 });
  try {
    return (await readManifest(await engine.connect(), file)) as unknown as ManifestRecord[];
  } finally {
    engine.close();
  }
}

function fileSource(fd: number): ByteSource {
  return { size: fstatSync(fd).size, read: (into, position) => readSync(fd, into, 0, into.length, position) };
}

function asyncBuffer(source: ByteSource): AsyncBuffer {
  if (source instanceof Uint8Array) {
    return { byteLength: source.length, slice: (start, end) => source.buffer.slice(source.byteOffset + start, source.byteOffset + (end ?? source.length)) as ArrayBuffer };
  }
  return {
    byteLength: source.size,
    slice: (start, end) => {
      const into = new Uint8Array((end ?? source.size) - start);
      let done = 0;
      while (done < into.length) {
        const n = source.read(into.subarray(done), start + done);
        if (n <= 0) break;
        done += n;
      }
      return into.buffer;
    },
  };
}

/** A manifest file's columns and their types, from its footer's schema. */
function schemaColumnsOf(footer: ParquetFooter): { readonly name: string; readonly type: SqlType | 'OTHER' }[] {
  return schemaElementsOf(footer).map(({ name, element }) => ({ name, type: sqlTypeOf(element) }));
}

/** The parameter columns a manifest file holds. */
function parameterColumnsOf(footer: ParquetFooter): ParameterColumn[] {
  return schemaColumnsOf(footer).flatMap(({ name, type: sqlType }) => {
    const type = parameterTypeOfSql(sqlType);
    return !isCoreColumn(name) && type ? [{ name, type }] : [];
  });
}

/** A schema element's DuckDB type: by its physical type, and for INT64 its converted or logical timestamp type. */
function sqlTypeOf(element: ThriftStruct): SqlType | 'OTHER' {
  const physical = fieldOf(element, SchemaElement.type)?.value;
  const converted = fieldOf(element, SchemaElement.converted_type)?.value;
  if (physical === Type.BOOLEAN) return 'BOOLEAN';
  if (physical === Type.DOUBLE) return 'DOUBLE';
  if (physical === Type.BYTE_ARRAY) return 'VARCHAR';
  if (physical === Type.INT64) {
    const timestamp = converted === ConvertedType.TIMESTAMP_MICROS || converted === ConvertedType.TIMESTAMP_MILLIS || fieldOf(element, SchemaElement.logicalType) !== undefined;
    return timestamp ? 'TIMESTAMPTZ' : 'BIGINT';
  }
  return 'OTHER';
}

/** Writes the new file beside `file`, flushes it, and renames it over `file`. */
async function publish<T>(file: string, write: (sink: { write(bytes: Uint8Array): void }) => unknown, result: T): Promise<T> {
  const out = openAtomicFile(file);
  try {
    write(out);
    out.commit();
    return result;
  } catch (error) {
    out.abort();
    throw error;
  }
}
