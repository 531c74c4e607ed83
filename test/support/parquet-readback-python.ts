// Reads a Parquet file with PyArrow, Polars and pandas (when Python is there): values as cells, types, statistics
// and field ids, for the encoder's tests.
import { cell, type Cell } from './parquet-written.js';
import { runPythonJson } from './python.js';

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
field_ids = []
for f in pq.read_schema(path):
    m = f.metadata or {}
    field_ids.append(int(m[b'PARQUET:field_id']) if b'PARQUET:field_id' in m else None)
p = pl.read_parquet(path)
d = pd.read_parquet(path)
print(json.dumps({
  'arrow_types': [str(f.type) for f in t.schema], 'arrow': cols(t), 'stats': stats, 'field_ids': field_ids,
  'polars_types': [str(x) for x in p.dtypes], 'polars': cols(p.to_arrow()),
  'pandas_types': [str(x) for x in d.dtypes], 'pandas_rows': len(d),
}))
`;

export interface PythonReadBack {
  readonly arrow_types: string[];
  readonly arrow: Cell[][];
  readonly stats: { nullCount: string; min: Cell; max: Cell }[];
  /** Each column's `PARQUET:field_id` in the metadata of `pq.read_schema(f)`'s fields, null where it has none. */
  readonly field_ids: (number | null)[];
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
