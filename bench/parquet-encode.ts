// A quick measurement of src/parquet: 1M rows x 8 DOUBLE columns + 20 constants, with each codec and uncompressed.
// Run: npx tsx bench/parquet-encode.ts [rows]
import { encodeParquet } from '../src/parquet/encode-parquet.js';
import type { ParquetColumn } from '../src/parquet/parquet-columns.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const columns: ParquetColumn[] = [];
for (let c = 0; c < 8; c++) {
  const values = new Float64Array(rows);
  for (let i = 0; i < rows; i++) values[i] = c < 2 ? Math.round(i / 100) * 0.05 : Math.sin(i * (c + 1)) * 1e-3;
  const valid = c === 7 ? Uint8Array.from({ length: rows }, (_, i) => (i % 1000 === 0 ? 0 : 1)) : null;
  columns.push({ name: `col ${c} (V)`, values: { kind: 'double', values, valid } });
}
for (let c = 0; c < 20; c++) {
  columns.push({ name: `p${c}`, values: c % 2 === 0 ? { kind: 'constant', type: 'double', value: c * 0.1 } : { kind: 'constant', type: 'utf8', value: `chip ${c}` } });
}
const megabytes = (rows * 8 * 8) / 1e6;
for (const compression of ['none', 'snappy', 'gzip', 'auto'] as const) {
  const times: number[] = [];
  let size = 0;
  for (let run = 0; run < 5; run++) {
    const start = process.hrtime.bigint();
    const bytes = encodeParquet(columns, rows, { compression });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    size = bytes.length;
  }
  times.sort((a, b) => a - b);
  const median = times[2]!;
  console.log(`${compression}: median ${median.toFixed(1)} ms (min ${times[0]!.toFixed(1)}), ${(megabytes / (median / 1e3)).toFixed(0)} MB/s of values, file ${(size / 1e6).toFixed(2)} MB`);
}
