// `validate` + `load` of a 1,000,000-row landed CSV against DuckDB's own `INSERT ... read_csv` and PostgreSQL's COPY,
// each in its own process, interleaved; and the two ways of typing the cells (DuckDB's casts, JavaScript's) compared.
import { createReadStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Engine, sqlLiteral } from '../src/engine/duckdb.js';
import { rowCaster, type RowIssue } from '../src/landed/cast-cells.js';
import { SQL_TYPES, parseDatasetRules, type DatasetRule, type DatasetRules } from '../src/landed/dataset-rules.js';
import type { LandedLog } from '../src/landed/landed-log.js';
import { validateFiles } from '../src/landed/validate-file.js';
import { loadPeriod } from '../src/load/load-period.js';
import { openStageDatabase, type StageDatabaseAddress } from '../src/load/open-stage-database.js';
import { scratchPostgres } from '../test/support/scratch-postgres.js';
import { fmt, inChild, type ChildRun } from './harness.js';

const HERE = fileURLToPath(import.meta.url);
const ROWS = 1_000_000;
/** Rounds of strata against each database's own load; the slow JavaScript typing gets fewer. */
const ROUNDS = 5;
const TYPING_ROUNDS = 3;
const PERIOD = '2024-06';
const COLUMNS = {
  id: 'int',
  account: 'int',
  amount: 'float',
  fee: 'float',
  customer: 'str',
  city: 'str',
  ordered_on: 'date',
  shipped_on: 'date',
  paid: 'bool',
  score: 'float',
} as const;
const TABLE_SQL = Object.entries(COLUMNS)
  .map(([name, type]) => `${name} ${SQL_TYPES[type]}`)
  .join(', ');

function rules(dataRoot: string): DatasetRules {
  const yaml = { datasets: { orders: { file_pattern: '^orders_(?<period>\\d{4}-\\d{2})\\.csv$', table: 'orders', required_headers: ['id'], columns: COLUMNS, primary_key: ['id'] } } };
  return parseDatasetRules(yaml, path.join(dataRoot, 'datasets.yml'));
}

/**
 * The landed file: what a bank or shop exports, with 1 row in 10,000 wrong (a 31st of June, `n/a` for a number, a
 * repeated key), and the same rows without them for PostgreSQL's COPY, which stops at the first bad row.
 */
async function writeLandedCsv(file: string, clean: string): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const engine = await Engine.open();
  try {
    const conn = await engine.connect();
    const rows = `SELECT i, CASE WHEN i % 20000 = 19 THEN i - 1 ELSE i END AS id, i % 9973 AS account, round((i * 7919) % 100000 / 100.0, 2)::DOUBLE AS amount,
        (i % 500) / 100.0::DOUBLE AS fee, 'customer-' || (i % 250000) AS customer, ['Santiago', 'Valparaíso', 'Concepción', 'Temuco'][(i % 4) + 1] AS city,
        strftime(DATE '2024-06-01' + (i % 30)::INT, '%Y-%m-%d') AS ordered_on,
        CASE WHEN i % 10000 = 7 THEN '2024-06-31' ELSE strftime(DATE '2024-06-01' + (i % 28 + 2)::INT, '%Y-%m-%d') END AS shipped_on,
        CASE WHEN i % 3 = 0 THEN 'yes' ELSE 'no' END AS paid, CASE WHEN i % 10000 = 11 THEN 'n/a' ELSE sin(i)::VARCHAR END AS score
      FROM range(${ROWS}) t(i)`;
    await conn.run(`COPY (SELECT * EXCLUDE (i) FROM (${rows})) TO ${sqlLiteral(file)} (HEADER, DELIMITER ',')`);
    await conn.run(`COPY (SELECT * EXCLUDE (i) FROM (${rows}) WHERE i % 10000 NOT IN (7, 11) AND i % 20000 <> 19) TO ${sqlLiteral(clean)} (HEADER, DELIMITER ',')`);
    conn.close();
  } finally {
    engine.close();
  }
}

const quietLog: LandedLog = { logIngestion: async () => {}, logValidation: async () => {} };

/**
 * CPU time of the whole child process so far (its JavaScript and DuckDB's threads): on a shared machine the wall
 * clock moves with the other jobs, CPU time far less.
 */
function cpuMs(): number {
  const usage = process.resourceUsage();
  return (usage.userCPUTime + usage.systemCPUTime) / 1000;
}

/** In a child: `strata validate` then `strata load` (as the library runs them), each timed. */
export async function strataValidateAndLoad(file: string, dataRoot: string, address: StageDatabaseAddress) {
  const result = await validateAndLoad(file, dataRoot, address);
  return { ...result, cpuMs: cpuMs() };
}

async function validateAndLoad(file: string, dataRoot: string, address: StageDatabaseAddress) {
  const datasets = rules(dataRoot);
  const start = performance.now();
  const [outcome] = await validateFiles([file], { rules: datasets, dataRoot, log: quietLog });
  const validated = performance.now();
  if (outcome?.status !== 'ok') throw new Error(outcome?.reason ?? 'validate gave nothing');
  const db = await openStageDatabase(address);
  try {
    const loaded = await loadPeriod({ dataset: datasets.datasets[0]!, period: PERIOD, dataRoot, db });
    return { validateMs: validated - start, loadMs: performance.now() - validated, rows: loaded.rowsInserted, rejected: outcome.rowsRejected };
  } finally {
    await db.close();
  }
}

/** In a child: the baseline on DuckDB, its own typed read of the CSV, rows it cannot type set aside (store_rejects). */
export async function duckdbInsertReadCsv(file: string, dbFile: string) {
  const engine = await Engine.open(dbFile);
  try {
    const conn = await engine.connect();
    await conn.run(`CREATE TABLE orders (${TABLE_SQL})`);
    const [inserted] = await conn.all<{ Count: number }>(`INSERT INTO orders SELECT * FROM read_csv(${sqlLiteral(file)}, store_rejects = true)`);
    conn.close();
    engine.close();
    return { rows: inserted?.Count ?? 0, cpuMs: cpuMs() };
  } catch (error) {
    engine.close();
    throw error;
  }
}

/** In a child: the baseline on PostgreSQL, COPY of the rows that type (COPY stops at the first one that does not). */
export async function postgresCopy(clean: string, url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP TABLE IF EXISTS orders_copy; CREATE TABLE orders_copy (${TABLE_SQL})`);
    const copy = client.query(copyFrom('COPY orders_copy FROM STDIN (FORMAT csv, HEADER)'));
    await pipeline(createReadStream(clean), copy);
    // The server's CPU is not the client's: PostgreSQL's COPY is compared by the wall clock only.
    return { rows: copy.rowCount, cpuMs: Number.NaN };
  } finally {
    await client.end();
  }
}

/**
 * In a child: the other way to type the cells, in JavaScript: csv-parse's rows through cast-cells.ts into typed
 * columns appended to DuckDB, then the same Parquet. Its rejects are written beside, to compare with strata's.
 */
export async function javascriptTyping(file: string, dataRoot: string) {
  const dataset: DatasetRule = rules(dataRoot).datasets[0]!;
  const engine = await Engine.open(':memory:', { threads: 2 });
  try {
    const conn = await engine.connect();
    await conn.run(`CREATE TABLE cleaned (${TABLE_SQL})`);
    const parser = createReadStream(file).pipe(parseCsv({ bom: true, relax_column_count: true, skip_empty_lines: true }));
    const typed: Record<string, (text: string) => unknown> = { int: BigInt, float: Number, bool: (t) => t === 'true', date: (t) => new Date(`${t}T00:00:00Z`), str: (t) => t };
    const toValue = dataset.columns.map((c) => (text: string | null) => (text === null ? null : typed[c.type]!(text)));
    let cast: ReturnType<typeof rowCaster> | undefined;
    const issues: RowIssue[] = [];
    let batch: unknown[][] = [];
    let row = 0;
    for await (const cells of parser as AsyncIterable<string[]>) {
      row += 1;
      if (cast === undefined) {
        cast = rowCaster(dataset, cells);
        continue;
      }
      const result = cast(row, cells);
      if (!result.ok) issues.push(...result.issues);
      else batch.push(result.cells.map((text, i) => toValue[i]!(text)));
      if (batch.length === 10_000) {
        await conn.appendJsRows('cleaned', batch as never);
        batch = [];
      }
    }
    await conn.appendJsRows('cleaned', batch as never);
    await conn.run(`COPY (SELECT *, ${sqlLiteral(PERIOD)} AS _data_period FROM cleaned) TO ${sqlLiteral(path.join(dataRoot, 'js.parquet'))} (FORMAT parquet)`);
    writeFileSync(path.join(dataRoot, 'js-rejects.csv'), stringify(issues.map((i) => [i.row, i.column, i.value, i.reason]), { header: true, columns: ['row', 'column', 'value', 'reason'] }));
    conn.close();
    return { rejected: new Set(issues.map((i) => i.row)).size };
  } finally {
    engine.close();
  }
}

/** In a child: strata's validate alone, for the comparison with javascriptTyping on the same file. */
export async function strataValidate(file: string, dataRoot: string) {
  const [outcome] = await validateFiles([file], { rules: rules(dataRoot), dataRoot, log: quietLog });
  return { rejected: outcome?.rowsRejected ?? -1 };
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Round {
  readonly strata: ChildRun<Awaited<ReturnType<typeof strataValidateAndLoad>>>;
  readonly baseline: ChildRun<{ rows: number; cpuMs: number }>;
}

function ratioLines(label: string, rounds: readonly Round[], baselineName: string): string[] {
  const ratios = rounds.map((r) => r.strata.ms / r.baseline.ms);
  const cpu = rounds.map((r) => r.strata.result.cpuMs / r.baseline.result.cpuMs);
  const last = rounds[rounds.length - 1]!;
  return [
    `${label}: strata validate + load / ${baselineName}, wall clock per round: ${ratios.map(fmt.ratio).join(', ')}; median ${fmt.ratio(median(ratios))} (target <= 2x)` +
      (cpu.every(Number.isFinite) ? `; CPU time per round: ${cpu.map(fmt.ratio).join(', ')}; median ${fmt.ratio(median(cpu))}` : ''),
    `${label}: last round strata ${fmt.ms(last.strata.ms)} (validate ${fmt.ms(last.strata.result.validateMs)}, load ${fmt.ms(last.strata.result.loadMs)}, ` +
      `${last.strata.result.rows.toLocaleString('en-US')} rows, ${last.strata.result.rejected} rejected, peak ${fmt.mb(last.strata.peakMb)}); ` +
      `${baselineName} ${fmt.ms(last.baseline.ms)} (${last.baseline.result.rows.toLocaleString('en-US')} rows, peak ${fmt.mb(last.baseline.peakMb)})`,
  ];
}

export async function landedLoadLines(dir: string): Promise<string[]> {
  const file = path.join(dir, 'landed', `orders_${PERIOD}.csv`);
  const clean = path.join(dir, 'orders-clean.csv');
  await writeLandedCsv(file, clean);
  const lines: string[] = [];

  // The two ways of typing, on the same file, interleaved; they must give the same rejects.
  const typing: { duckdb: number[]; js: number[] } = { duckdb: [], js: [] };
  for (let round = 0; round < TYPING_ROUNDS; round += 1) {
    typing.duckdb.push(inChild(HERE, 'strataValidate', [file, dir]).ms);
    typing.js.push(inChild(HERE, 'javascriptTyping', [file, dir]).ms);
    if (round === 0) {
      const same = readFileSync(path.join(dir, 'stage', 'rejects', 'orders', `${PERIOD}.csv`), 'utf8') === readFileSync(path.join(dir, 'js-rejects.csv'), 'utf8');
      lines.push(`validate, DuckDB typing (read_csv as text, then regexp + TRY_CAST) vs typed columns in JavaScript (csv-parse + cast-cells.ts + appender): same rejects: ${same ? 'yes' : 'NO'}`);
    }
  }
  lines.push(`validate: DuckDB typing ${fmt.ms(median(typing.duckdb))}, JavaScript typing ${fmt.ms(median(typing.js))} (medians of ${TYPING_ROUNDS}); JavaScript / DuckDB ${fmt.ratio(median(typing.js) / median(typing.duckdb))}`);

  const duckdb: Round[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    const databases = path.join(dir, `duckdb-${round}`);
    mkdirSync(databases, { recursive: true });
    duckdb.push({
      baseline: inChild(HERE, 'duckdbInsertReadCsv', [file, path.join(databases, 'baseline.duckdb')]),
      strata: inChild(HERE, 'strataValidateAndLoad', [file, dir, { kind: 'duckdb', file: path.join(databases, 'strata.duckdb') }]),
    });
    rmSync(databases, { recursive: true, force: true });
  }
  lines.push(...ratioLines('DuckDB', duckdb, 'INSERT ... read_csv'));

  const scratch = scratchPostgres('strata_bench_landed');
  const problem = await scratch.unreachable();
  if (problem !== null) return [...lines, `PostgreSQL skipped: ${problem}`];
  await scratch.create();
  try {
    const postgres: Round[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      postgres.push({
        baseline: inChild(HERE, 'postgresCopy', [clean, scratch.url]),
        strata: inChild(HERE, 'strataValidateAndLoad', [file, dir, { kind: 'postgres', url: scratch.url }]),
      });
    }
    lines.push(...ratioLines('PostgreSQL', postgres, 'COPY'));
  } finally {
    await scratch.drop();
  }
  return lines;
}
