// The page's "From code" snippets run as they are on a generated lake: DuckDB here, Polars and pandas in Python.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { copyFileSync, existsSync, mkdirSync, renameSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Engine, sqlLiteral } from '../../src/engine/duckdb.js';
import { getJson, serveGeneratedLake, type ServedLake } from './serve-lake.js';

const python = process.env['STRATA_PYTHON'] ?? ['/work/venv/bin/python', '.venv/bin/python'].find((p) => existsSync(p));
const pythonSkip = python ? false : process.env['STRATA_REQUIRE_PY'] === '1' ? false : 'no Python with polars and pandas (set STRATA_PYTHON)';

describe('From code snippets', () => {
  let s: ServedLake;
  let expected: { runs: number; rows: number };
  let snippets: { duckdb: string; polars: string; pandas: string };
  before(async () => {
    s = await serveGeneratedLake(20);
    const chip = (await getJson(s.server, '/api/chips')).body.chips[0];
    const first = (await getJson(s.server, `/api/chips/${chip.chip_number}/runs?group=${chip.chip_group}`)).body.runs[0];
    const run = (await getJson(s.server, `/api/runs/${first.run_id}`)).body;
    snippets = run.snippets;
    expected = { runs: chip.runs, rows: run.run.rows };
  });
  after(async () => s.close());

  it('DuckDB: the chip query and the run query give the manifest counts', async () => {
    const engine = await Engine.open();
    const conn = await engine.connect();
    const [chipSql, runSql] = snippets.duckdb.split('\n').filter((l) => !l.startsWith('--'));
    assert.equal((await conn.all(chipSql!.replace(/;$/, ''))).length, expected.runs);
    assert.equal((await conn.all(runSql!.replace(/;$/, ''))).length, expected.rows);
    conn.close();
    engine.close();
  });

  for (const lib of ['polars', 'pandas'] as const) {
    it(`${lib}: prints the chip's run count and the run's rows`, { skip: pythonSkip }, async () => {
      assert.ok(python, 'STRATA_REQUIRE_PY=1 but no Python was found');
      // Not execFileSync: blocking this process (the server's too) for seconds outlives its keep-alive sockets.
      const out = (await promisify(execFile)(python, ['-c', snippets[lib]], { encoding: 'utf8' })).stdout.trim();
      assert.equal(out, `${expected.runs} ${expected.rows}`);
    });
  }

  it('DuckDB: a run whose id is all digits keeps it as text (DuckDB would read the folder name as a BIGINT)', async () => {
    const id = '1234567890123456';
    const first = (await getJson(s.server, '/api/search?limit=1')).body.runs[0];
    const row = (await getJson(s.server, `/api/runs/${first.run_id}`)).body.run;
    const relative = String(row.path).replace(/run_id=[^/]+/, `run_id=${id}`);
    mkdirSync(path.dirname(path.join(s.lake.config.stageRoot, relative)), { recursive: true });
    copyFileSync(path.join(s.lake.config.stageRoot, row.path), path.join(s.lake.config.stageRoot, relative));
    const file = s.lake.config.manifestPath;
    const engine = await Engine.open();
    const conn = await engine.connect();
    await conn.run(
      `COPY (SELECT * FROM read_parquet(${sqlLiteral(file)}) UNION ALL
         SELECT * REPLACE (${sqlLiteral(id)} AS run_id, ${sqlLiteral(relative)} AS path) FROM read_parquet(${sqlLiteral(file)}) WHERE run_id = ${sqlLiteral(first.run_id)})
       TO ${sqlLiteral(`${file}.tmp`)} (FORMAT parquet)`,
    );
    renameSync(`${file}.tmp`, file);
    const later = new Date(Date.now() + 5000);
    utimesSync(file, later, later);
    const snippet = (await getJson(s.server, `/api/runs/${id}`)).body.snippets.duckdb as string;
    const runSql = snippet.split('\n').filter((l) => !l.startsWith('--'))[1]!;
    const rows = await conn.all<{ run_id: unknown }>(runSql.replace(/;$/, ''));
    conn.close();
    engine.close();
    assert.ok(rows.length > 0);
    assert.ok(rows.every((r) => r.run_id === id), `run_id read back as ${typeof rows[0]!.run_id} ${String(rows[0]!.run_id)}`);
  });
});
