// The page's "From code" snippets run as they are on a generated lake: DuckDB here, Polars and pandas in Python.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Engine } from '../../src/engine/duckdb.js';
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
    it(`${lib}: prints the chip's run count and the run's rows`, { skip: pythonSkip }, () => {
      assert.ok(python, 'STRATA_REQUIRE_PY=1 but no Python was found');
      const out = execFileSync(python, ['-c', snippets[lib]], { encoding: 'utf8' }).trim();
      assert.equal(out, `${expected.runs} ${expected.rows}`);
    });
  }
});
