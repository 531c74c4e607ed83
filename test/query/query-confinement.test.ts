// `strata query` reads the lake and nothing else, writes nothing (not even inside the lake), and runs one statement.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { Engine } from '../../src/engine/duckdb.js';
import { tempDir } from '../support/temp-dir.js';
import { listing, query, smallLake, type SmallLake } from './small-lake.js';

describe('strata query', () => {
  let lake: SmallLake;
  let outside: string;
  let secret: string;
  let lakeBefore: string[];

  before(async () => {
    lake = await smallLake();
    outside = tempDir();
    secret = path.join(outside, 'secret.csv');
    writeFileSync(secret, 'token\nhunter2\n');
    lakeBefore = listing(lake.root);
  });

  /** Runs `sql`, expects a refusal (exit 2) whose one line matches `why`, and that nothing appeared anywhere. */
  async function refused(sql: string, why: RegExp): Promise<void> {
    const run = await query(lake, sql);
    assert.equal(run.code, 2, `${sql}: exit ${run.code}, ${run.stderr}`);
    assert.equal(run.stdout, '', sql);
    assert.match(run.stderr, why, sql);
    assert.equal(run.stderr.trim().split('\n').length, 1, `one sentence for ${sql}: ${run.stderr}`);
    assert.deepEqual(listing(outside), ['secret.csv'], `nothing written outside the lake by ${sql}`);
    assert.deepEqual(listing(lake.root), lakeBefore, `nothing written inside the lake by ${sql}`);
  }

  it('writes no file with COPY ... TO, outside the lake or inside it', async () => {
    await refused(`COPY (SELECT 1) TO '${path.join(outside, 'x.csv')}'`, /runs one query .* writes nothing; DuckDB does not parse this statement as a query/);
    await refused(`COPY (SELECT 1) TO '${path.join(lake.stageRoot, 'x.csv')}'`, /runs one query .* writes nothing; DuckDB does not parse this statement as a query/);
    await refused(`COPY (SELECT * FROM runs) TO '${path.join(lake.stageRoot, 'y.csv')}'`, /writes nothing; DuckDB does not parse this statement as a query/);
    await refused(`EXPORT DATABASE '${path.join(lake.stageRoot, 'export')}'`, /DuckDB does not parse this statement as a query/);
  });

  it('attaches no database and runs one statement only', async () => {
    await refused(`ATTACH '${path.join(outside, 'x.db')}' AS x; CREATE TABLE x.t AS SELECT 1`, /runs one statement, and this SQL holds 2/);
    await refused(`ATTACH '${path.join(lake.stageRoot, 'x.db')}' AS x`, /DuckDB does not parse this statement as a query/);
    await refused(`SELECT 1; SELECT 2`, /runs one statement, and this SQL holds 2/);
    await refused(`CREATE TABLE t AS SELECT 1`, /DuckDB does not parse this statement as a query/);
  });

  it('reads no file outside the lake: read_text, read_csv and a path that climbs out are refused by DuckDB', async () => {
    await refused(`SELECT * FROM read_text('/etc/hostname')`, /Permission Error: Cannot access file "\/etc\/hostname".*reads the lake and nothing else/);
    await refused(`SELECT * FROM read_csv('${secret}')`, /Permission Error: Cannot access file .*secret\.csv/);
    await refused(`SELECT * FROM '${secret}'`, /Permission Error/);
    await refused(`SELECT * FROM read_text('${lake.stageRoot}/../../../../../../../etc/hostname')`, /Permission Error/);
    await refused(`SELECT * FROM glob('${outside}/*')`, /Permission Error/);
  });

  it('installs and loads no extension', async () => {
    await refused('INSTALL httpfs', /DuckDB does not parse this statement as a query/);
    await refused('LOAD httpfs', /DuckDB does not parse this statement as a query/);
  });

  it('cannot set the confining settings back, by SET, RESET or a table function', async () => {
    await refused('SET enable_external_access = true', /DuckDB does not parse this statement as a query/);
    await refused(`SET allowed_directories = ['/']`, /DuckDB does not parse this statement as a query/);
    await refused('RESET lock_configuration', /DuckDB does not parse this statement as a query/);
    await refused(`SELECT * FROM enable_profiling(format = 'json', save_location = '${path.join(lake.stageRoot, 'profile.json')}')`, /does not call enable_profiling\(\)/);
    await refused(`SELECT * FROM enable_logging(storage = 'file', storage_path = '${path.join(lake.stageRoot, 'logs')}')`, /does not call enable_logging\(\)/);
    await refused(`SELECT * FROM query('SELECT * FROM enable_logging()')`, /does not call query\(\)/);
  });

  it('still reads the whole lake: the views, the manifest and the data files by path', async () => {
    const views = await query(lake, `SELECT count(*) AS n FROM It JOIN runs USING (run_id)`, '--format', 'csv');
    assert.equal(views.code, 0, views.stderr);
    const files = await query(lake, `SELECT count(*) AS n FROM read_parquet('${lake.stageRoot}/proc=It/*/*/*.parquet')`, '--format', 'csv');
    assert.equal(files.code, 0, files.stderr);
    assert.equal(files.stdout, views.stdout);
    const manifest = await query(lake, `SELECT count(*) AS n FROM '${lake.manifestPath}'`, '--format', 'csv');
    assert.equal(manifest.code, 0, manifest.stderr);
    assert.deepEqual(listing(lake.root), lakeBefore);
  });
});

describe('a confined engine', () => {
  it('is confined by DuckDB itself: a statement run straight on it cannot read outside its paths or change its settings', async () => {
    const inside = tempDir();
    const outside = tempDir();
    writeFileSync(path.join(inside, 'in.csv'), 'a\n1\n');
    writeFileSync(path.join(outside, 'out.csv'), 'a\n2\n');
    const engine = await Engine.open(':memory:', { confinedTo: { directories: [`${inside}/`], files: [] } });
    try {
      const conn = await engine.connect();
      assert.deepEqual(await conn.all(`SELECT a FROM read_csv('${inside}/in.csv')`), [{ a: 1 }]);
      await assert.rejects(conn.all(`SELECT a FROM read_csv('${outside}/out.csv')`), /Permission Error/);
      await assert.rejects(conn.run('SET enable_external_access = true'), /configuration has been locked/);
      await assert.rejects(conn.run(`SET allowed_directories = ['/']`), /configuration has been locked/);
      await assert.rejects(conn.run(`COPY (SELECT 1) TO '${outside}/copy.csv'`), /Permission Error/);
      await assert.rejects(conn.run('LOAD httpfs'), /Permission Error|disabled/);
      assert.equal(existsSync(path.join(outside, 'copy.csv')), false);
    } finally {
      engine.close();
    }
  });
});
