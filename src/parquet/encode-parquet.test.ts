// Every file the encoder writes here is read back, every cell, by DuckDB and hyparquet and, when Python is there,
// by PyArrow, Polars and pandas.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pythonSkipReason } from '../../test/support/python.js';
import { readBackEveryCell, type HyparquetReadBack } from '../../test/support/parquet-readback.js';
import { readWithPython } from '../../test/support/parquet-readback-python.js';
import { expectedColumns, writeParquet, type Value } from '../../test/support/parquet-written.js';
import { encodeParquet, ROW_GROUP_ROWS } from './encode-parquet.js';
import type { ParquetColumn } from './parquet-columns.js';

const pySkip = pythonSkipReason();
const I64_MIN = -9223372036854775808n;
const I64_MAX = 9223372036854775807n;

const mixed: ParquetColumn[] = [
  { name: 'I (A)', values: { kind: 'double', values: Float64Array.of(1.5, -0, NaN, 3.5, -2e-7, 0), valid: Uint8Array.of(1, 1, 1, 0, 1, 1) } },
  { name: 'extremes', values: { kind: 'double', values: Float64Array.of(Infinity, 1, -Infinity, NaN, 0, 2), valid: null } },
  { name: 'i_a', values: { kind: 'int64', values: BigInt64Array.of(1n, I64_MIN, 0n, I64_MAX, -5n, 3n), valid: null } },
  { name: 'has_light', values: { kind: 'boolean', values: Uint8Array.of(1, 0, 1, 1, 0, 1), valid: Uint8Array.of(1, 0, 1, 1, 1, 1) } },
  { name: 'start_time_utc', values: { kind: 'timestamp', values: BigInt64Array.of(1_700_000_000_000_001n, 0n, -1n, 5n, 6n, 7n), valid: Uint8Array.of(1, 1, 1, 1, 0, 1) } },
  { name: 'tëxt ✓', values: { kind: 'utf8', values: ['b', null, '', 'héllo wörld ✓ 𝄞', 'a', '\uffff'] } },
  { name: 'chip_name', values: { kind: 'constant', type: 'utf8', value: 'Alisson67 ✓' } },
  { name: 'file_idx', values: { kind: 'constant', type: 'int64', value: 42n } },
  { name: 'vg', values: { kind: 'constant', type: 'double', value: -0.35 } },
  { name: 'light', values: { kind: 'constant', type: 'boolean', value: false } },
  { name: 'at', values: { kind: 'constant', type: 'timestamp', value: 1_600_000_000_000_000n } },
  { name: 'none_d', values: { kind: 'constant', type: 'double', value: null } },
  { name: 'none_s', values: { kind: 'constant', type: 'utf8', value: null } },
  { name: 'none_b', values: { kind: 'constant', type: 'boolean', value: null } },
  { name: 'all_null', values: { kind: 'double', values: new Float64Array(6), valid: new Uint8Array(6) } },
];

const DUCK_TYPES = ['DOUBLE', 'DOUBLE', 'BIGINT', 'BOOLEAN', 'TIMESTAMP WITH TIME ZONE', 'VARCHAR', 'VARCHAR', 'BIGINT',
  'DOUBLE', 'BOOLEAN', 'TIMESTAMP WITH TIME ZONE', 'DOUBLE', 'VARCHAR', 'BOOLEAN', 'DOUBLE'];
const ARROW_TYPES = ['double', 'double', 'int64', 'bool', 'timestamp[us, tz=UTC]', 'string', 'string', 'int64', 'double',
  'bool', 'timestamp[us, tz=UTC]', 'double', 'string', 'bool', 'double'];
/** Each column's physical type, converted type and logical type, as hyparquet parses the schema. */
const HYPARQUET_TYPES = ['DOUBLE', 'DOUBLE', 'INT64 INT_64', 'BOOLEAN', 'INT64 TIMESTAMP_MICROS TIMESTAMP(UTC, MICROS)',
  'BYTE_ARRAY UTF8', 'BYTE_ARRAY UTF8', 'INT64 INT_64', 'DOUBLE', 'BOOLEAN', 'INT64 TIMESTAMP_MICROS TIMESTAMP(UTC, MICROS)',
  'DOUBLE', 'BYTE_ARRAY UTF8', 'BOOLEAN', 'DOUBLE'];
/** The mixed columns' statistics in the first row group: null count, min_value, max_value. */
const MIXED_STATS: [bigint, Value | undefined, Value | undefined][] = [
  [1n, -2e-7, 1.5], [0n, -Infinity, Infinity], [0n, I64_MIN, I64_MAX], [1n, false, true], [1n, -1n, 1_700_000_000_000_001n],
  [1n, '', '\uffff'], [0n, 'Alisson67 ✓', 'Alisson67 ✓'], [0n, 42n, 42n], [0n, -0.35, -0.35], [0n, false, false],
  [0n, 1_600_000_000_000_000n, 1_600_000_000_000_000n], [6n, undefined, undefined], [6n, undefined, undefined],
  [6n, undefined, undefined], [6n, undefined, undefined],
];

function hyparquetTypes(read: HyparquetReadBack): string[] {
  return read.schema.map((e) => {
    const logical = e.logical_type?.type === 'TIMESTAMP' ? `TIMESTAMP(${e.logical_type.isAdjustedToUTC ? 'UTC' : 'local'}, ${e.logical_type.unit})` : e.logical_type?.type;
    return [e.type, e.converted_type, logical].filter((x) => x !== undefined).join(' ');
  });
}

/** Each column's statistics in the first row group as hyparquet reads them: null count, min_value, max_value. */
function hyparquetStats(read: HyparquetReadBack): [bigint | undefined, Value | undefined, Value | undefined][] {
  return read.metadata.row_groups[0]!.columns.map((c) => {
    const s = c.meta_data?.statistics;
    return [s?.null_count, s?.min_value as Value | undefined, s?.max_value as Value | undefined];
  });
}

function hyparquetCodecs(read: HyparquetReadBack): string[] {
  return read.metadata.row_groups[0]!.columns.map((c) => c.meta_data!.codec);
}

describe('encodeParquet', () => {
  for (const compression of ['auto', 'gzip', 'snappy', 'none'] as const) {
    test(`every type, nulls, NaN, extremes and constants read back by DuckDB and hyparquet (${compression})`, async () => {
      const target = writeParquet(mixed, 6, { compression });
      const { duckdb: got, hyparquet } = await readBackEveryCell(target, mixed, 6);
      assert.deepEqual(got.types, DUCK_TYPES);
      assert.deepEqual(hyparquetTypes(hyparquet), HYPARQUET_TYPES);
      assert.deepEqual(hyparquetStats(hyparquet), MIXED_STATS);
      assert.deepEqual(got.fieldIds, mixed.map(() => null));
      assert.deepEqual(got.stats.map((s) => s.nullCount), ['1', '0', '0', '1', '1', '1', '0', '0', '0', '0', '0', '6', '6', '6', '6']);
      const minMax = got.stats.map((s) => [s.min, s.max]);
      assert.deepEqual(minMax[0], ['-2e-07', '1.5']);
      // parquet_metadata() shows no infinite min/max, for DuckDB's own files too; PyArrow's check below sees them.
      assert.deepEqual(minMax[1], [null, null]);
      assert.deepEqual(minMax[2], [String(I64_MIN), String(I64_MAX)]);
      assert.deepEqual(minMax[3], ['false', 'true']);
      assert.deepEqual(minMax[5], ['', '\uffff']); // UTF-8 order: U+FFFF sorts after U+1D11E's surrogates in UTF-16 only
      assert.deepEqual(minMax[6], ['Alisson67 ✓', 'Alisson67 ✓']);
      assert.deepEqual(minMax[7], ['42', '42']);
      assert.deepEqual(minMax[9], ['false', 'false']);
      for (const i of [11, 12, 13, 14]) assert.deepEqual(minMax[i], [null, null]);
    });
  }

  test('zero as a min is -0 and as a max +0; 1 row; long strings', async () => {
    const long = 'x'.repeat(100_000) + 'ü';
    const columns: ParquetColumn[] = [
      { name: 'z', values: { kind: 'double', values: Float64Array.of(0), valid: null } },
      { name: 's', values: { kind: 'utf8', values: [long] } },
    ];
    const { duckdb: got, hyparquet } = await readBackEveryCell(writeParquet(columns, 1), columns, 1);
    assert.equal(got.stats[0]?.min, '-0.0');
    assert.equal(got.stats[0]?.max, '0.0');
    assert.deepEqual(hyparquetStats(hyparquet)[0], [0n, -0, 0]);
  });

  test('0 rows gives the schema and no row', async () => {
    const { duckdb: got, hyparquet } = await readBackEveryCell(writeParquet(mixed, 0), mixed, 0);
    assert.deepEqual(got.types, DUCK_TYPES);
    assert.deepEqual(hyparquetTypes(hyparquet), HYPARQUET_TYPES);
  });

  test('many rows across pages and row groups, constants O(1) in size', async () => {
    const rows = ROW_GROUP_ROWS + 300_123;
    const d = new Float64Array(rows);
    const valid = new Uint8Array(rows);
    const k = new BigInt64Array(rows);
    const s: (string | null)[] = [];
    for (let i = 0; i < rows; i++) {
      d[i] = Math.sin(i) * 1e3;
      valid[i] = i % 97 === 0 ? 0 : 1;
      k[i] = BigInt(i) - 5n;
      s.push(i % 13 === 0 ? null : `row ${i} ${'é'.repeat(i % 7)}`);
    }
    const columns: ParquetColumn[] = [
      { name: 'd', values: { kind: 'double', values: d, valid } },
      { name: 'k', values: { kind: 'int64', values: k, valid: null } },
      { name: 's', values: { kind: 'utf8', values: s } },
      { name: 'c', values: { kind: 'constant', type: 'utf8', value: 'same' } },
    ];
    const { duckdb: got, hyparquet } = await readBackEveryCell(writeParquet(columns, rows), columns, rows);
    assert.equal(got.rowGroups, 2);
    assert.deepEqual(hyparquet.metadata.row_groups.map((g) => g.num_rows), [BigInt(ROW_GROUP_ROWS), 300_123n]);
    const constantOnly = encodeParquet([columns[3]!], rows).length;
    assert.ok(constantOnly < 1000, `a constant column over ${rows} rows took ${constantOnly} bytes`);
  });

  test('a column of few distinct values is dictionary-encoded, smaller, and reads back equal', async () => {
    const rows = 10_000;
    const v = new Float64Array(rows);
    const valid = new Uint8Array(rows);
    for (let i = 0; i < rows; i++) {
      v[i] = i % 50 === 0 ? NaN : Math.round(Math.sin(i / 100) * 10) * 0.1;
      valid[i] = i % 33 === 0 ? 0 : 1;
    }
    const columns: ParquetColumn[] = [{ name: 'VG (V)', values: { kind: 'double', values: v, valid } }];
    const target = writeParquet(columns, rows);
    const { duckdb: got, hyparquet } = await readBackEveryCell(target, columns, rows);
    assert.deepEqual([got.stats[0]?.min, got.stats[0]?.max, got.stats[0]?.nullCount], ['-1.0', '1.0', '304']);
    assert.deepEqual(hyparquetStats(hyparquet), [[304n, -1, 1]]);
    const size = encodeParquet(columns, rows, { compression: 'none' }).length;
    assert.ok(size < rows * 2, `dictionary-encoded column took ${size} bytes`);
    if (pySkip === null) assert.deepEqual(readWithPython(target).arrow, expectedColumns(columns, rows));
  });

  test('dictionaries of every index width (1 to 12 bits) read back equal, a row count not a multiple of 8 included', async () => {
    const rows = 32_771;
    const columns: ParquetColumn[] = [2, 3, 5, 16, 17, 255, 1000, 4096].map((distinct) => {
      const v = new Float64Array(rows);
      for (let i = 0; i < rows; i++) v[i] = ((i * 7919) % distinct) * 0.5 - 3;
      return { name: `d${distinct}`, values: { kind: 'double', values: v, valid: null } };
    });
    const target = writeParquet(columns, rows);
    await readBackEveryCell(target, columns, rows);
    const plainSize = encodeParquet(columns, rows, { compression: 'none' }).length;
    assert.ok(plainSize < rows * 8 * columns.length * 0.5, `the dictionary-encoded columns took ${plainSize} bytes`);
  });

  test('auto: a large page gzip, a small one snappy, a constant as it is, in one file every reader reads', async () => {
    const rows = 20_000;
    const time = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      time[i] = Math.round(i * 0.0838 * 1e7) / 1e7; // a time column as instruments print it
    }
    // 'head': 500 readings then nulls, so its one page of values is small.
    const head = Float64Array.from({ length: rows }, (_, i) => (i < 500 ? time[i]! : 0));
    const columns: ParquetColumn[] = [
      { name: 't (s)', values: { kind: 'double', values: time, valid: null } },
      { name: 'head', values: { kind: 'double', values: head, valid: Uint8Array.from({ length: rows }, (_, i) => (i < 500 ? 1 : 0)) } },
      { name: 'chip', values: { kind: 'constant', type: 'utf8', value: 'Alisson67' } },
    ];
    const target = writeParquet(columns, rows);
    const { duckdb: got, hyparquet } = await readBackEveryCell(target, columns, rows);
    assert.deepEqual(got.codecs, ['GZIP', 'SNAPPY', 'UNCOMPRESSED']);
    assert.deepEqual(hyparquetCodecs(hyparquet), ['GZIP', 'SNAPPY', 'UNCOMPRESSED']);
    const gzipped = encodeParquet([columns[0]!], rows).length;
    const snappied = encodeParquet([columns[0]!], rows, { compression: 'snappy' }).length;
    assert.ok(gzipped < snappied, `gzip took ${gzipped} bytes, snappy ${snappied}`);
    // The snappy compressor's output buffer is reused: a small page after that large one reads back exactly.
    await readBackEveryCell(writeParquet(mixed, 6, { compression: 'snappy' }), mixed, 6);
    if (pySkip === null) {
      const py = readWithPython(target);
      assert.deepEqual(py.arrow, expectedColumns(columns, rows));
      assert.deepEqual(py.polars, expectedColumns(columns, rows));
    }
  });

  test('a chunk whose first page snappy shrinks by under 5% is stored uncompressed, and reads back equal', async () => {
    const rows = 10_000;
    const noise = new Float64Array(rows);
    const bits = new DataView(noise.buffer);
    let seed = 12345;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < rows; i++) {
      // Doubles in [1, 2) with 52 random mantissa bits: no 4-byte run repeats for snappy to find.
      bits.setUint32(i * 8, next(), true);
      bits.setUint32(i * 8 + 4, 0x3ff00000 | (next() & 0xfffff), true);
    }
    const columns: ParquetColumn[] = [{ name: 'noise', values: { kind: 'double', values: noise, valid: null } }];
    const target = writeParquet(columns, rows, { compression: 'snappy' });
    const { duckdb: got, hyparquet } = await readBackEveryCell(target, columns, rows);
    assert.deepEqual(got.codecs, ['UNCOMPRESSED']);
    assert.deepEqual(hyparquetCodecs(hyparquet), ['UNCOMPRESSED']);
  });

  test('a text column of few distinct values is dictionary-encoded, smaller, and reads back equal with its statistics', async () => {
    const rows = 5_000;
    const names = ['Alisson67', 'Ñandú 3', '', 'IVg ✓ 𝄞'];
    const text = Array.from({ length: rows }, (_, i) => (i % 7 === 0 ? null : names[i % names.length]!));
    const columns: ParquetColumn[] = [{ name: 'chip_name', values: { kind: 'utf8', values: text } }];
    const target = writeParquet(columns, rows);
    const { duckdb: got, hyparquet } = await readBackEveryCell(target, columns, rows);
    const nulls = text.filter((t) => t === null).length;
    assert.deepEqual([got.stats[0]?.min, got.stats[0]?.max, got.stats[0]?.nullCount], ['', 'Ñandú 3', String(nulls)]);
    assert.deepEqual(hyparquetStats(hyparquet), [[BigInt(nulls), '', 'Ñandú 3']]);
    const size = encodeParquet(columns, rows, { compression: 'none' }).length;
    assert.ok(size < rows, `dictionary-encoded text took ${size} bytes`);
    if (pySkip === null) {
      const py = readWithPython(target);
      assert.deepEqual(py.arrow, expectedColumns(columns, rows));
      assert.deepEqual(py.polars, expectedColumns(columns, rows));
    }
  });

  test('bad input names the column', () => {
    assert.throws(() => encodeParquet([{ name: 'V (V)', values: { kind: 'double', values: new Float64Array(2), valid: null } }], 3),
      /parquet column "V \(V\)": 2 values for 3 rows/);
    assert.throws(() => encodeParquet([], -1), /row count/);
    const one = (name: string, fieldId: number): ParquetColumn => ({ name, values: { kind: 'constant', type: 'double', value: 1 }, fieldId });
    for (const id of [-1, 1.5, 2 ** 31, NaN]) {
      assert.throws(() => encodeParquet([one('vg', id)], 1), /parquet column "vg": field id must be a whole number from 0 to 2147483647/);
    }
    assert.throws(() => encodeParquet([one('vg', 3), one('vd', 4), one('ig', 3)], 1), /parquet columns "vg" and "ig": both have field id 3/);
  });

  test('field ids given per column are in the schema for DuckDB, hyparquet and PyArrow; a column given none has none', async () => {
    const ids = [1, 2, undefined, 4, 2 ** 31 - 1, 0, 17, 18, 19, 20, 21, 22, 23, undefined, 99];
    const columns = mixed.map((column, i) => (ids[i] === undefined ? column : { ...column, fieldId: ids[i] }));
    const expected = ids.map((id) => id ?? null);
    for (const rows of [6, 0]) {
      const target = writeParquet(columns, rows);
      const { duckdb, hyparquet } = await readBackEveryCell(target, columns, rows);
      assert.deepEqual(duckdb.fieldIds, expected);
      assert.deepEqual(hyparquet.schema.map((e) => e.field_id ?? null), expected);
      assert.deepEqual(duckdb.types, DUCK_TYPES);
      assert.deepEqual(hyparquetTypes(hyparquet), HYPARQUET_TYPES);
      if (pySkip === null) {
        const py = readWithPython(target);
        assert.deepEqual(py.field_ids, expected);
        assert.deepEqual(py.arrow_types, ARROW_TYPES);
        assert.deepEqual(py.arrow, expectedColumns(columns, rows));
      }
    }
  });

  test('PyArrow, Polars and pandas read the same values, types and statistics', { skip: pySkip ?? false }, async () => {
    for (const rows of [6, 0]) {
      const target = writeParquet(mixed, rows);
      await readBackEveryCell(target, mixed, rows);
      const py = readWithPython(target);
      const expected = expectedColumns(mixed, rows);
      assert.deepEqual(py.arrow_types, ARROW_TYPES);
      assert.deepEqual(py.field_ids, mixed.map(() => null));
      assert.deepEqual(py.arrow, expected);
      assert.deepEqual(py.polars, expected);
      assert.deepEqual(py.polars_types.slice(0, 6), ['Float64', 'Float64', 'Int64', 'Boolean', "Datetime(time_unit='us', time_zone='UTC')", 'String']);
      assert.equal(py.pandas_rows, rows);
      assert.equal(py.pandas_types[4], 'datetime64[us, UTC]');
      if (rows === 0) continue;
      assert.deepEqual(py.stats.map((s) => s.nullCount), ['1', '0', '0', '1', '1', '1', '0', '0', '0', '0', '0', '6', '6', '6', '6']);
      assert.deepEqual(py.stats.map((s) => [s.min, s.max]), [
        ['-2e-7', '1.5'], ['-Infinity', 'Infinity'], [String(I64_MIN), String(I64_MAX)], [false, true], ['-1', '1700000000000001'],
        ['', '\uffff'], ['Alisson67 ✓', 'Alisson67 ✓'], ['42', '42'], ['-0.35', '-0.35'], [false, false],
        ['1600000000000000', '1600000000000000'], [null, null], [null, null], [null, null], [null, null],
      ]);
    }
  });
});
