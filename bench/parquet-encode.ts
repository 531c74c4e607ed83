// Times src/parquet's encoder on two shapes: one large file (1M rows x 8 DOUBLE + 20 constants, per codec) and
// many small files as staging writes them (a few thousand rows x 6 DOUBLE + 20 constants each, with and without
// field ids). With --baseline, a copy of another version's encode-parquet.ts runs interleaved with this one, round
// by round in alternating order, and the ratios are printed.
// Run: npx tsx bench/parquet-encode.ts [--rows N] [--rounds N] [--baseline path/to/other/src/parquet/encode-parquet.ts]
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { encodeParquet } from '../src/parquet/encode-parquet.js';
import type { Compression, ParquetColumn } from '../src/parquet/parquet-columns.js';

type Encode = (columns: readonly ParquetColumn[], rows: number, options?: { compression?: Compression }) => Buffer;

const { values: flags } = parseArgs({
  options: { rows: { type: 'string', default: '1000000' }, rounds: { type: 'string', default: '5' }, baseline: { type: 'string' } },
});
const rows = Number(flags.rows);
const rounds = Number(flags.rounds);
const encoders: { name: string; encode: Encode }[] = [{ name: 'this', encode: encodeParquet }];
if (flags.baseline !== undefined) {
  const other = (await import(pathToFileURL(path.resolve(flags.baseline)).href)) as { encodeParquet: Encode };
  encoders.push({ name: 'baseline', encode: other.encodeParquet });
}

/** `count` DOUBLE columns as instruments write them (two stepped sweeps, the rest noisy, one with nulls), then 20 constants. */
function runColumns(count: number, length: number, fieldIds: boolean): ParquetColumn[] {
  const columns: ParquetColumn[] = [];
  for (let c = 0; c < count; c++) {
    const values = new Float64Array(length);
    for (let i = 0; i < length; i++) values[i] = c < 2 ? Math.round(i / 100) * 0.05 : Math.sin(i * (c + 1)) * 1e-3;
    const valid = c === count - 1 ? Uint8Array.from({ length }, (_, i) => (i % 1000 === 0 ? 0 : 1)) : null;
    columns.push({ name: `col ${c} (V)`, values: { kind: 'double', values, valid } });
  }
  for (let c = 0; c < 20; c++) {
    columns.push({ name: `p${c}`, values: c % 2 === 0 ? { kind: 'constant', type: 'double', value: c * 0.1 } : { kind: 'constant', type: 'utf8', value: `chip ${c}` } });
  }
  return fieldIds ? columns.map((column, i) => ({ ...column, fieldId: i + 1 })) : columns;
}

interface Workload {
  readonly name: string;
  /** Encodes the workload once; returns the bytes written. */
  readonly run: (encode: Encode) => number;
}

const large = runColumns(8, rows, false);
const smallRows = [1_200, 2_600, 4_100, 800];
const small = smallRows.map((n) => runColumns(6, n, false));
const smallIds = smallRows.map((n) => runColumns(6, n, true));
const FILES = 250;
const manyFiles = (sets: ParquetColumn[][]) => (encode: Encode) => {
  let bytes = 0;
  for (let f = 0; f < FILES; f++) bytes += encode(sets[f % sets.length]!, smallRows[f % smallRows.length]!).length;
  return bytes;
};
const workloads: Workload[] = [
  ...(['none', 'snappy', 'gzip', 'auto'] as const).map((compression) => ({
    name: `${rows} rows x 28 columns, ${compression}`,
    run: (encode: Encode) => encode(large, rows, { compression }).length,
  })),
  { name: `${FILES} small files (800-4,100 rows x 26 columns), auto`, run: manyFiles(small) },
  { name: `${FILES} small files, field ids given`, run: manyFiles(smallIds) },
];

const times = new Map<string, number[]>();
const sizes = new Map<string, number>();
for (const w of workloads) for (const e of encoders) w.run(e.encode); // warm up every path once
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? encoders : [...encoders].reverse();
  for (const w of workloads) {
    for (const e of order) {
      const start = process.hrtime.bigint();
      const bytes = w.run(e.encode);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      const key = `${w.name}\0${e.name}`;
      times.set(key, [...(times.get(key) ?? []), ms]);
      sizes.set(key, bytes);
    }
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const w of workloads) {
  const line = encoders.map((e) => {
    const key = `${w.name}\0${e.name}`;
    const ts = times.get(key)!;
    return `${e.name} median ${median(ts).toFixed(1)} ms (min ${Math.min(...ts).toFixed(1)}), ${(sizes.get(key)! / 1e6).toFixed(2)} MB`;
  });
  if (encoders.length === 2) {
    const ratios = times.get(`${w.name}\0this`)!.map((t, i) => t / times.get(`${w.name}\0baseline`)![i]!);
    line.push(`this/baseline ${median(ratios).toFixed(3)} (per-round ratios ${ratios.map((r) => r.toFixed(2)).join(' ')})`);
  }
  console.log(`${w.name}: ${line.join('; ')}`);
}
