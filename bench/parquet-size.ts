// Compares src/parquet's file sizes with DuckDB's COPY (COMPRESSION snappy, ROW_GROUP_SIZE 20000, as runs were
// written before strata had its own encoder) on the shared corpus: every numeric table plus 20 run constants.
// Run: npx tsx bench/parquet-size.ts [corpus folder]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Engine, sqlIdentifier, sqlLiteral } from '../src/engine/duckdb.js';
import { encodeParquet } from '../src/parquet/encode-parquet.js';
import type { ParquetColumn } from '../src/parquet/parquet-columns.js';

const root = process.argv[2] ?? '../shared/corpus/lab';
const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.csv')).sort();
const engine = await Engine.open(':memory:', { threads: 1 });
const db = await engine.connect();
let ours = 0;
let duck = 0;
let encodeMs = 0;
let rowsAll = 0;
let done = 0;
for (const file of files) {
  const full = path.join(root, file);
  const lines = readFileSync(full, 'utf8').split(/\r?\n/);
  const at = lines.indexOf('#Data:');
  if (at < 0) continue;
  const names = (lines[at + 1] ?? '').split(',');
  const body = lines.slice(at + 2).filter((l) => l.length > 0);
  if (names.length < 2 || body.some((l) => l.split(',').length !== names.length)) continue;
  const rows = body.length;
  const arrays = names.map(() => new Float64Array(rows));
  body.forEach((line, r) => line.split(',').forEach((v, c) => (arrays[c]![r] = Number(v))));
  const constants: ParquetColumn[] = [];
  const sqlConstants: string[] = [];
  for (let c = 0; c < 20; c++) {
    const name = `param_${c}`;
    if (c % 3 === 0) { constants.push({ name, values: { kind: 'constant', type: 'utf8', value: `${file} ${c}` } }); sqlConstants.push(`${sqlLiteral(`${file} ${c}`)} AS ${name}`); }
    else if (c % 3 === 1) { constants.push({ name, values: { kind: 'constant', type: 'double', value: c * 0.25 } }); sqlConstants.push(`${c * 0.25}::DOUBLE AS ${name}`); }
    else { constants.push({ name, values: { kind: 'constant', type: 'int64', value: BigInt(c) } }); sqlConstants.push(`${c}::BIGINT AS ${name}`); }
  }
  const columns: ParquetColumn[] = [...names.map((name, c) => ({ name, values: { kind: 'double' as const, values: arrays[c]!, valid: null } })), ...constants];
  const start = performance.now();
  const bytes = encodeParquet(columns, rows);
  encodeMs += performance.now() - start;
  ours += bytes.length;
  const target = path.join(tmpdir(), 'strata-size-duck.parquet');
  const cols = names.map((n, c) => `${sqlLiteral(`c${c}`)}: 'DOUBLE'`).join(', ');
  const select = [...names.map((n, c) => `c${c} AS ${sqlIdentifier(n)}`), ...sqlConstants].join(', ');
  await db.run(`COPY (SELECT ${select} FROM read_csv(${sqlLiteral(full)}, skip=${at + 2}, header=false, auto_detect=false, columns={${cols}})) TO ${sqlLiteral(target)} (FORMAT parquet, COMPRESSION snappy, ROW_GROUP_SIZE 20000)`);
  duck += statSync(target).size;
  rowsAll += rows;
  done++;
}
console.log(`${done} of ${files.length} files, ${rowsAll} rows: src/parquet ${(ours / 1e6).toFixed(2)} MB, DuckDB ${(duck / 1e6).toFixed(2)} MB (${((ours / duck - 1) * 100).toFixed(1)}%); encode ${encodeMs.toFixed(0)} ms in all`);
