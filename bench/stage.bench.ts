// Staging benchmark: strata vs DuckDB's own read_csv -> COPY per file, on the shared corpus and 20,000 generated files.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStagingConfig } from '../src/config/staging-config.js';
import { stageRawFiles } from '../src/pipeline/stage-raw-files.js';
import { discoverRawFiles } from '../src/discover/discover-raw-files.js';
import { Engine, sqlLiteral } from '../src/engine/duckdb.js';
import { generateLabCorpus } from '../src/demo/generate-lab-corpus.js';
import { projectRoot } from '../src/version.js';
import { fmt, inChild, type BenchSection } from './harness.js';

const THIS_MODULE = fileURLToPath(import.meta.url);
const WORK = path.join(projectRoot, '.bench', 'stage');

interface StageFigures {
  readonly files: number;
  readonly ok: number;
  readonly skipped: number;
  readonly rows: number;
  readonly bytes: number;
}

/** One `strata stage` run (called in a child process by the benchmark). */
export async function stageOnce(rawRoot: string, lakeRoot: string): Promise<StageFigures> {
  const config = loadStagingConfig({ flags: { rawRoot, stageRoot: path.join(lakeRoot, 'stage'), settleSeconds: 0 }, env: {}, cwd: lakeRoot });
  const s = await stageRawFiles(config);
  return { files: s.files, ok: s.ok, skipped: s.skipped, rows: s.rows, bytes: s.bytes };
}

/** The baseline: for every file, DuckDB's read_csv (auto-detected, header skipped) -> COPY to one Parquet file. */
export async function duckdbCopyPerFile(rawRoot: string, outRoot: string): Promise<StageFigures> {
  const files = discoverRawFiles(rawRoot);
  const engine = await Engine.open();
  const conns = await Promise.all([engine.connect(), engine.connect()]);
  let next = 0;
  let rows = 0;
  mkdirSync(outRoot, { recursive: true });
  await Promise.all(
    conns.map(async (conn) => {
      while (next < files.length) {
        const i = next++;
        const file = files[i]!;
        const lines = readFileSync(file.absPath, 'utf8').split('\n');
        const skip = lines.findIndex((l) => l.startsWith('#Data')) + 1;
        try {
          const [r] = await conn.all<{ Count: bigint }>(
            `COPY (SELECT * FROM read_csv(${sqlLiteral(file.absPath)}, skip=${skip}, header=true)) TO ${sqlLiteral(path.join(outRoot, `${i}.parquet`))} (FORMAT parquet)`,
          );
          rows += Number(r?.Count ?? 0);
        } catch {
          // a bad file: the baseline simply skips it
        }
      }
    }),
  );
  engine.close();
  return { files: files.length, ok: files.length, skipped: 0, rows, bytes: files.reduce((s, f) => s + f.size, 0) };
}

async function corpusLines(name: string, rawRoot: string): Promise<string[]> {
  const lake = path.join(WORK, `${name}-lake`);
  const baselineOut = path.join(WORK, `${name}-baseline`);
  rmSync(lake, { recursive: true, force: true });
  rmSync(baselineOut, { recursive: true, force: true });
  const first = inChild<StageFigures>(THIS_MODULE, 'stageOnce', [rawRoot, lake]);
  const again = inChild<StageFigures>(THIS_MODULE, 'stageOnce', [rawRoot, lake]);
  const baseline = inChild<StageFigures>(THIS_MODULE, 'duckdbCopyPerFile', [rawRoot, baselineOut]);
  const mb = first.result.bytes / 1e6;
  rmSync(baselineOut, { recursive: true, force: true });
  return [
    `${name}: ${first.result.files} files, ${mb.toFixed(1)} MB, ${first.result.rows.toLocaleString('en-US')} rows`,
    `${name} first run: ${fmt.ms(first.ms)} — ${fmt.rate(first.result.ok, first.ms, 'files')}, ${fmt.rate(mb, first.ms, 'MB')}, ` +
      `${fmt.rate(first.result.rows, first.ms, 'rows')}; peak ${fmt.mb(first.peakMb)}`,
    `${name} re-run (nothing changed): ${fmt.ms(again.ms)} (${(again.ms / again.result.files).toFixed(3)} ms/file, ${again.result.skipped} skipped); peak ${fmt.mb(again.peakMb)}`,
    `${name} baseline (DuckDB read_csv -> COPY per file): ${fmt.ms(baseline.ms)}; peak ${fmt.mb(baseline.peakMb)}; ` +
      `strata first run is ${fmt.ratio(baseline.ms / first.ms)} the baseline's speed, re-run ${fmt.ratio(baseline.ms / again.ms)}`,
  ];
}

/** Files keep arriving: ten new ones land in an already staged lake of the generated corpus. */
async function arrivalLine(rawRoot: string, name: string): Promise<string> {
  const extra = path.join(rawRoot, 'zz_new_arrivals');
  await generateLabCorpus({ root: extra, files: 10, seed: 424_242 });
  try {
    const run = inChild<StageFigures>(THIS_MODULE, 'stageOnce', [rawRoot, path.join(WORK, `${name}-lake`)]);
    return `${name}, 10 new files arriving in the staged lake: ${fmt.ms(run.ms)} (${run.result.ok} staged, ${run.result.skipped} skipped); peak ${fmt.mb(run.peakMb)}`;
  } finally {
    rmSync(extra, { recursive: true, force: true });
  }
}

export async function bench(): Promise<BenchSection> {
  mkdirSync(WORK, { recursive: true });
  const lines: string[] = [];
  const corpus = path.resolve(projectRoot, '../shared/corpus/lab');
  if (existsSync(corpus)) lines.push(...(await corpusLines('shared corpus', corpus)));
  else lines.push(`shared corpus not present at ${corpus}: skipped`);
  const generated = path.join(WORK, 'generated-20000');
  if (!existsSync(path.join(generated, '.complete'))) {
    rmSync(generated, { recursive: true, force: true });
    await generateLabCorpus({ root: generated, files: 20_000, seed: 20_000 });
    writeFileSync(path.join(generated, '.complete'), '');
  }
  lines.push(...(await corpusLines('generated corpus', generated)));
  lines.push(await arrivalLine(generated, 'generated corpus'));
  return { title: 'strata stage', lines };
}
