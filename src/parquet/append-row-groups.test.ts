import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { encodeParquet } from './encode-parquet.js';
import { readParquetFooter, widening, writeRowGroups, type ByteSink } from './append-row-groups.js';
import { readThriftStruct, writeThriftStruct } from './thrift-compact-tree.js';
import type { ParquetColumn } from './parquet-columns.js';
import { withConn } from '../../test/support/with-duckdb.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { sqlLiteral } from '../engine/duckdb.js';
import { pythonReaders } from '../../test/support/python.js';

function columns(from: number, rows: number): ParquetColumn[] {
  const ids = Array.from({ length: rows }, (_, i) => `run-${from + i}`);
  const values = new Float64Array(rows).map((_, i) => (from + i) / 4);
  const valid = new Uint8Array(rows).map((_, i) => ((from + i) % 7 === 0 ? 0 : 1));
  const n = new BigInt64Array(rows).map((_, i) => BigInt(from + i) * 1_000_000n);
  return [
    { name: 'run_id', values: { kind: 'utf8', values: ids } },
    { name: 'x', values: { kind: 'double', values, valid } },
    { name: 'n', values: { kind: 'int64', values: n, valid: null } },
    { name: 'group', values: { kind: 'utf8', values: ids.map((_, i) => ((from + i) % 3 === 0 ? 'A' : 'B')) } },
  ];
}

function collect(): ByteSink & { bytes(): Buffer } {
  const parts: Uint8Array[] = [];
  return { write: (b) => void parts.push(Uint8Array.from(b)), bytes: () => Buffer.concat(parts) };
}

const expected = (from: number, rows: number) =>
  Array.from({ length: rows }, (_, i) => ({ run_id: `run-${from + i}`, x: (from + i) % 7 === 0 ? null : (from + i) / 4, n: BigInt(from + i) * 1_000_000n, group: (from + i) % 3 === 0 ? 'A' : 'B' }));

test('a Thrift struct read into a tree is written back byte for byte, unknown fields and all', () => {
  const file = encodeParquet(columns(0, 50), 50);
  const length = file.readUInt32LE(file.length - 8);
  const footer = file.subarray(file.length - 8 - length, file.length - 8);
  assert.deepEqual(Buffer.from(writeThriftStruct(readThriftStruct(footer).struct)), Buffer.from(footer));
});

test('row groups of several files join one file, their bytes moved, and every reader reads the rows in order', async () => {
  const a = encodeParquet(columns(0, 300), 300);
  const b = encodeParquet(columns(300, 5), 5);
  const c = encodeParquet(columns(305, 2000), 2000);
  const [fa, fb, fc] = [a, b, c].map(readParquetFooter);
  assert.ok(fa!.movable && fa!.schemaKey === fb!.schemaKey && fb!.schemaKey === fc!.schemaKey);
  const out = collect();
  // b's group goes first, then a's, then c's: every offset moves.
  const written = writeRowGroups(out, fa!, [
    { source: b, footer: fb!, groups: [0] },
    { source: a, footer: fa!, groups: [0] },
    { source: c, footer: fc!, groups: [0] },
  ]);
  assert.deepEqual(written, { rows: 2305, groups: 3 });
  const file = path.join(tempDir(), 'joined.parquet');
  writeFileSync(file, out.bytes());
  const want = [...expected(300, 5), ...expected(0, 300), ...expected(305, 2000)];
  const bytes = out.bytes();
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
  const read = await parquetReadObjects({ file: buffer });
  assert.deepEqual(read, want);
  await withConn(async (conn) => {
    const rows = await conn.all(`SELECT run_id, x, n, "group" FROM read_parquet(${sqlLiteral(file)})`);
    assert.deepEqual(rows.map((r) => ({ ...r, n: BigInt(r.n as number) })), want);
    const groups = await conn.all<{ n: number }>(`SELECT count(DISTINCT row_group_id)::INT n FROM parquet_metadata(${sqlLiteral(file)})`);
    assert.equal(groups[0]!.n, 3);
  });
  // And the joined file is itself a source: drop its first group, keep the rest.
  const joined = readParquetFooter(bytes);
  assert.equal(joined.rowGroups.length, 3);
  const again = collect();
  writeRowGroups(again, joined, [{ source: bytes, footer: joined, groups: [2, 1] }]);
  const second = again.bytes();
  const rows = await parquetReadObjects({ file: second.buffer.slice(second.byteOffset, second.byteOffset + second.length) as ArrayBuffer });
  assert.deepEqual(rows, [...expected(305, 2000), ...expected(0, 300)]);
});

test('row groups of another schema are refused', () => {
  const a = encodeParquet(columns(0, 3), 3);
  const other = encodeParquet([{ name: 'y', values: { kind: 'utf8', values: ['1', '2'] } }], 2);
  const fa = readParquetFooter(a);
  assert.throws(() => writeRowGroups(collect(), fa, [{ source: other, footer: readParquetFooter(other), groups: [0] }]), /another schema/);
});

test('row groups whose columns are some of the new schema join it as they are, with chunks of nulls for the others, and every reader reads them', async (t: TestContext) => {
  // The old file lacks 'note' (new, in the middle) and has its columns in another order than the new schema.
  const [runId, x, , group] = columns(0, 300);
  const old = encodeParquet([group!, runId!, x!], 300);
  const note = (rows: number): ParquetColumn => ({ name: 'note', values: { kind: 'utf8', values: new Array<string | null>(rows).fill(null) } });
  const [runId2, x2, n2, group2] = columns(0, 2);
  const newer = encodeParquet([runId2!, note(2), x2!, group2!, n2!], 2);
  const [fold, fnew] = [old, newer].map(readParquetFooter);
  assert.equal(widening(fnew!, fold!), null, 'a file with a column the template lacks cannot join it');
  assert.deepEqual(widening(fold!, fnew!), [1, -1, 2, 0, -1]);
  const fills: string[] = [];
  const fill = (column: number, rows: number) => {
    fills.push(`${column}:${rows}`);
    const name = ['run_id', 'note', 'x', 'group', 'n'][column]!;
    const values = name === 'n' ? { kind: 'int64' as const, values: new BigInt64Array(rows), valid: new Uint8Array(rows) } : { kind: 'utf8' as const, values: new Array<string | null>(rows).fill(null) };
    return encodeParquet([{ name, values }], rows);
  };
  const out = collect();
  assert.throws(() => writeRowGroups(collect(), fnew!, [{ source: old, footer: fold!, groups: [0] }]), /another schema/);
  writeRowGroups(out, fnew!, [{ source: old, footer: fold!, groups: [0], fill }, { source: newer, footer: fnew!, groups: [0] }]);
  assert.deepEqual(fills, ['1:300', '4:300']);
  const bytes = out.bytes();
  const file = path.join(tempDir(), 'widened.parquet');
  writeFileSync(file, bytes);
  const want = [
    ...expected(0, 300).map((r) => ({ run_id: r.run_id, note: null, x: r.x, group: r.group, n: null })),
    ...expected(0, 2).map((r) => ({ run_id: r.run_id, note: null, x: r.x, group: r.group, n: r.n })),
  ];
  assert.deepEqual(await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer }), want);
  await withConn(async (conn) => {
    const rows = await conn.all(`SELECT * FROM read_parquet(${sqlLiteral(file)})`);
    assert.deepEqual(rows.map((r) => ({ ...r, n: r.n === null ? null : BigInt(r.n as number) })), want);
  });
  const python = pythonReaders();
  if (!python.ok) return t.skip(python.reason);
  const script = `
import json, sys
import pyarrow.parquet as pq, polars as pl
t = pq.read_table(sys.argv[1])
l = pl.read_parquet(sys.argv[1])
print(json.dumps({"names": t.column_names, "rows": [t.num_rows, l.height], "nulls": [t.column("n").null_count, l["note"].null_count()], "x": float(l["x"].sum())}))
`;
  const got = JSON.parse(python.run(script, [file])) as { names: string[]; rows: number[]; nulls: number[]; x: number };
  assert.deepEqual(got.names, ['run_id', 'note', 'x', 'group', 'n']);
  assert.deepEqual(got.rows, [302, 302]);
  assert.deepEqual(got.nulls, [300, 302]);
  assert.equal(got.x, want.reduce((sum, r) => sum + (r.x ?? 0), 0));
});
