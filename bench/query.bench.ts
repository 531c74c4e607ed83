// `strata query` on generated lakes of 50,000 and 100,000 runs, each statement timed from the shell against bare
// DuckDB reading the manifest or the data files directly, the two interleaved in one loop.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateLabCorpus } from '../src/demo/generate-lab-corpus.js';
import { projectRoot } from '../src/version.js';
import { fmt, inChild, settleDisk, timed, type BenchSection } from './harness.js';
import { stageOnce } from './stage.bench.js';

const THIS_MODULE = fileURLToPath(import.meta.url);
const require = createRequire(import.meta.url);
/** Kept between runs (building the lakes stages 100,000 files): delete it to build them again. */
const WORK = path.join(projectRoot, '.bench', 'query');
const HALF = 50_000;
const ROUNDS = 5;

interface Lake {
  readonly runs: number;
  readonly stageRoot: string;
  readonly manifest: string;
}

const lakeAt = (name: string, runs: number): Lake => ({
  runs,
  stageRoot: path.join(WORK, name, 'stage'),
  manifest: path.join(WORK, name, '_manifest', 'manifest.parquet'),
});

/**
 * Two lakes from the demo generator: 50,000 files staged; then a copy of that lake with 50,000 more files staged
 * into it (one raw root, so the first half keeps its run ids and is not staged again).
 */
async function buildLakes(): Promise<[Lake, Lake]> {
  const small = lakeAt('lake-50k', HALF);
  const big = lakeAt('lake-100k', 2 * HALF);
  const built = path.join(WORK, 'built.json');
  if (existsSync(built) && readFileSync(built, 'utf8') === JSON.stringify({ half: HALF })) return [small, big];
  rmSync(WORK, { recursive: true, force: true });
  const raw = path.join(WORK, 'raw');
  await generateLabCorpus({ root: path.join(raw, 'a'), files: HALF, seed: 1, startDate: '2024-01-01', rowsPerFile: [20, 60] });
  inChild(THIS_MODULE, 'stageLake', [raw, path.join(WORK, 'lake-50k')]);
  cpSync(path.join(WORK, 'lake-50k'), path.join(WORK, 'lake-100k'), { recursive: true });
  await generateLabCorpus({ root: path.join(raw, 'b'), files: HALF, seed: 2, startDate: '2025-06-01', rowsPerFile: [20, 60] });
  inChild(THIS_MODULE, 'stageLake', [raw, path.join(WORK, 'lake-100k')]);
  writeFileSync(built, JSON.stringify({ half: HALF }));
  return [small, big];
}

/** Called in a child process: one stage run of the generated raw folder into a lake. */
export async function stageLake(raw: string, lake: string): Promise<number> {
  return (await stageOnce(raw, lake)).ok;
}

const STRATA = path.join(projectRoot, 'bin', 'strata.js');

/** `node bin/strata.js query SQL`, as a user runs it. */
function strataQuery(lake: Lake, sql: string): string {
  return execFileSync(process.execPath, [STRATA, 'query', sql, '--stage-root', lake.stageRoot, '--format', 'csv'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

/** Bare DuckDB from the shell: a node process that opens an in-memory database and runs the SQL, nothing else. */
function bareDuckdb(sql: string): string {
  const script = `const { DuckDBInstance } = require(${JSON.stringify(require.resolve('@duckdb/node-api'))});
    (async () => {
      const db = await DuckDBInstance.create(':memory:');
      const reader = await (await db.connect()).runAndReadAll(process.argv[1]);
      process.stdout.write(reader.getRows().map((r) => r.map(String).join(',')).join('\\n') + '\\n');
    })();`;
  return execFileSync(process.execPath, ['-e', script, sql], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

interface Case {
  readonly title: string;
  readonly strata: string;
  readonly baselines: readonly { readonly title: string; readonly sql: string }[];
}

function cases(lake: Lake, date: string): Case[] {
  const files = (glob: string) => `read_parquet('${path.join(lake.stageRoot, glob)}', hive_partitioning = true)`;
  return [
    {
      title: 'select count(*) from runs',
      strata: 'select count(*) from runs',
      baselines: [{ title: 'DuckDB on the manifest', sql: `select count(*) from read_parquet('${lake.manifest}')` }],
    },
    {
      title: `one procedure, one date (It on ${date})`,
      strata: `select count(*), count(distinct run_id) from It where date = DATE '${date}'`,
      baselines: [
        { title: "DuckDB on that date's folder", sql: `select count(*), count(distinct run_id) from ${files(`proc=It/date=${date}/*/*.parquet`)}` },
        { title: "DuckDB on the procedure's folders, filtered", sql: `select count(*), count(distinct run_id) from ${files('proc=It/*/*/*.parquet')} where date = '${date}'` },
      ],
    },
    {
      title: 'a procedure joined with runs, one date',
      strata: `select r.chip_name, count(*) from It join runs r using (run_id) where It.date = DATE '${date}' group by all order by 1`,
      baselines: [
        {
          title: 'DuckDB on the folder and the manifest',
          sql: `select r.chip_name, count(*) from ${files(`proc=It/date=${date}/*/*.parquet`)} d join read_parquet('${lake.manifest}') r using (run_id) group by all order by 1`,
        },
      ],
    },
  ];
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Each round runs strata, then every baseline, so a busy moment of the machine falls on all of them alike. */
async function measure(lake: Lake, c: Case): Promise<string> {
  const expected = strataQuery(lake, c.strata).trim().split('\n').slice(1).join('\n');
  const times = { strata: [] as number[], baselines: c.baselines.map(() => [] as number[]) };
  for (let round = 0; round < ROUNDS; round++) {
    times.strata.push((await timed(() => strataQuery(lake, c.strata))).ms);
    for (const [i, b] of c.baselines.entries()) {
      const { ms, result } = await timed(() => bareDuckdb(b.sql));
      if (result.trim() !== expected) throw new Error(`${b.title} answered ${result.trim()}, strata ${expected}`);
      times.baselines[i]!.push(ms);
    }
  }
  const ours = median(times.strata);
  const against = c.baselines.map((b, i) => `${b.title} ${fmt.ms(median(times.baselines[i]!))} (strata / it ${fmt.ratio(ours / median(times.baselines[i]!))})`);
  return `${lake.runs.toLocaleString('en-US')} runs, ${c.title}: strata ${fmt.ms(ours)}; ${against.join('; ')}`;
}

export async function bench(): Promise<BenchSection> {
  const lakes = await buildLakes();
  const lines: string[] = [];
  const loadBefore = loadavg()[0]!;
  for (const lake of lakes) {
    await settleDisk();
    const [date] = strataQuery(lake, `select date_local from runs where proc = 'It' group by 1 order by count(*) desc, 1 limit 1`).trim().split('\n').slice(1);
    for (const c of cases(lake, date!)) lines.push(await measure(lake, c));
  }
  lines.push(
    `medians of ${ROUNDS} interleaved rounds, each a fresh process from the shell; load average ${loadBefore.toFixed(1)} before, ` +
      `${loadavg()[0]!.toFixed(1)} after, on ${cpus().length} cores: on a shared machine the ratios are indicative, the seconds more so`,
  );
  return { title: 'query: strata query against bare DuckDB on the manifest and the files (from the shell)', lines };
}
