// Test support: writes encoded Parquet to a temp file and reads it back with DuckDB and the Python readers.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Engine, sqlIdentifier, sqlLiteral, type EngineConnection } from '../engine/duckdb.js';
import { runPythonJson } from '../../test/support/python.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { encodeParquet } from './encode-parquet.js';
import type { EncodeOptions, ParquetColumn } from './parquet-columns.js';

/** One cell as the tests compare it: numbers as text ('NaN', '-0', 'Infinity'), integers and micros as text. */
export type Cell = string | boolean | null;

export function cell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  return String(value);
}

let file = 0;
export function writeParquet(columns: readonly ParquetColumn[], rows: number, options?: EncodeOptions): string {
  const target = path.join(tempDir('strata-parquet-'), `f${file++}.parquet`);
  writeFileSync(target, encodeParquet(columns, rows, options));
  return target;
}

/** What the encoder was given, row by row, as cells. */
export function expectedColumns(columns: readonly ParquetColumn[], rows: number): Cell[][] {
  return columns.map(({ values }) => {
    const out: Cell[] = [];
    for (let i = 0; i < rows; i++) {
      switch (values.kind) {
        case 'constant': out.push(cell(values.value)); break;
        case 'utf8': out.push(values.values[i] ?? null); break;
        case 'boolean': out.push(values.valid !== null && values.valid[i] === 0 ? null : values.values[i] !== 0); break;
        default: out.push(values.valid !== null && values.valid[i] === 0 ? null : cell(values.values[i]));
      }
    }
    return out;
  });
}

export interface ReadBack {
  readonly types: string[];
  readonly columns: Cell[][];
  readonly stats: { nullCount: string; min: string | null; max: string | null }[];
  readonly rowGroups: number;
  /** Each column's codec in the first row group, as DuckDB names it (GZIP, SNAPPY, UNCOMPRESSED). */
  readonly codecs: string[];
}

let engine: Engine | undefined;

export async function readWithDuckDb(target: string): Promise<ReadBack> {
  engine ??= await Engine.open(':memory:', { threads: 1 });
  const db = await engine.connect();
  const src = `read_parquet(${sqlLiteral(target)})`;
  const described = await db.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM ${src}`);
  const columns: Cell[][] = [];
  for (const { column_name: name, column_type: type } of described) {
    const expr = type.startsWith('TIMESTAMP') ? `epoch_us(${sqlIdentifier(name)})` : sqlIdentifier(name);
    const rows = await db.all<{ v: unknown }>(`SELECT ${expr} AS v FROM ${src}`);
    columns.push(rows.map((row) => cell(row.v)));
  }
  const meta = await db.all<{ p: string; n: number | null; lo: string | null; hi: string | null; rg: number; codec: string }>(
    `SELECT path_in_schema AS p, stats_null_count AS n, stats_min_value AS lo, stats_max_value AS hi, row_group_id AS rg, compression AS codec
       FROM parquet_metadata(${sqlLiteral(target)}) ORDER BY row_group_id, column_id`,
  );
  await assertChunksTileTheFile(db, target);
  const stats = meta.filter((m) => m.rg === 0).map((m) => ({ nullCount: String(m.n), min: m.lo, max: m.hi }));
  const rowGroups = new Set(meta.map((m) => m.rg)).size;
  const codecs = meta.filter((m) => m.rg === 0).map((m) => m.codec);
  return { types: described.map((d) => d.column_type), columns, stats, rowGroups, codecs };
}

/**
 * The footer's byte ranges of the column chunks (from the first page's offset, total_compressed_size long) follow
 * one another from just after the leading magic to just before the footer, as readers that fetch a chunk by its
 * range (PyArrow's pre-buffering, remote scans) rely on: a wrong size reads fine locally and fails there.
 */
async function assertChunksTileTheFile(db: EngineConnection, target: string): Promise<void> {
  const chunks = await db.all<{ start: number | bigint; size: number | bigint }>(
    `SELECT coalesce(least(dictionary_page_offset, data_page_offset), data_page_offset) AS start, total_compressed_size AS size
       FROM parquet_metadata(${sqlLiteral(target)}) ORDER BY start`,
  );
  const bytes = readFileSync(target);
  const footerStart = bytes.length - 8 - bytes.readUInt32LE(bytes.length - 8);
  let at = 4;
  for (const { start, size } of chunks) {
    assert.equal(Number(start), at, `${target}: a column chunk starts at ${start}, where the one before it ends at ${at}`);
    at += Number(size);
  }
  assert.equal(at, footerStart, `${target}: the column chunks end at ${at}, the footer starts at ${footerStart}`);
}

const PY = `
import json, math, sys
import pyarrow as pa, pyarrow.parquet as pq, polars as pl, pandas as pd
path = sys.argv[1]
t = pq.read_table(path)
def enc(v):
    if v is None or isinstance(v, bool): return v
    if isinstance(v, float):
        if math.isnan(v): return 'NaN'
        if math.isinf(v): return 'Infinity' if v > 0 else '-Infinity'
        return v
    return str(v)
def cols(table):
    out = []
    for f, c in zip(table.schema, table.columns):
        if pa.types.is_timestamp(f.type): c = c.cast(pa.int64())
        out.append([enc(v) for v in c.to_pylist()])
    return out
md = pq.ParquetFile(path).metadata
stats = []
if md.num_row_groups > 0:
    for i in range(md.num_columns):
        s = md.row_group(0).column(i).statistics
        lo = hi = None
        if s is not None and s.has_min_max:
            lo, hi = s.min, s.max
            if hasattr(lo, 'timestamp'): lo, hi = int(lo.timestamp() * 1e6), int(hi.timestamp() * 1e6)
        stats.append({'nullCount': str(s.null_count if s is not None else None), 'min': enc(lo), 'max': enc(hi)})
p = pl.read_parquet(path)
d = pd.read_parquet(path)
print(json.dumps({
  'arrow_types': [str(f.type) for f in t.schema], 'arrow': cols(t), 'stats': stats,
  'polars_types': [str(x) for x in p.dtypes], 'polars': cols(p.to_arrow()),
  'pandas_types': [str(x) for x in d.dtypes], 'pandas_rows': len(d),
}))
`;

export interface PythonReadBack {
  readonly arrow_types: string[];
  readonly arrow: Cell[][];
  readonly stats: { nullCount: string; min: Cell; max: Cell }[];
  readonly polars_types: string[];
  readonly polars: Cell[][];
  readonly pandas_types: string[];
  readonly pandas_rows: number;
}

export function readWithPython(target: string): PythonReadBack {
  const raw = runPythonJson(PY, [target]) as PythonReadBack;
  const fix = (columns: Cell[][]): Cell[][] => columns.map((column) => column.map((value) => cell(value)));
  return {
    ...raw,
    arrow: fix(raw.arrow),
    polars: fix(raw.polars),
    stats: raw.stats.map((s) => ({ nullCount: s.nullCount, min: cell(s.min), max: cell(s.max) })),
  };
}
