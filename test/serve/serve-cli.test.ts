// `strata serve` from the command line: its help, bad flags, and a real start on a demo lake that answers and stops.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../support/run-cli.js';

const child = fileURLToPath(new URL('./serve-cli-child.ts', import.meta.url));

describe('strata serve (CLI)', () => {
  it('documents every flag in --help', async () => {
    const run = await runCli(['serve', '--help']);
    assert.equal(run.code, 0);
    for (const flag of ['--data-root', '--manifest', '--stage-root', '--metrics', '--procedures-yaml', '--host', '--port', '--local-tz', '--open', '--json']) {
      assert.match(run.stdout, new RegExp(flag), flag);
    }
  });

  it('exits 2 on bad flags with a sentence', async () => {
    for (const args of [['--port', 'http'], ['--port', '70000'], ['--manifest', 'm.parquet'], ['--data-root', 'd', '--stage-root', 's'], ['--bogus']]) {
      const run = await runCli(['serve', ...args]);
      assert.equal(run.code, 2, args.join(' '));
      assert.match(run.stderr, /\w/);
    }
  });

  it('starts on the lake `strata demo` made, prints its URL as JSON, answers, and stops on SIGTERM', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'strata-serve-cli-'));
    try {
      const demo = await runCli(['demo', dir, '--files', '12']);
      assert.equal(demo.code, 0, demo.stderr);
      assert.match(demo.stderr, new RegExp(`npx strata serve --data-root ${path.join(dir, 'data').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      const proc = spawn(process.execPath, ['--import', 'tsx', child, 'serve', '--data-root', path.join(dir, 'data'), '--port', '0', '--json'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: proc.stdout! }).once('line', resolve);
        proc.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
      });
      const { url } = JSON.parse(line) as { url: string };
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      const chips = (await (await fetch(new URL('/api/chips', url))).json()) as { chips: unknown[] };
      assert.ok(chips.chips.length > 0);
      const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says in a sentence that a busy port is busy, suggests --port, and exits 2 like any unusable flag value', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'strata-serve-busy-'));
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const demo = await runCli(['demo', dir, '--files', '6']);
      assert.equal(demo.code, 0, demo.stderr);
      const run = await runCli(['serve', '--data-root', path.join(dir, 'data'), '--port', String(port)]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use .*--port`));
      assert.doesNotMatch(run.stderr, /unexpected failure|EADDRINUSE/);
      assert.equal(run.stderr.trim().split('\n').length, 1, 'one line');
    } finally {
      holder.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
