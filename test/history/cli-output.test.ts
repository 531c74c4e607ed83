// The CLI's output rules: a closed stdout ends a command quietly (exit 0), and with --json the summary is the only stdout line.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';
import { manifestRow, writeTestManifest } from './manifest-fixtures.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs `strata ARGS | head -1` in a shell with pipefail, so the exit code is strata's. */
function strataIntoHead(args: readonly string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `const { main } = await import(${JSON.stringify(path.join(root, 'src/cli/main.ts'))}); process.exitCode = await main(process.argv.slice(1));`;
  const quoted = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
  const command = [process.execPath, '--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script, ...args].map(quoted).join(' ');
  const child = spawn('bash', ['-c', `set -o pipefail; ${command} | head -1`], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

/** A manifest big enough that its CSV does not fit in a pipe's buffer. */
async function bigManifest(): Promise<string> {
  const manifest = path.join(tempDir(), 'manifest.parquet');
  const rows = Array.from({ length: 4000 }, (_, i) => manifestRow({ start: new Date(Date.UTC(2025, 8, 4) + i * 60_000).toISOString(), fileIdx: i, chip: 60 + (i % 5) }));
  await writeTestManifest(manifest, rows);
  return manifest;
}

describe('a closed stdout', () => {
  it('ends `inspect-manifest --format csv | head -1` and `history 61 | head -1` quietly with exit 0', async () => {
    const manifest = await bigManifest();
    for (const args of [
      ['inspect-manifest', '--manifest', manifest, '--format', 'csv'],
      ['history', '61', '--manifest', manifest, '--format', 'json'],
      ['--help'],
    ]) {
      const run = await strataIntoHead(args, path.dirname(manifest));
      assert.equal(run.stderr, '', `${args[0]}: nothing on stderr`);
      assert.equal(run.code, 0, args[0]);
      assert.equal(run.stdout.split('\n').length, 2, 'head printed one line');
    }
  });
});

describe('--json', () => {
  it('is the one and only stdout line of history and inspect-manifest; a table goes to stderr', async () => {
    const manifest = path.join(tempDir(), 'manifest.parquet');
    await writeTestManifest(manifest, [manifestRow({ start: '2025-09-04T13:00:00Z', fileIdx: 1 }), manifestRow({ start: '2025-09-04T14:00:00Z', fileIdx: 2 })]);
    for (const args of [['history', '67'], ['inspect-manifest']]) {
      const run = await runCli([...args, '--manifest', manifest, '--json']);
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout.split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 1, `${args[0]} --json printed ${lines.length} stdout lines`);
      assert.equal((JSON.parse(lines[0]!) as { runs: number }).runs, 2);
      assert.match(run.stderr, /2 runs, 2 with light/);
    }
  });

  it('is the only stdout line of histories, export-metadata and parity too', async () => {
    const dir = tempDir();
    const manifest = path.join(dir, 'manifest.parquet');
    await writeTestManifest(manifest, [manifestRow({ start: '2025-09-04T13:00:00Z', fileIdx: 1 })]);
    mkdirSync(path.join(dir, 'old'));
    for (const args of [['histories', '--out-dir', 'h'], ['export-metadata', '--out-dir', 'd'], ['parity', '--legacy-histories', 'old']]) {
      const run = await runCli([...args, '--manifest', manifest, '--json'], { cwd: dir });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stdout.split('\n').filter((l) => l !== '').length, 1, args[0]);
      JSON.parse(run.stdout);
    }
  });

  it('with --format json or csv writes the runs to --out and refuses to put two documents on stdout', async () => {
    const dir = tempDir();
    const manifest = path.join(dir, 'manifest.parquet');
    await writeTestManifest(manifest, [manifestRow({ start: '2025-09-04T13:00:00Z', fileIdx: 1 })]);
    const refused = await runCli(['history', '67', '--manifest', manifest, '--format', 'json', '--json']);
    assert.equal(refused.code, 2);
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /--format json with --json needs --out FILE/);
    const written = await runCli(['inspect-manifest', '--manifest', manifest, '--format', 'json', '--json', '--out', 'runs.json'], { cwd: dir });
    assert.equal(written.code, 0, written.stderr);
    assert.equal(written.stdout.trim().split('\n').length, 1);
    assert.equal((JSON.parse(readFileSync(path.join(dir, 'runs.json'), 'utf8')) as unknown[]).length, 1);
  });
});
