import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { lastJson, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';

describe('strata pipeline', () => {
  it('stages data/01_raw and writes chip histories into data/03_history, with one JSON summary', async () => {
    const cwd = tempDir();
    await generateLabCorpus({ root: path.join(cwd, 'data', '01_raw'), files: 24, chips: 2, days: 2 });
    const run = await runCli(['pipeline', '--settle', '0', '--json'], { cwd });
    assert.equal(run.code, 0, run.stderr);
    const summary = lastJson(run);
    assert.equal(summary['ok'], 24);
    assert.equal(summary['rejected'], 0);
    assert.ok(Number(summary['histories']) >= 1);
    assert.ok(existsSync(path.join(cwd, 'data', '02_stage', '_manifest', 'manifest.parquet')));
    assert.ok(readdirSync(path.join(cwd, 'data', '03_history')).every((f) => /^[A-Z]\w*\d+_history\.csv$/.test(f)));
    const again = await runCli(['pipeline', '--settle', '0', '--json'], { cwd });
    assert.equal(lastJson(again)['skipped'], 24);
    assert.equal(lastJson(again)['renumbered'], 0);
  });

  it('refuses a catalog, before it touches anything, and says which commands take one', async () => {
    const cwd = tempDir();
    await generateLabCorpus({ root: path.join(cwd, 'data', '01_raw'), files: 2 });
    for (const args of [['--catalog', 'postgres://nobody@127.0.0.1:1/none'], []]) {
      const env = args.length === 0 ? { STRATA_CATALOG: 'postgres://nobody@127.0.0.1:1/none' } : {};
      const run = await runCli(['pipeline', '--settle', '0', ...args], { cwd, env });
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, /strata stage --catalog URL` and then `strata histories --catalog URL/);
      assert.equal(existsSync(path.join(cwd, 'data', '02_stage')), false);
    }
  });
});
