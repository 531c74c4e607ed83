// The commands that read a lake take --catalog: they read the runs from PostgreSQL, not from a manifest file (here
// removed after staging, so that only the catalog can answer), and their answers are the catalog's.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { PostgresStageDatabase } from '../../src/load/postgres/postgres-stage-database.js';
import { lastJson, runCli } from '../support/run-cli.js';
import { scratchPostgres } from '../support/scratch-postgres.js';
import { tempDir } from '../support/temp-dir.js';

const CLI = fileURLToPath(new URL('../serve/serve-cli-child.ts', import.meta.url));
const scratch = scratchPostgres('strata_catalog_readers');
const unreachable = await scratch.unreachable();
if (unreachable !== null && process.env['STRATA_REQUIRE_PG'] === '1') throw new Error(`STRATA_REQUIRE_PG=1 but PostgreSQL is unreachable: ${unreachable}`);

describe('reading a lake through its catalog', { skip: unreachable === null ? false : `PostgreSQL is unreachable (${unreachable})` }, () => {
  const root = tempDir();
  const stage = path.join(root, 'lake', 'stage');
  let runs: { chip_name: string | null; proc: string; rows: number }[] = [];
  before(async () => {
    await scratch.create();
    await generateLabCorpus({ root: path.join(root, 'raw'), files: 40, seed: 77, badFiles: false });
    const staged = await runCli(['stage', '--raw-root', path.join(root, 'raw'), '--stage-root', stage, '--catalog', scratch.url, '--settle', '0', '--json']);
    assert.equal(staged.code, 0, staged.stderr);
    // Only the catalog can answer from now on.
    rmSync(path.join(root, 'lake', '_manifest', 'manifest.parquet'));
    const db = await PostgresStageDatabase.open(scratch.url);
    try {
      runs = (await db.query('SELECT chip_name, proc, rows FROM strata.runs')) as typeof runs;
    } finally {
      await db.close();
    }
    assert.equal(runs.length, 40);
  });
  after(() => scratch.drop());

  it('history and inspect-manifest list the runs the catalog holds', async () => {
    const chip = runs.find((r) => r.chip_name !== null)!.chip_name!;
    const history = await runCli(['history', chip, '--catalog', scratch.url, '--format', 'json', '--out', path.join(root, 'h.json'), '--json']);
    assert.equal(history.code, 0, history.stderr);
    assert.equal(lastJson<{ runs: number }>(history).runs, runs.filter((r) => r.chip_name === chip).length);
    const inspect = await runCli(['inspect-manifest', '--json'], { env: { STRATA_CATALOG: scratch.url } });
    assert.equal(inspect.code, 0, inspect.stderr);
    assert.equal(lastJson<{ runs: number }>(inspect).runs, runs.length);
  });

  it('query reads the runs and their data files (named for their attempts) from the catalog', async () => {
    const count = await runCli(['query', 'SELECT count(*) AS n, sum("rows") AS r FROM runs', '--catalog', scratch.url, '--stage-root', stage, '--format', 'csv']);
    assert.equal(count.code, 0, count.stderr);
    assert.equal(count.stdout.trim(), `n,r\n${runs.length},${runs.reduce((s, r) => s + Number(r.rows), 0)}`);
    const proc = runs[0]!.proc;
    const rows = await runCli(['query', `SELECT count(*) AS n FROM "${proc}"`, '--catalog', scratch.url, '--stage-root', stage, '--format', 'csv']);
    assert.equal(rows.code, 0, rows.stderr);
    assert.equal(rows.stdout.trim(), `n\n${runs.filter((r) => r.proc === proc).reduce((s, r) => s + Number(r.rows), 0)}`);
  });

  it('validate-manifest checks the catalog against the data files: clean, then a run whose file is gone', async () => {
    const clean = await runCli(['validate-manifest', '--catalog', scratch.url, '--stage-root', stage, '--json']);
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.equal(lastJson<{ runs: number }>(clean).runs, runs.length);
    const dataFiles = readdirSync(stage, { recursive: true }).map(String).filter((f) => f.endsWith('.parquet')).sort();
    rmSync(path.join(stage, dataFiles[0]!));
    const broken = await runCli(['validate-manifest', '--catalog', scratch.url, '--stage-root', stage, '--json']);
    assert.equal(broken.code, 1);
    const { findings } = lastJson<{ findings: { kind: string; path: string }[] }>(broken);
    assert.deepEqual(findings.map((f) => [f.kind, f.path]), [['missing_parquet', dataFiles[0]!.split(path.sep).join('/')]]);
    assert.match(broken.stdout + broken.stderr, /the catalog at /);
  });

  it('serve shows the runs the catalog holds', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'serve', '--catalog', scratch.url, '--stage-root', stage, '--port', '0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout! }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
      });
      const { url } = JSON.parse(line) as { url: string };
      const chips = (await (await fetch(new URL('/api/chips', url))).json()) as { chips: { runs: number }[] };
      assert.equal(chips.chips.reduce((s, c) => s + c.runs, 0), runs.filter((r) => r.chip_name !== null).length);
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });
});
