// Two strata processes on one stage database: the second waits for the first, says so, and gives up at its timeout.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { lastJson, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';
import { writeCitizensParquet, writeCitizensRules } from './load-fixtures.js';

const holderScript = fileURLToPath(new URL('./hold-duckdb-file.ts', import.meta.url));

/** Another process holding the DuckDB file for `ms`; resolves once it has it open. */
async function holdDuckDbFile(file: string, ms: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', holderScript, file, String(ms)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  assert.equal(chunk.toString().trim(), 'ready');
  return child;
}

async function loadSetup() {
  const dir = tempDir();
  writeCitizensRules(dir, 'people');
  const parquet = await writeCitizensParquet(path.join(dir, 'stage', 'cleaned', 'people', '2024-01.parquet'), { period: '2024-01', rows: 20, seed: 1 });
  const file = path.join(dir, 'strata.duckdb');
  const load = (extra: readonly string[], onStderr?: (text: string) => void) =>
    runCli(['load', '--dataset', 'people', '--period', '2024-01', '--data-root', dir, '--datasets', path.join(dir, 'datasets.yml'), '--db', `duckdb:${file}`, '--json', ...extra], { cwd: dir, onStderr });
  return { dir, file, parquet, load };
}

describe('two strata processes on one DuckDB file', () => {
  it('the second load waits for the first to close the file, says so on stderr, then loads', async () => {
    const { file, load } = await loadSetup();
    const holder = await holdDuckDbFile(file, 60_000);
    const exited = once(holder, 'exit');
    // The holder lets go once the load has said that it waits.
    const run = await load(['--lock-timeout', '30'], (text) => {
      if (/waiting for /.test(text)) holder.stdin!.end();
    });
    await exited;
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /waiting for .*strata\.duckdb: it is in use by .*\(PID \d+\) \(up to 30 s\)/);
    assert.equal(lastJson(run)['rows_inserted'], 20);
  });

  it('gives up at --lock-timeout with a sentence naming the file, never DuckDB\'s raw lock error', async () => {
    const { file, load } = await loadSetup();
    const holder = await holdDuckDbFile(file, 20_000);
    try {
      const started = Date.now();
      const run = await load(['--lock-timeout', '0.5']);
      assert.equal(run.code, 1);
      assert.ok(Date.now() - started < 10_000, 'it gave up at its timeout');
      assert.match(run.stderr, /the DuckDB database .*strata\.duckdb is still in use by .*\(PID \d+\) after 0.5 s; try again when it is done \(or raise --lock-timeout\)/);
      assert.doesNotMatch(run.stderr, /Could not set lock/);
    } finally {
      holder.kill();
    }
  });
});
