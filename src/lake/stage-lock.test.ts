import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { generateLabCorpus } from '../demo/generate-lab-corpus.js';
import { runCli } from '../../test/support/run-cli.js';
import { tempDir } from '../../test/support/temp-dir.js';
import { acquireStageLock, STAGE_LOCK_NAME, STALE_AFTER_MS } from './stage-lock.js';

const lockOf = (stageRoot: string) => path.join(stageRoot, STAGE_LOCK_NAME);
const holder = (fields: Record<string, unknown>) => `${JSON.stringify({ tool: 'strata', host: hostname(), pid: process.pid, started: new Date().toISOString(), ...fields })}\n`;

describe('the stage lock', () => {
  it('records host, pid and start time, and is gone after release', () => {
    const root = tempDir();
    const lock = acquireStageLock(root);
    const written = JSON.parse(readFileSync(lockOf(root), 'utf8')) as Record<string, unknown>;
    assert.deepEqual([written['tool'], written['host'], written['pid']], ['strata', hostname(), process.pid]);
    assert.ok(Math.abs(Date.parse(String(written['started'])) - (Date.now() - process.uptime() * 1000)) < 3000);
    assert.throws(() => acquireStageLock(root), /another strata stage run \(process \d+ on .*\) holds the lock .*\.strata-stage\.lock; wait for it to finish, or, if that run is dead, run again with --break-lock\./);
    lock.release();
    assert.equal(existsSync(lockOf(root)), false);
  });

  it('takes over a lock whose pid belongs to a process that is not strata (echo 1 > lock)', () => {
    const root = tempDir();
    writeFileSync(lockOf(root), '1\n');
    const lock = acquireStageLock(root);
    assert.equal(JSON.parse(readFileSync(lockOf(root), 'utf8')).pid, process.pid);
    lock.release();
  });

  it('takes over a lock whose pid is alive but started at another time (a reused pid)', async () => {
    const root = tempDir();
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      writeFileSync(lockOf(root), holder({ pid: other.pid, started: '2020-01-01T00:00:00.000Z' }));
      acquireStageLock(root).release();
    } finally {
      other.kill();
    }
  });

  it('is held by a live run of another process, and names that process', async () => {
    const root = tempDir();
    const module = new URL('./stage-lock.ts', import.meta.url).href;
    const script = `const { acquireStageLock } = await import(${JSON.stringify(module)});
      acquireStageLock(${JSON.stringify(root)}); console.log('locked'); setTimeout(() => {}, 30000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      assert.throws(() => acquireStageLock(root), new RegExp(`process ${child.pid} on ${hostname()}, started .*holds the lock ${lockOf(root).replaceAll('.', '\\.')}`));
    } finally {
      child.kill();
    }
  });

  it("on another machine: held while its heartbeat is fresh, stale once it is older than the limit", () => {
    const root = tempDir();
    writeFileSync(lockOf(root), holder({ host: 'lab-pc-7', pid: 4242 }));
    assert.throws(() => acquireStageLock(root), /process 4242 on lab-pc-7/);
    const old = new Date(Date.now() - STALE_AFTER_MS - 5000);
    utimesSync(lockOf(root), old, old);
    acquireStageLock(root).release();
  });

  it('--break-lock takes a lock that seems held, and sweeps the dead run\'s temp files', () => {
    const root = tempDir();
    writeFileSync(lockOf(root), holder({ host: 'lab-pc-7', pid: 4242 }));
    mkdirSync(path.join(root, 'proc=It'));
    writeFileSync(path.join(root, 'proc=It', '.x.parquet.strata-tmp-4242-dead'), 'half');
    const lock = acquireStageLock(root, { breakLock: true });
    assert.equal(lock.sweptTempFiles, 1);
    lock.release();
  });

  it('strata stage refuses a held lock naming its path (exit 2), and --break-lock stages', async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    await generateLabCorpus({ root: raw, files: 2, seed: 3 });
    const stageRoot = path.join(root, 'lake', 'stage');
    mkdirSync(stageRoot, { recursive: true });
    writeFileSync(lockOf(stageRoot), holder({ host: 'lab-pc-7', pid: 4242 }));
    const args = ['stage', '--raw-root', raw, '--stage-root', stageRoot, '--settle', '0', '--json'];
    const refused = await runCli(args);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, new RegExp(`holds the lock ${lockOf(stageRoot).replaceAll('.', '\\.')}.*--break-lock`));
    const broken = await runCli([...args, '--break-lock']);
    assert.equal(broken.code, 0, broken.stderr);
    assert.equal(existsSync(lockOf(stageRoot)), false);
    assert.match((await runCli(['pipeline', '--help'])).stdout, /--break-lock/);
  });

  it('lets exactly one of several processes racing for a stale lock take it', async () => {
    const root = tempDir();
    writeFileSync(lockOf(root), '99999999');
    const module = new URL('./stage-lock.ts', import.meta.url).href;
    // A taker keeps the lock (and stays alive) until the test ends it, so a late starter cannot find it stale.
    const script = `const { acquireStageLock } = await import(${JSON.stringify(module)});
      try { acquireStageLock(${JSON.stringify(root)}); console.log('took'); setInterval(() => {}, 1000); }
      catch (e) { console.log(/holds the lock/.test(e.message) ? 'held' : 'error ' + e.message); }`;
    const children = Array.from({ length: 4 }, () => spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] }));
    try {
      const said = await Promise.all(children.map((c) => new Promise<string>((resolve) => c.stdout.once('data', (d: Buffer) => resolve(d.toString().trim())))));
      assert.deepEqual(said.sort(), ['held', 'held', 'held', 'took']);
    } finally {
      for (const child of children) child.kill();
    }
  });
});
