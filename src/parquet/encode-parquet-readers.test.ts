import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine, sqlLiteral, type EngineConnection } from '../engine/duckdb.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { pythonReaders } from '../../test/support/python.js';
import { readBackEveryCell } from '../../test/support/parquet-readback.js';
import { encodeParquet } from './encode-parquet.js';
import type { ParquetColumn } from './parquet-columns.js';

const rows = 300_000; // three data pages per column
const dir = tempDir();
const write = (name: string, columns: readonly ParquetColumn[], count: number) => {
  const file = path.join(dir, `${name}.parquet`);
  writeFileSync(file, encodeParquet(columns, count));
  return file;
};

/** Every kind of column: plain values with and without nulls, few distinct values (a dictionary), constants. */
function everyKind(count: number): ParquetColumn[] {
  const doubles = new Float64Array(count);
  const someNull = new Uint8Array(count);
  const levels = new Float64Array(count);
  const ints = new BigInt64Array(count);
  const times = new BigInt64Array(count);
  const bools = new Uint8Array(count);
  const texts: (string | null)[] = [];
  for (let i = 0; i < count; i++) {
    doubles[i] = Math.sin(i) * 1e-6;
    someNull[i] = i % 7 === 3 ? 0 : 1;
    levels[i] = [0, -0.5, 2.25, 1e300][i % 4]!;
    ints[i] = BigInt(i - 5) * 1_000_000_007n;
    times[i] = 1_757_019_355_733_355n + BigInt(i);
    bools[i] = i % 3 === 0 ? 1 : 0;
    texts.push(i % 5 === 0 ? null : `µ-${i % 11}-Ω`);
  }
  if (count > 2) {
    ints[1] = -(2n ** 63n);
    ints[2] = 2n ** 63n - 1n;
  }
  return [
    { name: 't (s)', values: { kind: 'double', values: doubles, valid: null } },
    { name: 'I (A)', values: { kind: 'double', values: doubles, valid: someNull } },
    { name: 'vl_v', values: { kind: 'double', values: levels, valid: null } },
    { name: 'n', values: { kind: 'int64', values: ints, valid: someNull } },
    { name: 'when', values: { kind: 'timestamp', values: times, valid: null } },
    { name: 'flag', values: { kind: 'boolean', values: bools, valid: someNull } },
    { name: 'note', values: { kind: 'utf8', values: texts } },
    { name: 'source_file', values: { kind: 'constant', type: 'utf8', value: '2025-10-13/It2025-10-13_1.csv' } },
    { name: 'chip_number', values: { kind: 'constant', type: 'int64', value: 67n } },
    { name: 'laser_v', values: { kind: 'constant', type: 'double', value: 0.25 } },
    { name: 'has_light', values: { kind: 'constant', type: 'boolean', value: true } },
    { name: 'start_time_utc', values: { kind: 'constant', type: 'timestamp', value: 1_757_019_355_733_355n } },
    { name: 'sample', values: { kind: 'constant', type: 'utf8', value: null } },
  ];
}

/** One file of every kind of column over three pages, which every test below reads. */
const columns = everyKind(rows);
const file = write('every-kind', columns, rows);

describe('encodeParquet, read back by DuckDB and hyparquet', () => {
  let engine: Engine;
  let conn: EngineConnection;
  before(async () => {
    engine = await Engine.open();
    conn = await engine.connect();
  });
  after(() => engine.close());

  it('gives back every cell of every kind of column, across pages, to DuckDB and hyparquet', async () => {
    await readBackEveryCell(file, columns, rows);
  });

  it('gives the types DuckDB writes itself, every column nullable', async () => {
    const file = write('types', everyKind(10), 10);
    await readBackEveryCell(file, everyKind(10), 10);
    const described = await conn.all<{ column_name: string; column_type: string; null: string }>(`DESCRIBE SELECT * FROM read_parquet(${sqlLiteral(file)})`);
    assert.deepEqual(
      described.map((c) => `${c.column_name}:${c.column_type}`),
      ['t (s):DOUBLE', 'I (A):DOUBLE', 'vl_v:DOUBLE', 'n:BIGINT', 'when:TIMESTAMP WITH TIME ZONE', 'flag:BOOLEAN', 'note:VARCHAR',
        'source_file:VARCHAR', 'chip_number:BIGINT', 'laser_v:DOUBLE', 'has_light:BOOLEAN', 'start_time_utc:TIMESTAMP WITH TIME ZONE', 'sample:VARCHAR'],
    );
    const schema = await conn.all<{ name: string; repetition_type: string | null }>(`SELECT name, repetition_type FROM parquet_schema(${sqlLiteral(file)}) WHERE type IS NOT NULL`);
    assert.ok(schema.every((c) => c.repetition_type === 'OPTIONAL'));
  });

  it('gives back every value, null and page as written', async () => {
    const [got] = await conn.all<Record<string, unknown>>(
      `SELECT count(*) n, sum("t (s)") t, count("I (A)") i_present, sum("I (A)") i, sum(vl_v) vl, count(n) n_present, min(n) n_min, max(n) n_max,
              min("when") w_min, max("when") w_max, count_if(flag) flags, count(note) notes, count(DISTINCT note) distinct_notes,
              min(source_file) sf, sum(chip_number) chip, sum(laser_v) laser, count_if(has_light) lit, count(sample) samples
         FROM read_parquet(${sqlLiteral(file)})`,
    );
    const values = (k: number) => columns[k]!.values as { values: Float64Array | BigInt64Array | Uint8Array; valid: Uint8Array | null };
    const sum = (a: Float64Array, valid: Uint8Array | null) => a.reduce((s, v, i) => (valid && !valid[i] ? s : s + v), 0);
    const valid = values(1).valid!;
    const present = valid.reduce((s, v) => s + v, 0);
    assert.equal(got?.['n'], rows);
    assert.ok(Math.abs(Number(got?.['t']) - sum(values(0).values as Float64Array, null)) < 1e-9);
    assert.equal(got?.['i_present'], present);
    assert.ok(Math.abs(Number(got?.['i']) - sum(values(1).values as Float64Array, valid)) < 1e-9);
    assert.equal(got?.['n_present'], present);
    assert.equal(got?.['n_min'], -(2n ** 63n));
    assert.equal(got?.['n_max'], 2n ** 63n - 1n);
    assert.equal((got?.['w_min'] as Date).getTime(), 1_757_019_355_733);
    const flags = [...(values(5).values as Uint8Array)].filter((v, i) => v && valid[i]).length;
    assert.equal(got?.['flags'], flags);
    assert.equal(got?.['notes'], rows - rows / 5);
    assert.equal(got?.['distinct_notes'], 11);
    assert.equal(got?.['sf'], '2025-10-13/It2025-10-13_1.csv');
    assert.equal(got?.['chip'], 67 * rows);
    assert.equal(got?.['laser'], 0.25 * rows);
    assert.equal(got?.['lit'], rows);
    assert.equal(got?.['samples'], 0);
    const [dictionary] = await conn.all<{ first: number; neg: number }>(`SELECT list(vl_v)[1:4] AS first FROM read_parquet(${sqlLiteral(file)})`);
    assert.deepEqual(dictionary?.first, [0, -0.5, 2.25, 1e300]);
  });

  it('writes statistics that equal the data: min, max and null count per column', async () => {
    const stats = await conn.all<{ col: string; min: string | null; max: string | null; null_count: number; enc: string }>(
      `SELECT path_in_schema col, stats_min_value min, stats_max_value max, stats_null_count null_count, encodings enc FROM parquet_metadata(${sqlLiteral(file)})`,
    );
    const byName = new Map(stats.map((s) => [s.col, s]));
    const [real] = await conn.all<Record<string, unknown>>(
      `SELECT min("I (A)")::VARCHAR i_min, max("I (A)")::VARCHAR i_max, count(*) - count("I (A)") i_nulls, min(note) note_min, max(note) note_max FROM read_parquet(${sqlLiteral(file)})`,
    );
    assert.equal(byName.get('I (A)')?.min, real?.['i_min']);
    assert.equal(byName.get('I (A)')?.max, real?.['i_max']);
    assert.equal(byName.get('I (A)')?.null_count, real?.['i_nulls']);
    assert.equal(byName.get('note')?.min, real?.['note_min']);
    assert.equal(byName.get('note')?.max, real?.['note_max']);
    assert.equal(byName.get('n')?.min, String(-(2n ** 63n)));
    assert.equal(byName.get('vl_v')?.min, '-0.5');
    assert.equal(byName.get('vl_v')?.max, '1e+300');
    assert.match(byName.get('vl_v')!.enc, /RLE_DICTIONARY/);
    assert.equal(byName.get('chip_number')?.min, '67');
    assert.equal(byName.get('sample')?.null_count, rows);
    assert.equal(byName.get('sample')?.min, null);
    // DuckDB skips a row group on its statistics: a filter outside them reads nothing, one inside finds the rows.
    const [none] = await conn.all<{ n: number }>(`SELECT count(*) n FROM read_parquet(${sqlLiteral(file)}) WHERE chip_number = 68`);
    assert.equal(none?.n, 0);
  });

  it('writes a file of no rows and one of a single row', async () => {
    for (const count of [0, 1]) {
      const file = write(`rows-${count}`, everyKind(count), count);
      await readBackEveryCell(file, everyKind(count), count);
      const [got] = await conn.all<{ n: number }>(`SELECT count(*) n FROM read_parquet(${sqlLiteral(file)})`);
      assert.equal(got?.n, count);
    }
  });
});

describe('encodeParquet, read back by PyArrow, pandas and Polars', () => {
  it('gives the same values, types and statistics to every reader', (t) => {
    const python = pythonReaders();
    if (!python.ok) return t.skip(python.reason);
    const script = `
import json, sys
import pyarrow.parquet as pq, pandas as pd, polars as pl
f = sys.argv[1]
t = pq.read_table(f)
meta = pq.ParquetFile(f).metadata
stats = {}
for i in range(meta.num_columns):
    c = meta.row_group(0).column(i)
    s = c.statistics
    stats[c.path_in_schema] = [s.null_count, str(s.min) if s.has_min_max else None, str(s.max) if s.has_min_max else None]
d = pd.read_parquet(f)
l = pl.read_parquet(f)
print(json.dumps({
  "types": {x.name: str(x.type) for x in t.schema},
  "rows": [t.num_rows, len(d), l.height],
  "sums": [float(t.column("I (A)").to_pandas().sum()), float(d["I (A)"].sum()), float(l["I (A)"].sum())],
  "nulls": [t.column("I (A)").null_count, int(d["I (A)"].isna().sum()), l["I (A)"].null_count()],
  "notes": [t.column("note").null_count, sorted(set(x for x in l["note"].to_list() if x))[:2]],
  "first": l.row(0, named=True)["vl_v"], "const": [l["chip_number"][5], l["source_file"][7], l["has_light"].all(), l["sample"].null_count()],
  "stats": stats}))
`;
    const got = JSON.parse(python.run(script, [file])) as {
      types: Record<string, string>; rows: number[]; sums: number[]; nulls: number[]; notes: [number, string[]];
      first: number; const: [number, string, boolean, number]; stats: Record<string, [number, string | null, string | null]>;
    };
    assert.deepEqual(got.types, {
      't (s)': 'double', 'I (A)': 'double', vl_v: 'double', n: 'int64', when: 'timestamp[us, tz=UTC]', flag: 'bool', note: 'string',
      source_file: 'string', chip_number: 'int64', laser_v: 'double', has_light: 'bool', start_time_utc: 'timestamp[us, tz=UTC]', sample: 'string',
    });
    assert.deepEqual(got.rows, [rows, rows, rows]);
    const valid = (columns[1]!.values as { valid: Uint8Array }).valid;
    const nulls = valid.length - valid.reduce((s, v) => s + v, 0);
    assert.deepEqual(got.nulls, [nulls, nulls, nulls]);
    assert.ok(Math.abs(got.sums[0]! - got.sums[1]!) < 1e-12 && Math.abs(got.sums[1]! - got.sums[2]!) < 1e-12);
    assert.deepEqual(got.notes, [rows / 5, ['µ-0-Ω', 'µ-1-Ω']]);
    assert.equal(got.first, 0);
    assert.deepEqual(got.const, [67, '2025-10-13/It2025-10-13_1.csv', true, rows]);
    assert.deepEqual(got.stats['chip_number'], [0, '67', '67']);
    assert.deepEqual(got.stats['vl_v'], [0, '-0.5', '1e+300']);
    assert.equal(got.stats['I (A)']?.[0], nulls);
    assert.deepEqual(got.stats['sample'], [rows, null, null]);
  });
});
