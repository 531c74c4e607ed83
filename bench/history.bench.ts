// History of one chip from a 100,000-run manifest: in process, end to end through the CLI, and the old way
// (scanning per-day metadata CSVs of the same runs) measured in the same run.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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
    ],
  };
}
