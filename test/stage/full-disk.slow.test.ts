// A disk that fills during a stage run (a small tmpfs, mounted for the test): the run stops naming the path that
// filled, releases its lock, leaves no temp file, no empty run folder and no half file, records exactly the runs
// it published, and once there is room again the next run stages every other file, each once.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { Engine } from '../../src/engine/duckdb.js';
import { generateLabCorpus, type GeneratedGoodFile } from '../../src/demo/generate-lab-corpus.js';
import { readManifest } from '../../src/lake/manifest-store.js';
import { STAGE_LOCK_NAME } from '../../src/lake/stage-lock.js';
import { validateManifest } from '../../src/lake/validate-manifest.js';
import { lakeLayout } from '../../src/lake/lake-layout.js';
import { lastJson, runCli } from '../support/run-cli.js';
import { tempDir } from '../support/temp-dir.js';

/** 300 generated files make about 2.5 MB of Parquet: a 1 MB disk fills a third of the way through. */
const FILES = 300;
const SMALL = '1m';
const ROOMY = '64m';

const mounted: string[] = [];
after(() => {
  // Lazily: a file a failed run left open must not keep the mount (and the test's temp folder) behind.
  for (const dir of mounted.reverse()) execFileSync('umount', ['--lazy', dir]);
});

function mountTmpfs(dir: string, size: string): void {
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  mounted.push(dir);
}

/** Why this machine cannot mount a tmpfs (not root, no CAP_SYS_ADMIN, a container without mount), or false. */
function mountSkip(): string | false {
  const probe = tempDir('strata-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'pipe' });
    execFileSync('umount', [probe]);
    return false;
  } catch (error) {
    const reason = `cannot mount a tmpfs here (${(error as Error).message.split('\n')[0]}); set STRATA_REQUIRE_MOUNT=1 to fail instead of skipping`;
    if (process.env['STRATA_REQUIRE_MOUNT'] === '1') throw new Error(`STRATA_REQUIRE_MOUNT=1 but ${reason}`);
    return reason;
  }
}
const skip = mountSkip();

function stage(raw: string, stageRoot: string) {
  return runCli(['stage', '--raw-root', raw, '--stage-root', stageRoot, '--settle', '0', '--workers', '2', '--json']);
}

/** Every file and folder below `root`, relative to it, forward slashes. */
function walk(root: string): { files: string[]; dirs: string[] } {
  const files: string[] = [];
  const dirs: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true, recursive: true })) {
    const rel = path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/');
    (entry.isDirectory() ? dirs : files).push(rel);
  }
  return { files, dirs };
}

/** The run data files below the stage root, after checking none is hidden, half-written, or alone missing from its folder. */
function publishedRuns(stageRoot: string): string[] {
  const { files, dirs } = walk(stageRoot);
  const hidden = files.filter((f) => path.posix.basename(f).startsWith('.'));
  assert.deepEqual(hidden, [], 'no temp file and no lock is left at the stage root');
  const runFolders = dirs.filter((d) => path.posix.basename(d).startsWith('run_id='));
  const data = files.filter((f) => f.endsWith('/part-000.parquet'));
  assert.deepEqual(data.map((f) => path.posix.dirname(f)).sort(), runFolders.sort(), 'every run folder holds its data file, and only run folders hold one');
  for (const file of data) {
    const bytes = readFileSync(path.join(stageRoot, file));
    assert.ok(bytes.length > 8 && bytes.subarray(0, 4).toString('latin1') === 'PAR1' && bytes.subarray(-4).toString('latin1') === 'PAR1', `${file} is whole`);
  }
  return data.sort();
}

/** Each line of the run's events files, parsed: a line cut short by the full disk fails here. */
function events(eventsDir: string): { status: string; path?: string }[] {
  return readdirSync(eventsDir).flatMap((name) =>
    readFileSync(path.join(eventsDir, name), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { status: string; path?: string }),
  );
}

async function corpus(root: string): Promise<{ raw: string; good: GeneratedGoodFile[] }> {
  const raw = path.join(root, 'raw');
  const generated = await generateLabCorpus({ root: raw, files: FILES, seed: 15 });
  return { raw, good: generated.files.filter((f): f is GeneratedGoodFile => f.kind === 'good') };
}

/** After room is made: the next run exits 0 with every good file in the manifest once, and the lake validates clean. */
async function assertFinishedOnce(stageRoot: string, manifestPath: string, good: readonly GeneratedGoodFile[]): Promise<void> {
  const engine = await Engine.open();
  try {
    const conn = await engine.connect();
    const rows = await readManifest(conn, manifestPath);
    assert.equal(rows.length, good.length);
    assert.deepEqual(new Set(rows.map((r) => r.source_file)), new Set(good.map((f) => f.relPath)), 'every raw file staged, each once');
    assert.deepEqual(rows.map((r) => r.path).sort(), publishedRuns(stageRoot));
    assert.deepEqual((await validateManifest(conn, { manifestPath, stageRoot })).findings, []);
  } finally {
    engine.close();
  }
}

describe('a stage run on a disk that fills', { skip }, () => {
  it('with only the stage root on it: stops naming the stage root, records exactly what it published, and the next run finishes', { timeout: 120_000 }, async () => {
    const root = tempDir();
    const { raw, good } = await corpus(root);
    const stageRoot = path.join(root, 'lake', 'stage');
    const manifestPath = path.join(root, 'lake', '_manifest', 'manifest.parquet');
    mountTmpfs(stageRoot, SMALL);

    const full = await stage(raw, stageRoot);
    assert.equal(full.code, 1, full.stderr);
    assert.equal(full.stdout, '', 'no summary for a run that stopped');
    assert.match(full.stderr, /^strata: stopped: .*: its data file could not be written to proc=.*: the disk holding (.*) is full \(ENOSPC\)/);
    assert.ok(full.stderr.includes(`the disk holding ${stageRoot} is full`), full.stderr);
    assert.ok(!existsSync(path.join(stageRoot, STAGE_LOCK_NAME)), 'the lock is released');
    const published = publishedRuns(stageRoot);
    assert.ok(published.length > 0 && published.length < good.length, `the disk filled part way (${published.length} of ${good.length} published)`);
    assert.match(full.stderr, new RegExp(`The ${published.length} run\\(s\\) staged before it are recorded`));

    const engine = await Engine.open();
    try {
      const rows = await readManifest(await engine.connect(), manifestPath);
      assert.deepEqual(rows.map((r) => r.path).sort(), published, 'the manifest holds exactly the runs whose files are published');
    } finally {
      engine.close();
    }
    const recorded = events(path.dirname(manifestPath) + '/events');
    assert.deepEqual(recorded.filter((e) => e.status === 'ok').map((e) => e.path).sort(), published, 'an ok event for each published run');

    execFileSync('mount', ['-o', `remount,size=${ROOMY}`, stageRoot]);
    const next = await stage(raw, stageRoot);
    assert.equal(next.code, 0, next.stderr);
    const summary = lastJson<{ ok: number; skipped: number; adopted: number }>(next);
    assert.deepEqual({ ok: summary.ok, skipped: summary.skipped }, { ok: good.length - published.length, skipped: published.length }, 'no published file is staged again');
    await assertFinishedOnce(stageRoot, manifestPath, good);
  });

  it('with the whole lake on it: stops naming a path on it, keeps the runs it published in the journal, and the next run adopts them', { timeout: 120_000 }, async () => {
    const root = tempDir();
    const { raw, good } = await corpus(root);
    const lake = path.join(root, 'lake');
    const stageRoot = path.join(lake, 'stage');
    const manifestPath = path.join(lake, '_manifest', 'manifest.parquet');
    mountTmpfs(lake, SMALL);

    const full = await stage(raw, stageRoot);
    assert.equal(full.code, 1, full.stderr);
    // What filled first is a data file, the journal, a reject record or the events file: each names its path.
    assert.match(full.stderr, /^strata: stopped: .* is full \(ENOSPC\)\. The \d+ run\(s\) staged before it are recorded/);
    assert.ok(full.stderr.includes(`${lake}/`), full.stderr);
    assert.ok(!existsSync(path.join(stageRoot, STAGE_LOCK_NAME)), 'the lock is released');
    const leftovers = walk(lake).files.filter((f) => f.includes('.strata-tmp-') || f.endsWith('.new') || f.includes('.lock'));
    assert.deepEqual(leftovers, [], 'no temp file and no lock anywhere in the lake');
    const published = publishedRuns(stageRoot);
    assert.ok(published.length > 0 && published.length < good.length, `the disk filled part way (${published.length} of ${good.length} published)`);
    // The manifest cannot be written to a full disk: the journal beside it holds every published run, and no other.
    const journal = readFileSync(lakeLayout({ stageRoot, manifestPath }).journal, 'utf8').split('\n').filter((l) => l !== '');
    assert.deepEqual(journal.map((l) => (JSON.parse(l) as { path: string }).path).sort(), published);
    events(path.join(lake, '_manifest', 'events')); // whatever events reached the disk are whole lines

    const stillFull = await stage(raw, stageRoot);
    assert.equal(stillFull.code, 1);
    assert.match(stillFull.stderr, /could not be written: the disk holding it is full \(ENOSPC\)/);
    assert.ok(!existsSync(path.join(stageRoot, STAGE_LOCK_NAME)), 'a run that cannot start on a full disk leaves no lock either');
    assert.deepEqual(publishedRuns(stageRoot), published);

    execFileSync('mount', ['-o', `remount,size=${ROOMY}`, lake]);
    const next = await stage(raw, stageRoot);
    assert.equal(next.code, 0, next.stderr);
    const summary = lastJson<{ ok: number; adopted: number }>(next);
    assert.deepEqual({ ok: summary.ok, adopted: summary.adopted }, { ok: good.length - published.length, adopted: published.length }, 'the journaled runs are adopted, not staged again');
    await assertFinishedOnce(stageRoot, manifestPath, good);
  });
});
