// The views `strata query` makes: no stored name can break them, and a statement pays only for what it reads.
import assert from 'node:assert/strict';
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { sqlLiteral } from '../../src/engine/duckdb.js';
import { tempDir } from '../support/temp-dir.js';
import { withConn } from '../support/with-duckdb.js';
import { query, smallLake, type SmallLake } from './small-lake.js';

/** The names the issue found staged into lakes written before names were checked, and two that clash. */
const HOSTILE_PROCEDURES = ['', 'x/y', 'a"; DROP VIEW runs; --', 'b.c/../../escaped', 'a[1]', 'runs', 'IT'];

/** Adds a run of each procedure to the manifest, its data file a copy of an It run's, written where its path says. */
async function addHostileRuns(lake: SmallLake, procedures: readonly string[]): Promise<void> {
  await withConn(async (conn) => {
    const [it] = await conn.all<{ path: string }>(`SELECT path FROM read_parquet(${sqlLiteral(lake.manifestPath)}) WHERE proc = 'It' LIMIT 1`);
    const selects = procedures.map((proc, i) => {
      const runId = `ffff${String(i).padStart(12, '0')}`;
      const file = `proc=${proc}/date=2025-01-0${i + 1}/run_id=${runId}/part-000.parquet`;
      mkdirSync(path.dirname(path.join(lake.stageRoot, file)), { recursive: true });
      copyFileSync(path.join(lake.stageRoot, it!.path), path.join(lake.stageRoot, file));
      return `SELECT * REPLACE (${sqlLiteral(proc)} AS proc, ${sqlLiteral(runId)} AS run_id, ${sqlLiteral(file)} AS path)
              FROM read_parquet(${sqlLiteral(lake.manifestPath)}) WHERE path = ${sqlLiteral(it!.path)}`;
    });
    const next = `${lake.manifestPath}.next`;
    await conn.run(`COPY (SELECT * FROM read_parquet(${sqlLiteral(lake.manifestPath)}) UNION ALL ${selects.join(' UNION ALL ')}) TO ${sqlLiteral(next)} (FORMAT parquet)`);
    rmSync(lake.manifestPath);
    cpSync(next, lake.manifestPath);
    rmSync(next);
  });
}

const csvRows = (stdout: string) => stdout.trim().split('\n').slice(1);

describe('the views of a lake holding stored names that are not safe names', () => {
  let lake: SmallLake;
  let runs: number;
  let itRows: string;

  before(async () => {
    lake = await smallLake({ files: 16 });
    const before = await query(lake, 'SELECT count(*) AS n FROM runs', '--format', 'csv');
    runs = Number(csvRows(before.stdout)[0]);
    itRows = (await query(lake, 'SELECT count(*) AS n FROM It', '--format', 'csv')).stdout;
    await addHostileRuns(lake, HOSTILE_PROCEDURES);
  });

  it('still answers SELECT 1, the manifest and the procedures with safe names', async () => {
    const one = await query(lake, 'SELECT 1 AS one', '--format', 'csv');
    assert.equal(one.code, 0, one.stderr);
    assert.equal(one.stdout, 'one\n1\n');
    const all = await query(lake, 'SELECT count(*) AS n FROM runs', '--format', 'csv');
    assert.equal(all.code, 0, all.stderr);
    assert.equal(Number(csvRows(all.stdout)[0]), runs + HOSTILE_PROCEDURES.length);
    const it = await query(lake, 'SELECT count(*) AS n FROM It', '--format', 'csv');
    assert.equal(it.code, 0, it.stderr);
    assert.equal(it.stdout, itRows);
    const hostile = await query(lake, `SELECT count(*) AS n FROM runs WHERE proc = 'a"; DROP VIEW runs; --'`, '--format', 'csv');
    assert.equal(hostile.stdout, 'n\n1\n');
  });

  it('lists the views it can make and says, for each other procedure, why it has none', async () => {
    const tables = await query(lake, 'SHOW TABLES', '--format', 'csv');
    assert.equal(tables.code, 0, tables.stderr);
    const names = csvRows(tables.stdout);
    assert.ok(names.includes('runs') && names.includes('It'), names.join(' '));
    for (const hostile of ['x/y', 'a[1]', 'b.c/../../escaped']) assert.ok(!names.some((n) => n.includes(hostile)), `no view for ${hostile}`);
    const notes = tables.stderr.trim().split('\n');
    assert.equal(notes.length, HOSTILE_PROCEDURES.length, tables.stderr);
    assert.match(tables.stderr, /note: procedure "x\/y" has no view \(its runs are in runs\): a procedure name must be letters/);
    assert.match(tables.stderr, /note: procedure "" has no view/);
    assert.match(tables.stderr, /note: procedure runs has no view of its own: runs is the manifest's view/);
    assert.match(tables.stderr, /note: procedure IT has no view: SQL names ignore case, and the view It has its name/);
  });

  it('refuses with a sentence a query that names a procedure that has no view', async () => {
    const run = await query(lake, 'SELECT count(*) FROM "a""; DROP VIEW runs; --"');
    assert.equal(run.code, 2);
    assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
    assert.match(run.stderr, /^strata: the query failed: Catalog Error: Table with name a"; DROP VIEW runs; -- does not exist! \(views: runs, It, It2, ITt, IV, IVg, IVgT, LaserCalibration, Pt, Tt, Vt, VVg\); procedure "a\\"; DROP VIEW runs; --" has no view/);
  });
});

describe('a lake whose stage root holds glob characters', () => {
  it('reads its own files, not those of a folder the glob would also match', async () => {
    const root = tempDir();
    const lake = await smallLake({ files: 12, root: path.join(root, 'lab [a]') });
    const expected = await query(lake, `SELECT sum("rows") AS n FROM runs WHERE proc = 'It'`, '--format', 'csv');
    // A copy of the lake at `lab a`, which `[a]` matches, whose It files hold one row each.
    const decoy = path.join(root, 'lab a');
    cpSync(path.join(root, 'lab [a]'), decoy, { recursive: true });
    const decoyIt = path.join(decoy, 'lake', 'stage', 'proc=It');
    await withConn(async (conn) => {
      for (const file of readdirSync(decoyIt, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.parquet'))) {
        const target = path.join(decoyIt, file);
        await conn.run(`COPY (SELECT * FROM read_parquet(${sqlLiteral(target)}) LIMIT 1) TO ${sqlLiteral(`${target}.one`)} (FORMAT parquet)`);
        rmSync(target);
        cpSync(`${target}.one`, target);
        rmSync(`${target}.one`);
      }
    });
    const counted = await query(lake, 'SELECT count(*) AS n FROM It', '--format', 'csv');
    assert.equal(counted.code, 0, counted.stderr);
    assert.equal(csvRows(counted.stdout)[0], csvRows(expected.stdout)[0]);
  });
});

describe('what a statement pays for', () => {
  let lake: SmallLake;
  let dates: string[];

  before(async () => {
    lake = await smallLake({ files: 24, days: 3 });
    const run = await query(lake, `SELECT DISTINCT date_local FROM runs WHERE proc = 'It' ORDER BY 1`, '--format', 'csv');
    dates = csvRows(run.stdout);
    assert.ok(dates.length >= 2, `It runs on ${dates.length} dates`);
  });

  /** Makes every data file of the procedure on `date` unreadable (not Parquet). */
  function spoil(proc: string, date: string): void {
    const folder = path.join(lake.stageRoot, `proc=${proc}`, `date=${date}`);
    for (const file of readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.parquet'))) {
      writeFileSync(path.join(folder, file), 'not parquet');
    }
  }

  it('reads the runs the manifest lists, not a stray file in a procedure folder', async () => {
    const stray = path.join(lake.stageRoot, 'proc=It', `date=${dates[0]}`, 'run_id=0123456789abcdef', 'part-000.parquet');
    mkdirSync(path.dirname(stray), { recursive: true });
    writeFileSync(stray, 'not parquet either');
    const day = await query(lake, `SELECT count(DISTINCT run_id) AS r FROM It WHERE date = DATE '${dates[0]}'`, '--format', 'csv');
    assert.equal(day.code, 0, day.stderr);
    const expected = await query(lake, `SELECT count(*) AS r FROM runs WHERE proc = 'It' AND date_local = '${dates[0]}'`, '--format', 'csv');
    assert.equal(day.stdout, expected.stdout);
  });

  it('hands DuckDB only the files of the date a query filters on: a missing file of another date is never looked for', async () => {
    const [first, second] = dates;
    const folder = path.join(lake.stageRoot, 'proc=It', `date=${second}`);
    const [missing] = readdirSync(folder, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.parquet'));
    const gone = path.join(folder, missing!);
    const kept = readFileSync(gone);
    rmSync(gone);
    try {
      const day = await query(lake, `SELECT count(*) AS n FROM It WHERE date = DATE '${first}'`, '--format', 'csv');
      assert.equal(day.code, 0, day.stderr);
      const whole = await query(lake, 'SELECT count(*) AS n FROM It');
      assert.equal(whole.code, 2);
      assert.match(whole.stderr, new RegExp(`the query failed: .*${missing!.split('/')[0]}`));
    } finally {
      writeFileSync(gone, kept);
    }
  });

  it('reads no data file for a query of the manifest, and only the files of the procedure and date a query names', async () => {
    const [first, ...later] = dates;
    for (const date of later) spoil('It', date);
    for (const proc of ['IVg', 'Vt', 'Tt']) {
      const folder = path.join(lake.stageRoot, `proc=${proc}`);
      for (const date of readdirSync(folder)) spoil(proc, date.slice('date='.length));
    }
    const runs = await query(lake, 'SELECT count(*) AS n FROM runs', '--format', 'csv');
    assert.equal(runs.code, 0, runs.stderr);
    const day = await query(lake, `SELECT count(*) AS n, count(DISTINCT run_id) AS r FROM It WHERE date = DATE '${first}'`, '--format', 'csv');
    assert.equal(day.code, 0, day.stderr);
    const expected = await query(lake, `SELECT sum("rows") AS n, count(*) AS r FROM runs WHERE proc = 'It' AND date_local = '${first}'`, '--format', 'csv');
    assert.equal(day.stdout, expected.stdout);
    const whole = await query(lake, 'SELECT count(*) FROM It');
    assert.equal(whole.code, 2, 'the spoilt files are read when the query needs them');
    assert.match(whole.stderr, /the query failed/);
  });
});
