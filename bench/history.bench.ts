// History of one chip from a 100,000-run manifest: in process, end to end through the CLI, and the old way
// (scanning per-day metadata CSVs of the same runs) measured in the same run; and an 8,000-run chip of a
// 50,000-run manifest from the shell, interleaved with Polars.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { chipHistory } from '../src/history/chip-history.js';
import { openManifest } from '../src/history/manifest-query.js';
import { exportDayMetadata } from '../src/history/metadata-export.js';
import { projectRoot } from '../src/version.js';
import { manifestRow, writeTestManifest } from '../test/history/manifest-fixtures.js';
import { fmt, timed, type BenchSection } from './harness.js';

const RUNS = 100_000;
const CHIPS = 500;
const RUNS_PER_DAY = 250;
const CHIP = 123;
const TZ = 'America/Santiago';

function generateRuns(): Record<string, unknown>[] {
  const start = Date.UTC(2024, 0, 1, 12);
  return Array.from({ length: RUNS }, (_, i) => {
    const day = Math.floor(i / RUNS_PER_DAY);
    const at = new Date(start + day * 86_400_000 + (i % RUNS_PER_DAY) * 120_000);
    return manifestRow({
      chip: i % CHIPS,
      proc: i % 3 === 0 ? 'IVg' : 'It',
      start: at.toISOString(),
      fileIdx: (i % RUNS_PER_DAY) + 1,
      light: i % 2 === 0,
      extra: { information: `run ${i} of the bench`, sample: 'biotite' },
    });
  });
}

async function median(times: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) ms.push((await timed(fn)).ms);
  return ms.sort((a, b) => a - b)[Math.floor(times / 2)]!;
}

async function historyInProcess(manifest: string): Promise<number> {
  const handle = await openManifest(manifest);
  try {
    return (await chipHistory(handle, { chip: CHIP, localTz: TZ })).runs.length;
  } finally {
    handle.close();
  }
}

/** The old way: read every day's metadata.csv, keep the chip's rows, sort them by start time then file_idx. */
function historyFromDayCsvs(daysDir: string): number {
  const runs: Record<string, string>[] = [];
  for (const day of readdirSync(daysDir).sort()) {
    const rows = parse(readFileSync(path.join(daysDir, day, 'metadata.csv')), { columns: true }) as Record<string, string>[];
    for (const row of rows) if (row['chip_number'] === String(CHIP)) runs.push(row);
  }
  runs.sort((a, b) => (a['start_time_utc'] ?? '').localeCompare(b['start_time_utc'] ?? '') || Number(a['file_idx']) - Number(b['file_idx']));
  return runs.length;
}

/** The lab's shape at 50,000 runs: six chips of about 8,000 runs each (LaserCalibration runs name no chip). */
function bigChipRuns(): Record<string, unknown>[] {
  const start = Date.UTC(2024, 0, 1, 12);
  return Array.from({ length: BIG_CHIP_RUNS }, (_, i) => {
    const at = new Date(start + Math.floor(i / 60) * 86_400_000 + (i % 60) * 300_000);
    const calibration = i % 12 === 11;
    return manifestRow({
      chip: calibration ? null : 67 + (i % 6),
      group: calibration ? null : 'Alisson',
      proc: calibration ? 'LaserCalibration' : i % 3 === 0 ? 'IVg' : 'It',
      start: at.toISOString(),
      fileIdx: (i % 60) + 1,
      light: i % 2 === 0,
      extra: { information: `run ${i} of the bench`, sample: 'biotite' },
    });
  });
}

const BIG_CHIP_RUNS = 50_000;
const BIG_CHIP = 67;

/** The same history with Polars: the manifest read, the chip's runs numbered in start-time order, CSV to stdout. */
const POLARS_HISTORY = `
import sys, polars as pl
m = pl.read_parquet(sys.argv[1])
runs = (m.filter((pl.col('chip_number') == int(sys.argv[2])) & pl.col('chip_group').is_not_null())
  .sort(['start_time_utc', 'file_idx', 'run_id'], nulls_last=True)
  .with_row_index('seq', offset=1)
  .with_columns(pl.col('start_time_utc').dt.convert_time_zone('America/Santiago').alias('local'))
  .select('seq', pl.col('local').dt.strftime('%Y-%m-%d').alias('date_local'), pl.col('local').dt.strftime('%H:%M:%S').alias('time_local'),
          'proc', 'has_light', 'summary', 'file_idx', 'run_id', 'source_file'))
runs.write_csv(sys.stdout)
`;

/** A Python with Polars (STRATA_PYTHON, else the repository's .venv-readers), or null. */
function polarsPython(): string | null {
  const python = process.env['STRATA_PYTHON'] ?? path.join(projectRoot, '.venv-readers', 'bin', 'python');
  if (!existsSync(python)) return null;
  try {
    execFileSync(python, ['-c', 'import polars'], { stdio: 'ignore' });
    return python;
  } catch {
    return null;
  }
}

/** `strata history` of an 8,000-run chip on a 50,000-run manifest from the shell, interleaved with Polars. */
async function bigChipHistory(dir: string): Promise<string[]> {
  const manifest = path.join(dir, 'big-chip', 'manifest.parquet');
  await writeTestManifest(manifest, bigChipRuns());
  const bin = path.join(projectRoot, 'bin', 'strata.js');
  const output = { stdio: ['ignore', 'pipe', 'pipe'] as ('ignore' | 'pipe')[], maxBuffer: 64 * 1024 * 1024 };
  const strata = () => execFileSync(process.execPath, [bin, 'history', String(BIG_CHIP), '--manifest', manifest, '--format', 'csv'], output);
  const runs = strata().toString().trim().split('\n').length - 1;
  const python = polarsPython();
  const polars = python === null ? null : () => execFileSync(python, ['-c', POLARS_HISTORY, manifest, String(BIG_CHIP)], output);
  if (polars !== null && polars().toString().trim().split('\n').length - 1 !== runs) throw new Error('Polars and strata disagree on the chip\'s runs');
  const ours: number[] = [];
  const theirs: number[] = [];
  const load = loadavg()[0]!;
  for (let round = 0; round < 7; round++) {
    ours.push((await timed(strata)).ms);
    if (polars !== null) theirs.push((await timed(polars)).ms);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const line = `\`strata history ${BIG_CHIP} --format csv\` of a ${runs.toLocaleString('en-US')}-run chip on a ${BIG_CHIP_RUNS.toLocaleString('en-US')}-run manifest, from the shell, median of 7: ${fmt.ms(median(ours))} (target < 500 ms)`;
  if (polars === null) return [`${line}; no Python with Polars here (STRATA_PYTHON) for the baseline`];
  return [
    `${line}; Polars reading the manifest, interleaved: ${fmt.ms(median(theirs))}; strata / Polars ${fmt.ratio(median(ours) / median(theirs))} ` +
      `(load average ${load.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after: indicative on a shared machine)`,
  ];
}

export async function bench(): Promise<BenchSection> {
  const dir = path.join(projectRoot, '.bench', 'history');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const manifest = path.join(dir, '_manifest', 'manifest.parquet');
  const daysDir = path.join(dir, 'days');
  const rows = generateRuns();
  const write = await timed(() => writeTestManifest(manifest, rows));
  const handle = await openManifest(manifest);
  const exported = await timed(() => exportDayMetadata(handle, { outDir: daysDir, localTz: TZ }));
  handle.close();

  const expected = await historyInProcess(manifest); // warm-up: loads DuckDB once
  const inProcess = await median(7, () => historyInProcess(manifest));
  const bin = path.join(projectRoot, 'bin', 'strata.js');
  const cli = await median(5, () =>
    execFileSync(process.execPath, [bin, 'history', String(CHIP), '--manifest', manifest, '--format', 'csv'], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  // The same command in a process that registers only it: what `history` costs without the other commands' imports.
  const alone = `import { Command } from 'commander';
    const { registerHistory } = await import(${JSON.stringify(path.join(projectRoot, 'dist', 'src', 'cli', 'commands', 'history.js'))});
    const { processIo } = await import(${JSON.stringify(path.join(projectRoot, 'dist', 'src', 'cli', 'io.js'))});
    const program = new Command('strata');
    registerHistory(program, { io: processIo(), setExitCode: (c) => (process.exitCode = c) });
    await program.parseAsync(process.argv.slice(1), { from: 'user' });`;
  const cliAlone = await median(5, () =>
    execFileSync(process.execPath, ['--input-type=module', '-e', alone, 'history', String(CHIP), '--manifest', manifest, '--format', 'csv'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const bare = await median(5, () => execFileSync(process.execPath, ['-e', '0']));
  const oldRuns = historyFromDayCsvs(daysDir);
  const oldWay = await median(3, () => historyFromDayCsvs(daysDir));
  if (oldRuns !== expected) throw new Error(`the old way found ${oldRuns} runs of chip ${CHIP}, the manifest ${expected}`);
  const bigChip = await bigChipHistory(dir);
  rmSync(dir, { recursive: true, force: true });
  return {
    title: `history: one chip (${expected} runs) from a manifest of ${RUNS.toLocaleString('en-US')} runs`,
    lines: [
      `manifest written through the store (validated, appender, COPY to Parquet): ${fmt.ms(write.ms)} (${fmt.rate(RUNS, write.ms, 'rows')})`,
      `history in process (open DuckDB + query + close), median of 7: ${fmt.ms(inProcess)} (target < 50 ms)`,
      `\`node bin/strata.js history ${CHIP} --format csv\` end to end, median of 5: ${fmt.ms(cli)} (target < 300 ms)`,
      `the history command alone in a fresh node (only its own imports), median of 5: ${fmt.ms(cliAlone)}; bare \`node -e 0\`: ${fmt.ms(bare)}`,
      `old way, scanning ${exported.result.length} per-day metadata.csv files with csv-parse, median of 3: ${fmt.ms(oldWay)}`,
      `ratio old way / strata in process: ${fmt.ratio(oldWay / inProcess)} (target >= 20x); old way / strata CLI: ${fmt.ratio(oldWay / cli)}`,
      `export-metadata of all ${RUNS.toLocaleString('en-US')} runs: ${fmt.ms(exported.ms)}`,
      ...bigChip,
    ],
  };
}
