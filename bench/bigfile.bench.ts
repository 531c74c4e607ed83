// `npm run bench -- bigfile [--sizes 1,2] [--rounds 2]`: staging one big CSV (1 GB, 2 GB...) in the lab's format,
// strata's `stage` against Polars streaming (`pl.scan_csv(...).sink_parquet(...)`) interleaved, each in a process
// of its own: wall time, the ratio, and each process's peak resident memory. The files are an It run of the shared
// corpus with its rows repeated (times carried on) to the size, made once and kept under .bench/bigfile.
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../src/version.js';
import { fmt, inChild, settleDisk, type BenchSection, type ChildRun } from './harness.js';
import { stageOnce } from './stage.bench.js';

const THIS_MODULE = fileURLToPath(import.meta.url);
const WORK = path.join(projectRoot, '.bench', 'bigfile');
const SOURCE = path.resolve(projectRoot, '../shared/corpus/lab/2025-10-13/It2025-10-13_1.csv');

/** A raw folder holding one It file of about `gb` GB: the source's header, then its rows again and again. */
function bigFile(gb: number): { readonly root: string; readonly file: string; readonly headerLines: number } {
  const root = path.join(WORK, `raw-${gb}gb`, '2025-10-13');
  const file = path.join(root, 'It2025-10-13_1.csv');
  const lines = readFileSync(SOURCE, 'utf8').split('\n');
  const headerLines = lines.findIndex((l) => l.startsWith('#Data')) + 2;
  if (existsSync(file)) return { root: path.dirname(root), file, headerLines };
  mkdirSync(root, { recursive: true });
  const rows = lines.slice(headerLines).filter((l) => l.trim() !== '').map((l) => l.split(','));
  const span = Number(rows[rows.length - 1]![0]) + Number(rows[1]![0]);
  const temp = `${file}.part`;
  const fd = openSync(temp, 'w');
  writeSync(fd, lines.slice(0, headerLines).join('\n') + '\n');
  let written = 0;
  for (let round = 0; written < gb * 1e9; round++) {
    const block = rows.map(([t, ...rest]) => `${Number((Number(t) + round * span).toPrecision(10))},${rest.join(',')}`).join('\n') + '\n';
    written += writeSync(fd, block);
  }
  closeSync(fd);
  renameSync(temp, file);
  return { root: path.dirname(root), file, headerLines };
}

/** Polars streaming the same file to one Parquet file, in a Python process; its time (in-process) and peak memory. */
const POLARS_SINK = `
import sys, time, resource, polars as pl
start = time.perf_counter()
pl.scan_csv(sys.argv[1], skip_rows=int(sys.argv[2]) - 1).sink_parquet(sys.argv[3])
ms = (time.perf_counter() - start) * 1000
rows = pl.scan_parquet(sys.argv[3]).select(pl.len()).collect().item()
print(f'{ms} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024} {rows}')
`;

function polarsPython(): string | null {
  const python = process.env['STRATA_PYTHON'] ?? path.join(projectRoot, '.venv-readers', 'bin', 'python');
  return existsSync(python) ? python : null;
}

function polarsOnce(python: string, file: string, headerLines: number, out: string): ChildRun<{ rows: number }> {
  rmSync(out, { force: true });
  const [ms, peakMb, rows] = execFileSync(python, ['-c', POLARS_SINK, file, String(headerLines), out]).toString().trim().split(' ').map(Number);
  return { ms: ms!, peakMb: peakMb!, result: { rows: rows! } };
}

/** The middle value (of an even count, the mean of the two middle ones). */
function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function sizeFigures(gb: number, rounds: number, python: string | null): Promise<string> {
  const { root, file, headerLines } = bigFile(gb);
  const ours: ChildRun<Awaited<ReturnType<typeof stageOnce>>>[] = [];
  const theirs: ChildRun<{ rows: number }>[] = [];
  for (let round = 0; round < rounds; round++) {
    const lake = path.join(WORK, 'lake');
    rmSync(lake, { recursive: true, force: true });
    await settleDisk();
    ours.push(inChild(THIS_MODULE.replace(/bigfile\.bench\.js$/, 'stage.bench.js'), 'stageOnce', [root, lake]));
    if (python !== null) {
      await settleDisk();
      theirs.push(polarsOnce(python, file, headerLines, path.join(WORK, 'polars.parquet')));
    }
  }
  rmSync(path.join(WORK, 'lake'), { recursive: true, force: true });
  rmSync(path.join(WORK, 'polars.parquet'), { force: true });
  const staged = ours[0]!.result;
  if (staged.ok !== 1) throw new Error(`strata did not stage the ${gb} GB file`);
  const size = `${(staged.bytes / 1e9).toFixed(2)} GB, ${staged.rows.toLocaleString('en-US')} rows`;
  const strata = `strata \`stage\` ${fmt.ms(median(ours.map((r) => r.ms)))}, peak ${fmt.mb(Math.max(...ours.map((r) => r.peakMb)))}`;
  if (python === null) return `${size}: ${strata}; no Python with Polars here (STRATA_PYTHON) for the baseline`;
  if (theirs[0]!.result.rows !== staged.rows) throw new Error(`Polars read ${theirs[0]!.result.rows} rows, strata ${staged.rows}`);
  const polars = `Polars streaming ${fmt.ms(median(theirs.map((r) => r.ms)))}, peak ${fmt.mb(Math.max(...theirs.map((r) => r.peakMb)))}`;
  const ratio = median(ours.map((r) => r.ms)) / median(theirs.map((r) => r.ms));
  const each = (runs: readonly ChildRun<unknown>[]) => runs.map((r) => (r.ms / 1000).toFixed(1)).join(' / ');
  return (
    `${size}: ${strata}; ${polars}; strata / Polars ${fmt.ratio(ratio)} (median of ${rounds}, interleaved; ` +
    `each round, s: strata ${each(ours)}, Polars ${each(theirs)})`
  );
}

export async function bench(options: readonly string[]): Promise<BenchSection> {
  let sizes = [1, 2];
  let rounds = 2;
  for (let i = 0; i < options.length; i += 2) {
    if (options[i] === '--sizes') sizes = options[i + 1]!.split(',').map(Number);
    else if (options[i] === '--rounds') rounds = Number(options[i + 1]);
    else throw new Error(`bigfile: unknown option ${options[i]}; known: --sizes 1,2 --rounds 2`);
  }
  const python = polarsPython();
  const lines: string[] = [];
  for (const gb of sizes) lines.push(await sizeFigures(gb, rounds, python));
  return { title: 'bigfile: one big CSV, strata `stage` vs Polars streaming', lines };
}
