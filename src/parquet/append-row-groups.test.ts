import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parquetReadObjects } from 'hyparquet';
import { encodeParquet } from './encode-parquet.js';
import { readParquetFooter, writeRowGroups, type ByteSink } from './append-row-groups.js';
import { readThriftStruct, writeThriftStruct } from './thrift-compact-tree.js';
import type { ParquetColumn } from './parquet-columns.js';
import { withConn } from '../../test/support/with-duckdb.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { sqlLiteral } from '../engine/duckdb.js';

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
