// Staging benchmark: strata vs DuckDB's own read_csv -> COPY per file, on the shared corpus and 20,000 generated files.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStagingConfig } from '../src/config/staging-config.js';
import { stageRawFiles } from '../src/pipeline/stage-raw-files.js';
import { userCacheDir } from '../src/schema/cached-catalog.js';
import { discoverRawFiles } from '../src/discover/discover-raw-files.js';
import { Engine, sqlLiteral } from '../src/engine/duckdb.js';
import { generateLabCorpus } from '../src/demo/generate-lab-corpus.js';
import { projectRoot } from '../src/version.js';
import { execFileSync } from 'node:child_process';
import { parseDataTable } from '../src/parse/data-table.js';
import { fmt, inChild, settleDisk, type BenchSection, type ChildRun } from './harness.js';

const THIS_MODULE = fileURLToPath(import.meta.url);
const WORK = path.join(projectRoot, '.bench', 'stage');

interface StageFigures {
  readonly files: number;
  readonly ok: number;
  readonly skipped: number;
  readonly rows: number;
  readonly bytes: number;
}

/**
 * One `strata stage` run (called in a child process by the benchmark), as the command runs it: with the user's
 * cache of compiled procedure catalogs, so that a new lake does not parse the YAML that an earlier run compiled.
 */
export async function stageOnce(rawRoot: string, lakeRoot: string, workers?: number): Promise<StageFigures> {
  const flags = { rawRoot, stageRoot: path.join(lakeRoot, 'stage'), settleSeconds: 0, ...(workers === undefined ? {} : { workers }) };
  const config = loadStagingConfig({ flags, env: {}, cwd: lakeRoot });
  const s = await stageRawFiles(config, { catalogCaches: [userCacheDir(process.env)] });
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
          const [r] = await conn.all<{ Count: number }>(
            `COPY (SELECT * FROM read_csv(${sqlLiteral(file.absPath)}, skip=${skip}, header=true)) TO ${sqlLiteral(path.join(outRoot, `${i}.parquet`))} (FORMAT parquet)`,
          );
          rows += r?.Count ?? 0;
        } catch {
          // a bad file: the baseline simply skips it
        }
      }
    }),
  );
  engine.close();
  return { files: files.length, ok: files.length, skipped: 0, rows, bytes: files.reduce((s, f) => s + f.size, 0) };
}

export interface FloorFigures {
  readonly rows: number;
  readonly dataOnlyMs: number;
  readonly withRunColumnsMs: number;
  readonly runColumns: string;
}

/**
 * DuckDB's best case for the same rows, a lower bound for any design that writes with it: each procedure's
 * files in one read_csv (no per-file work at all) to one Parquet file, once with the data columns alone and
 * once with as many per-run columns as strata put in that procedure's staged files (here the same value on
 * every row, the cheapest case; text as one-value ENUMs, as strata writes it).
 */
export async function duckdbFloor(rawRoot: string, stageRoot: string, outDir: string): Promise<FloorFigures> {
  const groups = new Map<string, { procedure: string; dataColumns: number; files: string[] }>();
  for (const file of discoverRawFiles(rawRoot)) {
    const lines = readFileSync(file.absPath, 'utf8').slice(0, 65_536).split(/\r?\n/);
    const procedure = /\.(\w+)>/.exec(lines[0] ?? '')?.[1] ?? '?';
    const header = lines[lines.findIndex((l) => /^#\s*Data:/.test(l)) + 1] ?? '';
    const group = groups.get(`${procedure}|${header}`) ?? { procedure, dataColumns: header.split(',').length, files: [] };
    group.files.push(file.absPath);
    groups.set(`${procedure}|${header}`, group);
  }
  mkdirSync(outDir, { recursive: true });
  const engine = await Engine.open();
  const conn = await engine.connect();
  const runColumns = new Map<string, number>();
  for (const { procedure, dataColumns } of groups.values()) {
    const [one] = await conn.all<{ n: number }>(
      `SELECT count(*) AS n FROM (DESCRIBE SELECT * FROM read_parquet(${sqlLiteral(`${stageRoot}/proc=${procedure}/*/*/*.parquet`)}, union_by_name = true))`,
    );
    runColumns.set(procedure, (one?.n ?? 0) - dataColumns);
  }
  const kinds = ["CAST('a-run-constant' AS ENUM('a-run-constant'))", "TIMESTAMPTZ '2025-10-10 16:26:40+00'", 'false', 'CAST(80 AS BIGINT)', '0.1::DOUBLE'];
  const kindOf = (k: number) => kinds[k < 5 ? 0 : k < 6 ? 1 : k < 7 ? 2 : k < 9 ? 3 : 4];
  const pass = async (withRunColumns: boolean) => {
    const start = performance.now();
    let rows = 0;
    let i = 0;
    for (const { procedure, dataColumns, files } of groups.values()) {
      const columns = Array.from({ length: dataColumns }, (_, c) => `'c${c}': 'DOUBLE'`).join(', ');
      const constants = Array.from({ length: withRunColumns ? (runColumns.get(procedure) ?? 0) : 0 }, (_, k) => `${kindOf(k)} AS k${k}`);
      const [written] = await conn.all<{ Count: number }>(
        `COPY (SELECT ${['*', ...constants].join(', ')} FROM read_csv([${files.map(sqlLiteral).join(', ')}], comment='#', header=true,
           auto_detect=false, delim=',', quote='"', escape='"', columns={${columns}}, nullstr=['nan', ''])) TO ${sqlLiteral(path.join(outDir, `${i++}.parquet`))} (FORMAT parquet)`,
      );
      rows += written?.Count ?? 0;
    }
    return { rows, ms: performance.now() - start };
  };
  const dataOnly = await pass(false);
  const withRunColumns = await pass(true);
  engine.close();
  rmSync(outDir, { recursive: true, force: true });
  return { rows: dataOnly.rows, dataOnlyMs: dataOnly.ms, withRunColumnsMs: withRunColumns.ms, runColumns: [...runColumns].map(([p, n]) => `${p} ${n}`).join(', ') };
}

/** The floor pieces, one thread, no writing: read every byte, find every line, parse every number of every table. */
export async function floorPieces(rawRoot: string): Promise<{ readMs: number; linesMs: number; parseMs: number; values: number }> {
  const files = discoverRawFiles(rawRoot);
  let t = performance.now();
  const contents = files.map((f) => readFileSync(f.absPath));
  const readMs = performance.now() - t;
  t = performance.now();
  let lines = 0;
  for (const bytes of contents) for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) lines++;
  const linesMs = performance.now() - t;
  t = performance.now();
  let values = 0;
  for (const bytes of contents) {
    const dataLine = bytes.indexOf('#Data:');
    if (dataLine < 0) continue;
    const columnsAt = bytes.indexOf(10, dataLine) + 1;
    const tableAt = bytes.indexOf(10, columnsAt) + 1;
    const fields = bytes.subarray(columnsAt, tableAt).toString('latin1').split(',').length;
    const columns = Array.from({ length: fields }, (_, i) => ({ sourceIndex: i, type: 'float' as const }));
    const parsed = parseDataTable(bytes, { start: tableAt, firstLine: 1, fieldCount: fields, columns, zone: 'UTC' });
    if (parsed.ok) values += parsed.table.rows * fields;
  }
  return { readMs, linesMs, parseMs: performance.now() - t, values };
}

/** `strata <args>` from the shell, node start-up and module loading included: wall ms. */
function cliMs(args: readonly string[]): number {
  const start = performance.now();
  execFileSync(process.execPath, [path.join(projectRoot, 'bin', 'strata.js'), ...args], { stdio: 'ignore' });
  return performance.now() - start;
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * strata's first run and the baseline, interleaved (`rounds` times each, alternating, so a busy minute hits
 * both), each into a fresh folder (a big lake is deleted only after all runs: ext4 makes files slowly right
 * after a large delete); then re-runs of the last lake, in process and from the shell.
 */
async function corpusLines(name: string, rawRoot: string, rounds: number): Promise<string[]> {
  const firsts: ChildRun<StageFigures>[] = [];
  const baselines: ChildRun<StageFigures>[] = [];
  const made: string[] = [];
  let lake = '';
  let waited = 0;
  for (let round = 0; round < rounds; round++) {
    lake = path.join(WORK, `${name}-lake-${Date.now()}`);
    const out = path.join(WORK, `${name}-baseline-${Date.now()}`);
    made.push(lake, out);
    waited += await settleDisk();
    firsts.push(inChild<StageFigures>(THIS_MODULE, 'stageOnce', [rawRoot, lake]));
    waited += await settleDisk();
    baselines.push(inChild<StageFigures>(THIS_MODULE, 'duckdbCopyPerFile', [rawRoot, out]));
  }
  const again = inChild<StageFigures>(THIS_MODULE, 'stageOnce', [rawRoot, lake]);
  const shell = [0, 1, 2].map(() => cliMs(['stage', '--raw-root', rawRoot, '--stage-root', path.join(lake, 'stage'), '--settle', '0', '--quiet']));
  const first = firsts.reduce((a, b) => (median(firsts.map((f) => f.ms)) === b.ms ? b : a), firsts[0]!);
  const firstMs = median(firsts.map((f) => f.ms));
  const baselineMs = median(baselines.map((b) => b.ms));
  const mb = first.result.bytes / 1e6;
  const pieces = inChild<Awaited<ReturnType<typeof floorPieces>>>(THIS_MODULE, 'floorPieces', [rawRoot]).result;
  const spread = (runs: readonly ChildRun<unknown>[]) => runs.map((r) => fmt.ms(r.ms)).join(', ');
  // Kept for the lines that need a staged lake (floor, arrivals), under a name of its own.
  const kept = path.join(WORK, `${name}-lake`);
  rmSync(kept, { recursive: true, force: true });
  renameSync(lake, kept);
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  return [
    `${name}: ${first.result.files} files, ${mb.toFixed(1)} MB, ${first.result.rows.toLocaleString('en-US')} rows`,
    `${name} first run (median of ${rounds}, interleaved with the baseline, each after the disk settled: ${waited.toFixed(0)} s of waiting in all): ${fmt.ms(firstMs)} [${spread(firsts)}] — ` +
      `${fmt.rate(first.result.ok, firstMs, 'files')}, ${fmt.rate(mb, firstMs, 'MB')}, ${fmt.rate(first.result.rows, firstMs, 'rows')}; ` +
      `peak ${fmt.mb(Math.max(...firsts.map((f) => f.peakMb)))}`,
    `${name} baseline (DuckDB read_csv -> COPY per file, two connections): ${fmt.ms(baselineMs)} [${spread(baselines)}]; ` +
      `peak ${fmt.mb(Math.max(...baselines.map((b) => b.peakMb)))}; strata is ${fmt.ratio(baselineMs / firstMs)} the baseline's speed`,
    `${name} floor pieces (one thread): read every byte ${fmt.ms(pieces.readMs)}, find the lines ${fmt.ms(pieces.linesMs)}, ` +
      `parse ${pieces.values.toLocaleString('en-US')} values into typed columns ${fmt.ms(pieces.parseMs)}`,
    `${name} re-run (nothing changed): ${fmt.ms(again.ms)} in process (${(again.ms / again.result.files).toFixed(3)} ms/file, ` +
      `${again.result.skipped} skipped), peak ${fmt.mb(again.peakMb)}; from the shell ${shell.map(fmt.ms).join(', ')}`,
  ];
}

/** The shared corpus's lower bound with DuckDB (after corpusLines, whose staged lake tells the per-run columns). */
function floorLine(rawRoot: string): string {
  const stageRoot = path.join(WORK, 'shared corpus-lake', 'stage');
  const { result } = inChild<FloorFigures>(THIS_MODULE, 'duckdbFloor', [rawRoot, stageRoot, path.join(WORK, 'floor')]);
  return (
    `shared corpus, DuckDB's best case (one read_csv per procedure, no per-file work, ${result.rows.toLocaleString('en-US')} rows): ` +
    `data columns only ${fmt.ms(result.dataOnlyMs)}; with the per-run columns strata writes on every row (${result.runColumns}) ${fmt.ms(result.withRunColumnsMs)}`
  );
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
  lines.push(`strata --version from the shell: ${[0, 1, 2].map(() => fmt.ms(cliMs(['--version']))).join(', ')}; --help: ${fmt.ms(cliMs(['--help']))}`);
  if (existsSync(corpus)) lines.push(...(await corpusLines('shared corpus', corpus, 5)), floorLine(corpus));
  else lines.push(`shared corpus not present at ${corpus}: skipped`);
  const generated = path.join(WORK, 'generated-20000');
  if (!existsSync(path.join(generated, '.complete'))) {
    rmSync(generated, { recursive: true, force: true });
    await generateLabCorpus({ root: generated, files: 20_000, seed: 20_000 });
    writeFileSync(path.join(generated, '.complete'), '');
  }
  lines.push(...(await corpusLines('generated corpus', generated, 3)));
  lines.push(await arrivalLine(generated, 'generated corpus'));
  return { title: 'strata stage', lines };
}
