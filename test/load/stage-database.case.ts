// The loader suite, written once and run against every stage database (DuckDB, PostgreSQL) by its own test file.
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine, sqlLiteral } from '../../src/engine/duckdb.js';
import type { StageDatabase } from '../../src/load/stage-database.js';
import { projectRoot } from '../../src/version.js';
import { lastJson, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';
import {
  EVERY_TYPE_ROWS_SQL,
  citizensTable,
  everyTypeRowsSql,
  everyTypeTable,
  parquetFingerprint,
  stagePeriodFingerprint,
  wholeStageFingerprint,
  writeCitizensParquet,
  writeCitizensRules,
  writeCitizensXlsx,
  writeCsv,
} from './load-fixtures.js';

export interface StageDatabaseTarget {
  /** Once before the suite (a fresh PostgreSQL database, a fresh DuckDB folder) and once after. */
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** Opens the target database, migrated. The caller closes it. */
  open(): Promise<StageDatabase>;
  /** The same database as a `--db` value for the CLI. */
  readonly dbUrl: () => string;
  /** Kills the server connection of `load` while its COPY runs; absent where a load has no connection. */
  readonly killLoadConnection?: (load: Promise<unknown>) => Promise<void>;
}

export function registerStageDatabaseSuite(title: string, target: StageDatabaseTarget, options: { skip?: string | false } = {}): void {
  describe(title, { skip: options.skip ?? false }, () => {
    before(() => target.setup());
    after(() => target.teardown());
    let datasets = 0;
    const nextDataset = () => `citizens_${++datasets}`;

    async function withDb<T>(work: (db: StageDatabase) => Promise<T>): Promise<T> {
      const db = await target.open();
      try {
        return await work(db);
      } finally {
        await db.close();
      }
    }

    /** A dataset with one period already loaded: what every failure must leave exactly as it was. */
    async function loadedDataset(dir: string, period = '2024-01', rows = 50) {
      const name = nextDataset();
      const parquet = await writeCitizensParquet(path.join(dir, `${name}-old.parquet`), { period, rows, seed: 1 });
      return withDb(async (db) => {
        await db.replacePeriod({ table: citizensTable(name), period, parquetFile: parquet });
        return { name, table: citizensTable(name), before: await stagePeriodFingerprint(db, name, period), expected: await parquetFingerprint(parquet) };
      });
    }

    it('migrations create the meta, stage, core and mart schemas and the log tables, and running them again is harmless', async () => {
      await withDb(async (db) => {
        await db.migrate();
        const schemas = (await db.query("SELECT schema_name FROM information_schema.schemata WHERE schema_name IN ('meta', 'stage', 'core', 'mart')")).map((r) => r['schema_name']);
        assert.deepEqual([...schemas].sort(), ['core', 'mart', 'meta', 'stage']);
        const tables = await db.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'meta' ORDER BY table_name");
        assert.deepEqual(tables.map((r) => r['table_name']), ['ingestion_log', 'load_log', 'schema_migrations', 'validation_log']);
      });
    });

    it('a first load of a period inserts exactly the file rows, tagged with a NOT NULL _data_period', async () => {
      const dir = tempDir();
      const { name, before, expected } = await loadedDataset(dir);
      assert.deepEqual(before, expected);
      assert.equal(before.rows, 50);
      // How each database finds a period (an index, a partition, a zonemap) is its own: see its test file.
      await withDb(async (db) => {
        await assert.rejects(db.runScript(name, `INSERT INTO stage."${name}" (citizen_id) VALUES (1)`), /_data_period|NOT NULL|no partition/i);
      });
    });

    it('every column type arrives exactly as in the file: NULLs, int64 ends, -0, NaN, infinities, long and multi-byte strings, old dates', async () => {
      const dir = tempDir();
      const name = nextDataset();
      const file = path.join(dir, 'every-type.parquet');
      const engine = await Engine.open();
      let expected: Record<string, unknown>[];
      try {
        const conn = await engine.connect();
        await conn.run(`COPY (SELECT *, '2024-03' AS _data_period FROM (${EVERY_TYPE_ROWS_SQL})) TO ${sqlLiteral(file)} (FORMAT parquet)`);
        expected = await conn.all(everyTypeRowsSql(`read_parquet(${sqlLiteral(file)})`));
        conn.close();
      } finally {
        engine.close();
      }
      await withDb(async (db) => {
        assert.deepEqual(await db.replacePeriod({ table: everyTypeTable(name), period: '2024-03', parquetFile: file }), { rowsDeleted: 0, rowsInserted: 8 });
        assert.deepEqual(await db.query(everyTypeRowsSql(`stage."${name}"`)), expected);
      });
    });

    it('reloading a period with different data keeps only the new rows for it and leaves other periods untouched', async () => {
      const dir = tempDir();
      const { name, table } = await loadedDataset(dir, '2024-01');
      const february = await writeCitizensParquet(path.join(dir, 'feb.parquet'), { period: '2024-02', rows: 30, seed: 2 });
      const januaryAgain = await writeCitizensParquet(path.join(dir, 'jan2.parquet'), { period: '2024-01', rows: 70, seed: 9 });
      await withDb(async (db) => {
        await db.replacePeriod({ table, period: '2024-02', parquetFile: february });
        const februaryBefore = await stagePeriodFingerprint(db, name, '2024-02');
        const result = await db.replacePeriod({ table, period: '2024-01', parquetFile: januaryAgain });
        assert.deepEqual(result, { rowsDeleted: 50, rowsInserted: 70 });
        assert.deepEqual(await stagePeriodFingerprint(db, name, '2024-01'), await parquetFingerprint(januaryAgain));
        assert.deepEqual(await stagePeriodFingerprint(db, name, '2024-02'), februaryBefore);
        assert.deepEqual(februaryBefore, await parquetFingerprint(february));
      });
    });

    it('a load failing on a type error in its last row leaves the previous rows exactly as they were', async () => {
      const dir = tempDir();
      const { name, table, before } = await loadedDataset(dir);
      const broken = await writeCitizensParquet(path.join(dir, 'broken.parquet'), { period: '2024-01', rows: 2000, seed: 5, breakLastRow: 'type' });
      await withDb(async (db) => {
        await assert.rejects(db.replacePeriod({ table, period: '2024-01', parquetFile: broken }), /not a number|double|convert|invalid/i);
        assert.deepEqual(await stagePeriodFingerprint(db, name, '2024-01'), before);
      });
    });

    it('a connection killed during the COPY leaves the previous rows exactly as they were', { skip: target.killLoadConnection ? false : 'an embedded database has no connection to kill' }, async () => {
      const dir = tempDir();
      const { name, table, before } = await loadedDataset(dir);
      const big = await writeCitizensParquet(path.join(dir, 'big.parquet'), { period: '2024-01', rows: 500_000, seed: 7 });
      await withDb(async (db) => {
        const load = db.replacePeriod({ table, period: '2024-01', parquetFile: big });
        await target.killLoadConnection?.(load);
        await assert.rejects(load, /terminat|connection/i);
        assert.deepEqual(await stagePeriodFingerprint(db, name, '2024-01'), before);
      });
    });

    it('rows of another period are refused before anything is deleted', async () => {
      const dir = tempDir();
      const { name, table, before } = await loadedDataset(dir);
      const mixed = await writeCitizensParquet(path.join(dir, 'mixed.parquet'), { period: '2024-01', rows: 100, seed: 3, breakLastRow: 'period' });
      const other = await writeCitizensParquet(path.join(dir, 'other.parquet'), { period: '2024-02', rows: 10, seed: 3 });
      await withDb(async (db) => {
        await assert.rejects(db.replacePeriod({ table, period: '2024-01', parquetFile: mixed }), /1 of 100 rows are not of period '2024-01'.*refused before anything was deleted/);
        await assert.rejects(db.replacePeriod({ table, period: '2024-01', parquetFile: other }), /10 of 10 rows are not of period '2024-01'/);
        assert.deepEqual(await stagePeriodFingerprint(db, name, '2024-01'), before);
      });
    });

    it('a file with no rows is refused before anything is deleted, and empties the period only with --allow-empty', async () => {
      const dir = tempDir();
      const { name, table, before } = await loadedDataset(dir);
      const source = await writeCitizensParquet(path.join(dir, 'src.parquet'), { period: '2024-01', rows: 3, seed: 6 });
      const empty = path.join(dir, 'empty.parquet');
      const engine = await Engine.open();
      try {
        const conn = await engine.connect();
        await conn.run(`COPY (SELECT * FROM read_parquet(${sqlLiteral(source)}) LIMIT 0) TO ${sqlLiteral(empty)} (FORMAT parquet)`);
        conn.close();
      } finally {
        engine.close();
      }
      await withDb(async (db) => {
        await assert.rejects(db.replacePeriod({ table, period: '2024-01', parquetFile: empty }), /empty\.parquet has no rows: loading it would empty period '2024-01'.*--allow-empty/);
        assert.deepEqual(await stagePeriodFingerprint(db, name, '2024-01'), before);
      });
      writeCitizensRules(dir, name);
      const flags = ['--dataset', name, '--period', '2024-01', '--parquet', empty, '--data-root', dir, '--datasets', path.join(dir, 'datasets.yml'), '--db', target.dbUrl(), '--json'];
      const refused = await runCli(['load', ...flags], { cwd: dir });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /has no rows.*pass --allow-empty/);
      const emptied = await runCli(['load', ...flags, '--allow-empty'], { cwd: dir });
      assert.equal(emptied.code, 0, emptied.stderr);
      assert.deepEqual([lastJson(emptied)['rows_deleted'], lastJson(emptied)['rows_inserted']], [50, 0]);
    });

    it('a --parquet that is not a Parquet file is refused in a sentence naming the file, without DuckDB\'s SQL context, and nothing changes', async () => {
      const dir = tempDir();
      const { name, before } = await loadedDataset(dir);
      writeCitizensRules(dir, name);
      const notParquet = path.join(dir, "it's not parquet.parquet");
      writeFileSync(notParquet, 'citizen_id,first_name\n1,Ana\n');
      const flags = ['--dataset', name, '--period', '2024-01', '--parquet', notParquet, '--data-root', dir, '--datasets', path.join(dir, 'datasets.yml'), '--db', target.dbUrl()];
      const run = await runCli(['load', ...flags], { cwd: dir });
      assert.equal(run.code, 1);
      assert.match(run.stderr, /^strata: .*it's not parquet\.parquet is not a Parquet file strata can read \(No magic bytes found at end of file\); nothing was loaded\n$/);
      assert.doesNotMatch(run.stderr, /LINE 1|read_parquet|\^/);
      await withDb(async (db) => assert.deepEqual(await stagePeriodFingerprint(db, name, '2024-01'), before));
    });

    it('a period that is not a calendar date is refused before the file is read, whatever the database', async () => {
      const dir = tempDir();
      const { name, table, before } = await loadedDataset(dir);
      const odd = await writeCitizensParquet(path.join(dir, 'odd.parquet'), { period: '2024-13', rows: 5, seed: 4 });
      await withDb(async (db) => {
        await assert.rejects(db.replacePeriod({ table, period: '2024-13', parquetFile: odd }), /the period '2024-13' is not a real calendar date/);
        assert.deepEqual(await wholeStageFingerprint(db, name), before);
      });
    });

    it('concurrent loads of one dataset are serialised: the period ends with exactly one file, never a mix', async () => {
      const dir = tempDir();
      const { name, table } = await loadedDataset(dir);
      const files = await Promise.all([11, 12, 13, 14].map((seed) => writeCitizensParquet(path.join(dir, `c${seed}.parquet`), { period: '2024-01', rows: 3000 + seed, seed })));
      await withDb(async (db) => {
        const results = await Promise.all(files.map((parquetFile) => db.replacePeriod({ table, period: '2024-01', parquetFile })));
        // Serialised loads form a chain: each deleted exactly what the one before it inserted (the first, the 50 old rows).
        const pending = files.map((file, i) => ({ file, result: results[i]! }));
        let previous = 50;
        let last = '';
        while (pending.length > 0) {
          const next = pending.findIndex((p) => p.result.rowsDeleted === previous);
          assert.ok(next >= 0, `a load deleted the ${previous} rows the one before it left (got ${JSON.stringify(results)})`);
          const [{ file, result }] = pending.splice(next, 1) as [(typeof pending)[number]];
          previous = result.rowsInserted;
          last = file;
        }
        assert.deepEqual(await stagePeriodFingerprint(db, name, '2024-01'), await parquetFingerprint(last));
      });
    });

    it('the CLI runs ingest, validate, load, transform and publish on the example datasets, one period at a time', async () => {
      const dir = tempDir();
      cpSync(path.join(projectRoot, 'examples', 'datasets'), dir, { recursive: true });
      const flags = ['--datasets', 'datasets.yml', '--data-root', '.', '--db', target.dbUrl(), '--quiet', '--json'];
      const cli = (args: string[]) => runCli([...args, ...flags], { cwd: dir });
      const ingest = await cli(['ingest']);
      assert.equal(ingest.code, 0, ingest.stderr);
      assert.deepEqual([lastJson(ingest)['files'], lastJson(ingest)['ok']], [2, 2]);
      const validate = await cli(['validate']);
      assert.equal(validate.code, 0, validate.stderr);
      assert.deepEqual([lastJson(validate)['rows'], lastJson(validate)['rejected']], [8, 1]);
      const rejects = readFileSync(path.join(dir, 'stage', 'rejects', 'citizens', '2024-01.csv'), 'utf8');
      assert.match(rejects, /^row,column,value,reason\n5,birth_date,1990-13-01,expected a calendar date as YYYY-MM-DD\n$/);
      for (const period of ['2024-01', '2024-02']) assert.equal((await cli(['load', '--dataset', 'citizens', '--period', period])).code, 0);
      assert.equal(lastJson(await cli(['load', '--dataset', 'citizens', '--period', '2024-02']))['rows_deleted'], 4);
      const transform = await cli(['transform', '--dataset', 'citizens', '--period', '2024-01']);
      assert.equal(transform.code, 0, transform.stderr);
      assert.equal((await cli(['publish', '--dataset', 'citizens', '--period', '2024-01'])).code, 0);
      await withDb(async (db) => {
        const core = await db.query('SELECT _data_period, count(*) AS n FROM core.citizens GROUP BY _data_period');
        assert.deepEqual(core.map((r) => [r['_data_period'], Number(r['n'])]), [['2024-01', 3]]);
        const mart = await db.query('SELECT _data_period, citizens, total_income FROM mart.citizen_income');
        assert.deepEqual(mart.map((r) => [r['_data_period'], Number(r['citizens']), Number(r['total_income'])]), [['2024-01', 3, 9450.75]]);
        const names = await db.query("SELECT first_name FROM core.citizens WHERE citizen_id = 5");
        assert.equal(names[0]?.['first_name'], 'Elena');
        const loads = await db.query("SELECT period, rows_inserted, status FROM meta.load_log WHERE dataset = 'citizens' ORDER BY logged_at");
        assert.deepEqual(loads.map((r) => [r['period'], Number(r['rows_inserted']), r['status']]), [['2024-01', 4, 'ok'], ['2024-02', 4, 'ok'], ['2024-02', 4, 'ok']]);
      });
    });

    it('an .xlsx file (its first sheet) validates and loads like a CSV', async () => {
      const dir = tempDir();
      const name = nextDataset();
      writeCitizensRules(dir, name);
      await writeCitizensXlsx(path.join(dir, 'landed', `${name}_2024-03.xlsx`), 'good');
      const flags = ['--data-root', '.', '--db', target.dbUrl(), '--quiet', '--json'];
      assert.equal((await runCli(['validate', ...flags], { cwd: dir })).code, 0);
      const load = await runCli(['load', '--dataset', name, '--period', '2024-03', ...flags], { cwd: dir });
      assert.equal(lastJson(load)['rows_inserted'], 2, load.stderr);
      await withDb(async (db) => {
        const rows = await db.query(`SELECT citizen_id, CAST(birth_date AS VARCHAR) AS d, income FROM stage."${name}" ORDER BY citizen_id`);
        assert.deepEqual(rows.map((r) => [Number(r['citizen_id']), r['d'], Number(r['income'])]), [[1, '1988-04-12', 2150.5], [2, '1975-11-30', 3100]]);
      });
    });

    registerBadInputCases(target, withDb, loadedDataset);
  });
}

type WithDb = <T>(work: (db: StageDatabase) => Promise<T>) => Promise<T>;
type LoadedDataset = (dir: string) => Promise<{ name: string; before: { rows: number; sha256: string } }>;

interface BadInput {
  readonly title: string;
  /** Writes the landed file for dataset `name` and returns its path. */
  readonly write: (landed: string, name: string) => Promise<string>;
  readonly reason: RegExp;
}

const GOOD_HEADER = 'citizen_id,first_name,birth_date,income';
const BAD_INPUTS: readonly BadInput[] = [
  { title: 'a file name that matches no dataset', write: async (l, n) => writeCsv(path.join(l, `${n}-2024-01.csv`), [GOOD_HEADER, '1,a,2000-01-01,1']), reason: /matches no dataset's file_pattern/ },
  { title: 'a missing header', write: async (l, n) => writeCsv(path.join(l, `${n}_2024-01.csv`), ['citizen_id,first_name,birth_date', '1,a,2000-01-01']), reason: /lacks 'income', required by dataset/ },
  { title: 'an xlsx with merged cells', write: (l, n) => writeCitizensXlsx(path.join(l, `${n}_2024-01.xlsx`), 'merged'), reason: /sheet 'citizens' has merged cells \(B2:C2\)/ },
  { title: 'an xlsx with a formula', write: (l, n) => writeCitizensXlsx(path.join(l, `${n}_2024-01.xlsx`), 'formula'), reason: /cell D3 \(=D2\*2\), holds a formula/ },
  { title: 'an empty sheet', write: (l, n) => writeCitizensXlsx(path.join(l, `${n}_2024-01.xlsx`), 'empty'), reason: /sheet 'citizens' is empty/ },
  { title: 'a period in the name that is not a date', write: async (l, n) => writeCsv(path.join(l, `${n}_2024-13.csv`), [GOOD_HEADER, '1,a,2000-01-01,1']), reason: /the period '2024-13' in the file name is not a real calendar date/ },
  {
    title: 'SQL in a header',
    write: async (l, n) => writeCsv(path.join(l, `${n}_2024-01.csv`), [`${GOOD_HEADER},"name""; DROP TABLE x; --"`, '1,a,2000-01-01,1,x']),
    reason: /the header has "name\\"; DROP TABLE x; --", not a column of dataset/,
  },
];

function registerBadInputCases(target: StageDatabaseTarget, withDb: WithDb, loadedDataset: LoadedDataset): void {
  for (const bad of BAD_INPUTS) {
    it(`${bad.title} gives a clear error and a log row, and nothing changes in stage`, async () => {
      const dir = tempDir();
      const { name, before } = await loadedDataset(dir);
      writeCitizensRules(dir, name);
      const file = await bad.write(path.join(dir, 'landed'), name);
      const tablesBefore = await withDb((db) => db.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'stage' ORDER BY table_name"));
      for (const command of ['ingest', 'validate']) {
        const run = await runCli([command, file, '--data-root', dir, '--datasets', path.join(dir, 'datasets.yml'), '--db', target.dbUrl(), '--quiet', '--json'], { cwd: dir });
        assert.equal(run.code, 1, run.stderr);
        assert.match(run.stderr, bad.reason);
        assert.equal(lastJson(run)['refused'], 1);
      }
      assert.equal(existsSync(path.join(dir, 'stage', 'cleaned')), false, 'no cleaned Parquet written');
      await withDb(async (db) => {
        for (const log of ['ingestion_log', 'validation_log']) {
          const rows = await db.query(`SELECT status, reason FROM meta.${log} WHERE file = $1`, [file]);
          assert.equal(rows.length, 1, `one row in meta.${log}`);
          assert.equal(rows[0]?.['status'], 'refused');
          assert.match(String(rows[0]?.['reason']), bad.reason);
        }
        assert.deepEqual(await wholeStageFingerprint(db, name), before);
        assert.deepEqual(await db.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'stage' ORDER BY table_name"), tablesBefore);
      });
    });
  }
}
