// `strata stage --watch`: a resident stager that stages files as they arrive and settle, and stops cleanly on a signal.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { readManifestIndex } from '../../src/lake/manifest-index.js';
import { tempDir } from '../support/temp-dir.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'serve', 'serve-cli-child.ts');

interface Watcher {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

function startWatcher(raw: string, stage: string, extra: readonly string[] = []): Watcher {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, 'stage', '--watch', '--raw-root', raw, '--stage-root', stage, '--settle', '0.3', '--poll-ms', '200', '--status-seconds', '1', '--workers', '2', '--json', ...extra],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const csvFiles = (dir: string) => readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.csv')).sort();

describe('strata stage --watch', () => {
  it('stages files as they arrive, once each, prints a JSON line per file, and ends with exit 0 on SIGTERM', async () => {
    const root = tempDir();
    const source = path.join(root, 'generated');
    await generateLabCorpus({ root: source, files: 24, seed: 2024, badFiles: false });
    const raw = path.join(root, 'raw');
    mkdirSync(raw);
    const stage = path.join(root, 'lake', 'stage');
    const manifest = path.join(root, 'lake', '_manifest', 'manifest.parquet');
    const watcher = startWatcher(raw, stage);
    const files = csvFiles(source);
    const arrive = (some: readonly string[]) => {
      for (const f of some) {
        mkdirSync(path.dirname(path.join(raw, f)), { recursive: true });
        cpSync(path.join(source, f), path.join(raw, f));
      }
    };
    // Two waves, the second once the first is in the manifest.
    arrive(files.slice(0, 10));
    await until('the first wave in the manifest', async () => existsSync(manifest) && (await readManifestIndex(manifest)).size === 10);
    arrive(files.slice(10));
    await until('every file in the manifest', async () => (await readManifestIndex(manifest)).size === files.length);
    await until('a status line (one a second)', () => /staged \d+, rejected 0, waiting \d+/.test(watcher.stderr()));
    watcher.child.kill('SIGTERM');
    assert.equal(await watcher.exited, 0, watcher.stderr());
    const lines = watcher.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const summary = lines.pop()!;
    assert.equal(summary.ok, files.length);
    assert.deepEqual(lines.filter((l) => l.kind === 'ok').map((l) => l.source_file).sort(), files);
    const index = await readManifestIndex(manifest);
    assert.deepEqual([...index.keys()].sort(), files);
    // The lake is free again, and a watcher started on it stages nothing twice.
    const again = startWatcher(raw, stage);
    await until('the second watcher to make a pass', () => /staged 0, rejected 0/.test(again.stderr()));
    again.child.kill('SIGINT');
    assert.equal(await again.exited, 0, again.stderr());
    const said = again.stdout().trim().split('\n').map((l) => JSON.parse(l) as { kind?: string; ok?: number });
    assert.equal(said.pop()!.ok, 0);
    // Pass after pass, the unchanged files are said once, not once a pass.
    assert.deepEqual(said.map((l) => l.kind), ['unchanged']);
  });
  it('between whole walks a minute apart, stages what arrives by walking the folders the file system says changed', async () => {
    const root = tempDir();
    const source = path.join(root, 'generated');
    await generateLabCorpus({ root: source, files: 12, seed: 99, badFiles: false });
    const raw = path.join(root, 'raw');
    mkdirSync(raw);
    const manifest = path.join(root, 'lake', '_manifest', 'manifest.parquet');
    const watcher = startWatcher(raw, path.join(root, 'lake', 'stage'), ['--poll-ms', '60000']);
    await until('the first (whole) walk', () => /staged 0, rejected 0/.test(watcher.stderr()), 30_000);
    const files = csvFiles(source);
    // Into two new folders and then into the first again, each wave once the one before is in the manifest: no
    // whole walk comes within the minute, so only walks of the changed folders can find them.
    const into = (folder: string, some: readonly string[]) => some.map((f) => `${folder}/${path.basename(f)}`);
    const waves = [into('wave-1', files.slice(0, 4)), into('wave-2', files.slice(4, 8)), into('wave-1', files.slice(8))];
    let staged = 0;
    for (const [i, wave] of waves.entries()) {
      for (const f of wave) {
        mkdirSync(path.dirname(path.join(raw, f)), { recursive: true });
        cpSync(path.join(source, files.find((s) => s.endsWith(`/${path.basename(f)}`))!), path.join(raw, f));
      }
      staged += wave.length;
      await until(`wave ${i + 1} in the manifest`, async () => existsSync(manifest) && (await readManifestIndex(manifest)).size === staged, 20_000);
    }
    watcher.child.kill('SIGTERM');
    assert.equal(await watcher.exited, 0, watcher.stderr());
    const summary = JSON.parse(watcher.stdout().trim().split('\n').pop()!) as { ok: number; gone: number };
    assert.deepEqual({ ok: summary.ok, gone: summary.gone }, { ok: files.length, gone: 0 });
  });
  it('ends with exit 0 on a SIGTERM sent the moment it says it is watching', async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    mkdirSync(raw);
    const watcher = startWatcher(raw, path.join(root, 'lake', 'stage'));
    // A supervisor may stop a stager as soon as it says it watches: by then its signals must be handled.
    let sent = false;
    watcher.child.stderr!.on('data', () => {
      if (!sent && watcher.stderr().includes('Watching ')) sent = watcher.child.kill('SIGTERM');
    });
    assert.equal(await watcher.exited, 0, watcher.stderr());
    assert.match(watcher.stderr(), /Stopping: finishing the files in hand/);
  });
});
