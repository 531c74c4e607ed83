// Reading the data columns the metrics need from many runs' Parquet files, a batch of files per query.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { sqlIdentifier, sqlLiteral, type EngineConnection, type RawChunk } from '../engine/duckdb.js';
import { isInside } from '../fs/inside-root.js';

export interface ColumnRequest {
  readonly runId: string;
  /** The data file, relative to the stage root, as the manifest records it. */
  readonly path: string;
  readonly rows: number;
  readonly columns: readonly string[];
}

/** A run's columns as read (a column its file lacks is absent), or why its file could not be read. */
export type RunColumns =
  | { readonly kind: 'read'; readonly columns: ReadonlyMap<string, Float64Array> }
  | { readonly kind: 'unreadable'; readonly flag: 'DATA_FILE_MISSING' | 'DATA_FILE_OUTSIDE_LAKE' | 'DATA_FILE_UNREADABLE'; readonly reason: string };

/** A query reads up to this many files, or this many rows, whichever comes first. */
const BATCH_FILES = 128;
const BATCH_ROWS = 2_000_000;

/**
 * Reads each request's columns (as doubles, null as NaN), yielding the runs a batch at a time so that only one
 * batch is in memory. Files are read in one UNION ALL query per batch; when that fails (a file is damaged), the
 * batch's files are read one by one, so that one bad file costs its own run only.
 */
export async function* readRunColumns(conn: EngineConnection, stageRoot: string, requests: readonly ColumnRequest[]): AsyncGenerator<ReadonlyMap<string, RunColumns>> {
  const schemas = new Map<string, ReadonlySet<string>>();
  for (const batch of batches(requests)) {
    const out = new Map<string, RunColumns>();
    const readable: { request: ColumnRequest; file: string }[] = [];
    for (const request of batch) {
      const file = path.join(stageRoot, ...request.path.split('/'));
      if (!isInside(file, stageRoot)) out.set(request.runId, { kind: 'unreadable', flag: 'DATA_FILE_OUTSIDE_LAKE', reason: `its data file path '${request.path}' leads outside the lake` });
      else if (!existsSync(file)) out.set(request.runId, { kind: 'unreadable', flag: 'DATA_FILE_MISSING', reason: `its data file ${file} is missing` });
      else readable.push({ request, file });
    }
    if (readable.length > 0) {
      try {
        await readTogether(conn, readable, schemas, out);
      } catch {
        for (const one of readable) {
          try {
            await readTogether(conn, [one], new Map(), out);
          } catch (error) {
            out.set(one.request.runId, { kind: 'unreadable', flag: 'DATA_FILE_UNREADABLE', reason: `its data file ${one.file} could not be read (${firstLine(error)})` });
          }
        }
      }
    }
    yield out;
  }
}

const firstLine = (error: unknown) => (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';

function* batches(requests: readonly ColumnRequest[]): Generator<ColumnRequest[]> {
  let batch: ColumnRequest[] = [];
  let rows = 0;
  for (const request of requests) {
    const sameColumns = batch.length === 0 || batch[0]!.columns.join('\0') === request.columns.join('\0');
    if (batch.length > 0 && (!sameColumns || batch.length >= BATCH_FILES || rows + request.rows > BATCH_ROWS)) {
      yield batch;
      batch = [];
      rows = 0;
    }
    batch.push(request);
    rows += request.rows;
  }
  if (batch.length > 0) yield batch;
}

/** The columns of `file` (runs of one procedure share them: the first file's are asked once per batch). */
async function columnsOf(conn: EngineConnection, file: string): Promise<ReadonlySet<string>> {
  const described = await conn.all<{ column_name: string }>(`DESCRIBE SELECT * FROM read_parquet(${sqlLiteral(file)})`);
  return new Set(described.map((d) => d.column_name));
}

async function readTogether(
  conn: EngineConnection,
  files: readonly { request: ColumnRequest; file: string }[],
  schemas: Map<string, ReadonlySet<string>>,
  out: Map<string, RunColumns>,
): Promise<void> {
  const wanted = files[0]!.request.columns;
  const key = `${path.dirname(path.dirname(path.dirname(files[0]!.file)))}\0${wanted.join('\0')}`;
  let present = schemas.get(key);
  if (present === undefined) {
    present = await columnsOf(conn, files[0]!.file);
    schemas.set(key, present);
  }
  const columns = wanted.filter((c) => present.has(c));
  const selects = files.map(
    ({ file }, k) =>
      `SELECT ${k}::DOUBLE AS k, file_row_number::DOUBLE AS r${columns.map((c) => `, CAST(${sqlIdentifier(c)} AS DOUBLE)`).join('')} FROM read_parquet(${sqlLiteral(file)}, file_row_number = true)`,
  );
  const arrays = files.map(({ request }) => columns.map(() => new Float64Array(request.rows).fill(NaN)));
  const lengths = files.map(() => 0);
  for await (const chunk of conn.rawChunks(selects.join(' UNION ALL '))) place(chunk, columns.length, arrays, lengths);
  files.forEach(({ request }, k) => {
    const length = lengths[k]!;
    out.set(request.runId, { kind: 'read', columns: new Map(columns.map((c, j) => [c, arrays[k]![j]!.subarray(0, length)])) });
  });
}

/** Puts each row of a chunk at its file's row number in its run's arrays (rows of a UNION may come in any order). */
function place(chunk: RawChunk, width: number, arrays: Float64Array[][], lengths: number[]): void {
  const view = (j: number) => {
    const data = chunk.vectors[j]!.data;
    // DuckDB's vectors are 8-byte aligned; a copy covers the day they are not.
    return data.byteOffset % 8 === 0 ? new Float64Array(data.buffer, data.byteOffset, chunk.rows) : new Float64Array(data.slice(0, chunk.rows * 8).buffer);
  };
  const ks = view(0);
  const rs = view(1);
  for (let j = 0; j < width; j++) {
    const values = view(j + 2);
    const validity = chunk.vectors[j + 2]!.validity;
    for (let row = 0; row < chunk.rows; row++) {
      const k = ks[row]!;
      const r = rs[row]!;
      let target = arrays[k]![j]!;
      if (r >= target.length) {
        const grown = new Float64Array(Math.max(r + 1, target.length * 2)).fill(NaN);
        grown.set(target);
        arrays[k]![j] = target = grown;
      }
      const present = validity === null || ((validity[row >> 3]! >> (row & 7)) & 1) === 1;
      target[r] = present ? values[row]! : NaN;
      if (j === 0 || width === 0) lengths[k] = Math.max(lengths[k]!, r + 1);
    }
  }
  if (width === 0) for (let row = 0; row < chunk.rows; row++) lengths[ks[row]!] = Math.max(lengths[ks[row]!]!, rs[row]! + 1);
}
