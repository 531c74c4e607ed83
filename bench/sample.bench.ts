// Benchmark of the sampler: head-only samples of 20 MB and 2 GB files, a tar listing against a plain read, concurrent log appends.
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createGzip } from 'node:zlib';
import tar from 'tar-stream';
import { appendLogEntry, readLogFrom } from '../src/sample/processed-log.js';
import { chooseSampler } from '../src/sample/choose-sampler.js';
import { DEFAULT_SAMPLE_LIMITS } from '../src/sample/sample-types.js';
import { writeViaTemp } from '../src/fs/atomic-file.js';
import { projectRoot } from '../src/version.js';
import { fmt, inChild, timed, type BenchSection } from './harness.js';

const HERE = fileURLToPath(import.meta.url);
const DIR = path.join(projectRoot, '.bench', 'sample');
const MB = 1024 * 1024;
const ROWS = 100;

// ---- run in a child process (peak memory of the call alone) ----

/** Samples one file as `strata sample` would; returns the rows and bytes written. */
export async function sampleOne(file: string, outDir: string): Promise<{ rows: number; bytes: number }> {
  mkdirSync(outDir, { recursive: true });
  const choice = chooseSampler(file);
  const context = { ...DEFAULT_SAMPLE_LIMITS, rows: ROWS, duckdb: () => Promise.reject(new Error('no Parquet here')) };
  return choice.sample(file, path.join(outDir, `${choice.stem}_sample.${choice.ext}`), context);
}

/** The baseline: reads every byte of a file once, sequentially (what any copy or full scan costs at least). */
export async function readWhole(file: string): Promise<number> {
  let bytes = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: MB }) as AsyncIterable<Buffer>) bytes += chunk.length;
  return bytes;
}

/** One of the concurrent log writers: `count` separate appends, each its own open + write + close. */
export async function appendMany(log: string, writer: string, count: number): Promise<number> {
  for (let i = 0; i < count; i++) {
    await appendLogEntry(log, { raw: `/lab/raw/${writer}/f${i}.csv`, bronze: `/lab/bronze/2026/01/18/143000--${writer}-f${i}.csv`, mtime: new Date(0).toISOString(), size: i, recorded_at: new Date().toISOString() });
  }
  return count;
}

// ---- fixtures, made once and kept under .bench/sample/ ----

const HEADER = ['#Procedure: <laser_setup.procedures.It.It>', '#Parameters:', '#\tChip group name: Alisson', '#\tChip number: 81', '#Metadata:', '#\tStart time: 1761183605.7708776', '#Data:', 't (s),I (A),VL (V),Plate T (degC),Ambient T (degC),Clock (ms)'].join('\r\n') + '\r\n';

async function ensureCsv(file: string, bytes: number): Promise<void> {
  if (existsSync(file) && statSync(file).size >= bytes) return;
  const out = createWriteStream(file);
  out.write(HEADER);
  let written = HEADER.length;
  let row = 0;
  while (written < bytes) {
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++, row++) lines.push(`${(row * 0.0838).toFixed(5)},${(1.5e-5 + (row % 97) * 1e-9).toExponential(6)},0.0,nan,nan,${row}`);
    const block = lines.join('\r\n') + '\r\n';
    written += block.length;
    if (!out.write(block)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function ensureGzip(source: string, file: string): Promise<void> {
  if (existsSync(file)) return;
  await writeViaTemp(file, (temp) => pipeline(createReadStream(source), createGzip({ level: 1 }), createWriteStream(temp)));
}

async function ensureTar(file: string, entries: number): Promise<void> {
  if (existsSync(file)) return;
  await writeViaTemp(file, async (temp) => {
    const pack = tar.pack();
    const done = pipeline(pack, createWriteStream(temp));
    const body = Buffer.alloc(16 * 1024, 'tar entry contents\n');
    for (let i = 0; i < entries; i++) {
      const size = (i * 7919) % (16 * 1024); // 0..16 KB, 8 KB on average
      if (!pack.entry({ name: `runs/${Math.floor(i / 1000)}/It2025-10-${i}.csv`, size }, body.subarray(0, size))) await once(pack, 'drain');
    }
    pack.finalize();
    await done;
  });
}

// ---- the benchmark ----

export async function bench(): Promise<BenchSection> {
  mkdirSync(DIR, { recursive: true });
  const files = {
    csv20: path.join(DIR, 'small-20mb.csv'),
    csv2g: path.join(DIR, 'big-2gb.csv'),
    gz20: path.join(DIR, 'small-20mb.csv.gz'),
    gz2g: path.join(DIR, 'big-2gb.csv.gz'),
    tar: path.join(DIR, 'entries-100k.tar'),
  };
  const made = await timed(async () => {
    await ensureCsv(files.csv20, 20 * MB);
    await ensureCsv(files.csv2g, 2048 * MB);
    await ensureGzip(files.csv20, files.gz20);
    await ensureGzip(files.csv2g, files.gz2g);
    await ensureTar(files.tar, 100_000);
  });
  const out = path.join(DIR, 'samples');
  const lines: string[] = [`fixtures ready in ${fmt.ms(made.ms)} (${DIR}; reused when present)`];
  const size = (f: string) => `${(statSync(f).size / MB).toFixed(0)} MB`;
  const sample = (f: string) => inChild<{ rows: number; bytes: number }>(HERE, 'sampleOne', [f, out]);

  let csv2gSampleMs = NaN;
  for (const [label, small, big] of [['CSV', files.csv20, files.csv2g], ['CSV.gz', files.gz20, files.gz2g]] as const) {
    const s = sample(small);
    const b = sample(big);
    if (big === files.csv2g) csv2gSampleMs = b.ms;
    lines.push(
      `${label} sample of ${ROWS} rows: ${size(small)} file ${fmt.ms(s.ms)}, peak ${fmt.mb(s.peakMb)} | ${size(big)} file ${fmt.ms(b.ms)}, peak ${fmt.mb(b.peakMb)} ` +
        `(time ratio big/small ${fmt.ratio(b.ms / s.ms)}; file size ratio ${fmt.ratio(statSync(big).size / statSync(small).size)})`,
    );
  }
  const read2g = inChild<number>(HERE, 'readWhole', [files.csv2g]);
  lines.push(`baseline: reading the 2 GB CSV whole takes ${fmt.ms(read2g.ms)} (${fmt.rate(read2g.result / MB, read2g.ms, 'MB')}); its sample (above) is ${fmt.ratio(read2g.ms / csv2gSampleMs)} faster`);

  const tarList = sample(files.tar);
  const tarRead = inChild<number>(HERE, 'readWhole', [files.tar]);
  lines.push(
    `tar of 100,000 entries (${size(files.tar)}): listing ${fmt.ms(tarList.ms)} (${fmt.rate(tarList.result.rows, tarList.ms, 'entries')}), peak ${fmt.mb(tarList.peakMb)} | ` +
      `plain sequential read ${fmt.ms(tarRead.ms)} (${fmt.rate(tarRead.result / MB, tarRead.ms, 'MB')}), peak ${fmt.mb(tarRead.peakMb)} | listing/read ${fmt.ratio(tarList.ms / tarRead.ms)} (files in page cache)`,
  );
  lines.push(await concurrentAppends());
  rmSync(out, { recursive: true, force: true });
  return { title: 'sample: processed-files log and head-only samples', lines };
}

async function concurrentAppends(): Promise<string> {
  const log = path.join(DIR, 'processed.jsonl');
  rmSync(log, { force: true });
  const script = `const m = await import(${JSON.stringify(new URL(import.meta.url).href)}); await m.appendMany(process.argv[1], process.argv[2], 25000);`;
  const writers = ['w0', 'w1', 'w2', 'w3'];
  const { ms } = await timed(() => Promise.all(writers.map((w) => promisify(execFile)(process.execPath, ['--input-type=module', '-e', script, log, w]))));
  let offset = 0;
  let entries = 0;
  let invalid = 0;
  const seen = new Set<string>();
  for (;;) {
    const chunk = await readLogFrom(log, offset, 1, 4 * MB);
    if (chunk.nextOffset === offset) break;
    for (const l of chunk.lines) {
      if (l.kind === 'entry') {
        entries += 1;
        seen.add(l.entry.raw);
      } else invalid += 1;
    }
    offset = chunk.nextOffset;
  }
  const torn = statSync(log).size - offset;
  rmSync(log, { force: true });
  return `log: 100,000 lines appended by 4 processes at once in ${fmt.ms(ms)} (${fmt.rate(100_000, ms, 'lines')}): ${entries} entries read back, ${seen.size} distinct, ${invalid} bad lines, ${torn} bytes of torn tail`;
}
