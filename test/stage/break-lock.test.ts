// --break-lock is for a run that is dead: a run holding the lock on this machine that is seen running is left
// alone, and the user is told so, not that it "was stopped".
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { STAGE_LOCK_NAME } from '../../src/lake/stage-lock.js';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';

const LOCK_MODULE = new URL('../../src/lake/stage-lock.ts', import.meta.url).href;

describe('strata stage --break-lock', () => {
  it('leaves the lock of a run that is running on this machine, and says that run goes on', { timeout: 60_000 }, async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    await generateLabCorpus({ root: raw, files: 2, seed: 5 });
    const stageRoot = path.join(root, 'lake', 'stage');
    // Another stage run, alive: it holds the lock until it is ended.
    const script = `const { acquireStageLock } = await import(${JSON.stringify(LOCK_MODULE)});
      acquireStageLock(${JSON.stringify(stageRoot)}); console.log('holding'); setInterval(() => {}, 1000);`;
    const holder = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
      const lock = path.join(stageRoot, STAGE_LOCK_NAME);
      const before = readFileSync(lock, 'utf8');
      const run = await runCli(['stage', '--raw-root', raw, '--stage-root', stageRoot, '--settle', '0', '--break-lock']);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, new RegExp(`process ${holder.pid} .* on this machine, is running, so it was not stopped and still holds the lock`));
      assert.doesNotMatch(run.stderr, /was stopped into/);
      assert.equal(readFileSync(lock, 'utf8'), before, 'the running holder keeps its lock');
      assert.equal(holder.exitCode, null, 'and runs on');
    } finally {
      holder.kill('SIGKILL');
    }
    await new Promise((resolve) => holder.once('exit', resolve));
    // Once it is dead, --break-lock (or no flag at all: its process is gone) takes the lock.
    const after = await runCli(['stage', '--raw-root', raw, '--stage-root', stageRoot, '--settle', '0', '--break-lock', '--json']);
    assert.equal(after.code, 0, after.stderr);
  });
});
