// Loading a 5,000,000-row, 10-column period into PostgreSQL (COPY) and DuckDB, first load and replace, against batched
// INSERTs; and validate + load of a 1,000,000-row landed CSV against the databases' own CSV loads (load-landed.ts).
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine, sqlLiteral } from '../src/engine/duckdb.js';
import { openStageDatabase, type StageDatabaseAddress } from '../src/load/open-stage-database.js';
import { columnListSql, stageTableName, type StageTable } from '../src/load/stage-database.js';
import { projectRoot } from '../src/version.js';
import { scratchPostgres } from '../test/support/scratch-postgres.js';
import { fmt, inChild, type BenchSection } from './harness.js';
import { landedLoadLines } from './load-landed.js';

const ROWS = 5_000_000;
const BASELINE_ROWS = 200_000;
const ROWS_PER_INSERT = 1_000;
const PERIOD = '2024-06';
const HERE = fileURLToPath(import.meta.url);

const table = (name: string): StageTable => ({
  dataset: name,
  name,
  columns: [
    { name: 'id', type: 'int' },
    { name: 'account', type: 'int' },
    { name: 'amount', type: 'float' },
    { name: 'fee', type: 'float' },
    { name: 'customer', type: 'str' },
    { name: 'city', type: 'str' },
    { name: 'ordered_on', type: 'date' },
    { name: 'shipped_on', type: 'date' },
    { name: 'paid', type: 'bool' },
    { name: 'score', type: 'float' },
  ],
});

async function writePeriodParquet(file: string, rows: number): Promise<void> {
  const engine = await Engine.open();
  const conn = await engine.connect();
  await conn.run(`COPY (
    SELECT i AS id, i % 9973 AS account, round((i * 7919) % 100000 / 100.0, 2)::DOUBLE AS amount, (i % 500) / 100.0::DOUBLE AS fee,
           'customer-' || (i % 250000) AS customer, ['Santiago', 'Valparaíso', 'Concepción', 'Temuco'][(i % 4) + 1] AS city,
           DATE '2024-06-01' + (i % 30)::INT AS ordered_on, DATE '2024-06-01' + (i % 30 + 2)::INT AS shipped_on,
           i % 3 = 0 AS paid, sin(i)::DOUBLE AS score, ${sqlLiteral(PERIOD)} AS _data_period
      FROM range(${rows}) t(i)) TO ${sqlLiteral(file)} (FORMAT parquet)`);
  conn.close();
  engine.close();
}

/** In a child process: first load into an empty table, then replace the same period. */
export async function loadTwice(address: StageDatabaseAddress, name: string, parquetFile: string) {
  const db = await openStageDatabase(address);
  try {
    const timeOne = async () => {
      const start = performance.now();
      const result = await db.replacePeriod({ table: table(name), period: PERIOD, parquetFile });
      return { ms: performance.now() - start, ...result };
    };
    return { first: await timeOne(), replace: await timeOne() };
  } finally {
    await db.close();
  }
}

/** In a child process: the naive way, parameterised multi-row INSERT statements of 1,000 rows each. */
export async function insertBaseline(address: StageDatabaseAddress, name: string, parquetFile: string) {
  const db = await openStageDatabase(address);
  const engine = await Engine.open();
  try {
    const conn = await engine.connect();
    const rows = await conn.all(
      `SELECT * EXCLUDE (_data_period) REPLACE (CAST(ordered_on AS VARCHAR) AS ordered_on, CAST(shipped_on AS VARCHAR) AS shipped_on)
         FROM read_parquet(${sqlLiteral(parquetFile)})`,
    );
    const spec = table(name);
    // Loading an empty file creates the table the way strata does (period column, index); then the rows go in.
    const empty = path.join(path.dirname(parquetFile), `${name}-empty.parquet`);
    await conn.run(`COPY (SELECT * FROM read_parquet(${sqlLiteral(parquetFile)}) LIMIT 0) TO ${sqlLiteral(empty)} (FORMAT parquet)`);
    await db.replacePeriod({ table: spec, period: PERIOD, parquetFile: empty, allowEmpty: true });
    const start = performance.now();
    for (let at = 0; at < rows.length; at += ROWS_PER_INSERT) {
      const batch = rows.slice(at, at + ROWS_PER_INSERT);
      const params = batch.flatMap((r) => [...spec.columns.map((c) => toParam(r[c.name])), PERIOD]);
      const width = spec.columns.length + 1;
      const values = batch.map((_, i) => `(${Array.from({ length: width }, (_, j) => `$${i * width + j + 1}`).join(', ')})`);
      await db.query(`INSERT INTO ${stageTableName(spec)} (${columnListSql(spec)}) VALUES ${values.join(', ')}`, params);
    }
    conn.close();
    return { ms: performance.now() - start, rows: rows.length };
  } finally {
    engine.close();
    await db.close();
  }
}

function toParam(value: unknown): string | number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return String(value);
  return value as string | number;
}

interface Figures {
  readonly label: string;
  readonly lines: string[];
}

function measure(label: string, address: StageDatabaseAddress, big: string, small: string): Figures {
  const loads = inChild<Awaited<ReturnType<typeof loadTwice>>>(HERE, 'loadTwice', [address, 'bench_copy', big]);
  const baseline = inChild<Awaited<ReturnType<typeof insertBaseline>>>(HERE, 'insertBaseline', [address, 'bench_insert', small]);
  const { first, replace } = loads.result;
  const loadRate = (first.rowsInserted * 1000) / first.ms;
  const baselineRate = (baseline.result.rows * 1000) / baseline.result.ms;
  return {
    label,
    lines: [
      `${label} first load: ${first.rowsInserted.toLocaleString('en-US')} rows in ${fmt.ms(first.ms)} (${fmt.rate(first.rowsInserted, first.ms, 'rows')})`,
      `${label} replace of the same period: ${fmt.ms(replace.ms)} (${fmt.rate(replace.rowsInserted, replace.ms, 'rows')}), ${fmt.ratio(replace.ms / first.ms)} the first load (target <= 1.3x)`,
      `${label} baseline, multi-row INSERT of ${ROWS_PER_INSERT.toLocaleString('en-US')} rows per statement on ${baseline.result.rows.toLocaleString('en-US')} rows: ${fmt.rate(baseline.result.rows, baseline.result.ms, 'rows')}`,
      `${label} strata load / baseline: ${fmt.ratio(loadRate / baselineRate)}${label === 'PostgreSQL' ? ' (target >= 10x)' : ''}`,
      `${label} peak memory: ${fmt.mb(loads.peakMb)} for both loads (baseline process ${fmt.mb(baseline.peakMb)})`,
    ],
  };
}

async function postgresFigures(big: string, small: string): Promise<Figures> {
  const scratch = scratchPostgres('strata_bench');
  const problem = await scratch.unreachable();
  if (problem !== null) return { label: 'PostgreSQL', lines: [`PostgreSQL skipped: ${problem}`] };
  await scratch.create();
  try {
    return await measure('PostgreSQL', { kind: 'postgres', url: scratch.url }, big, small);
  } finally {
    await scratch.drop();
  }
}

/** `--landed-only`: validate + load of the landed CSV, without the 5,000,000-row period loads. */
export async function bench(options: readonly string[] = []): Promise<BenchSection> {
  const dir = path.join(projectRoot, '.bench', 'load');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  try {
    // The landed flow comes first; --landed-only runs it alone.
    const landed = await landedLoadLines(path.join(dir, 'landed-flow'));
    if (options.includes('--landed-only')) return { title: 'load: validate + load of a 1,000,000-row landed CSV', lines: landed };
    const big = path.join(dir, 'period-5m.parquet');
    const small = path.join(dir, 'period-200k.parquet');
    await writePeriodParquet(big, ROWS);
    await writePeriodParquet(small, BASELINE_ROWS);
    const postgres = await postgresFigures(big, small);
    const duckdb = measure('DuckDB', { kind: 'duckdb', file: path.join(dir, 'strata-bench.duckdb') }, big, small);
    return {
      title: `load: ${ROWS.toLocaleString('en-US')} rows x 10 columns, one period, into the stage database; validate + load of a 1,000,000-row landed CSV`,
      lines: [...landed, ...postgres.lines, ...duckdb.lines],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
