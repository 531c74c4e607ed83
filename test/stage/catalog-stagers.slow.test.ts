// Many stagers, one lake: `strata stage --watch --catalog` processes and a discoverer stage files that arrive over
// time, while one stager is killed (kill -9) at seeded moments and another stalls past its lease (SIGSTOP). At the
// end every source file is exactly one run naming exactly one data file, and after the sweep no other file is left;
// validate-manifest, through the catalog and through the snapshot, finds nothing wrong.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { generateLabCorpus } from '../../src/demo/generate-lab-corpus.js';
import { seededRandom } from '../../src/demo/seeded-random.js';
import { Engine, sqlLiteral } from '../../src/engine/duckdb.js';
import { queryPostgres as query, scratchPostgres } from '../support/scratch-postgres.js';
import { tempDir } from '../support/temp-dir.js';
import { openLakeStorage } from '../../src/storage/open-lake-storage.js';
import type { LakeStorage } from '../../src/storage/lake-storage.js';
import { scratchBucket, skipWithoutS3 } from '../storage/s3-fixtures.js';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'serve', 'serve-cli-child.ts');
/** Files in the run: the slow suite stages 20,000 (STRATA_CATALOG_FILES), the everyday one a few hundred. */
const FILES = Number(process.env['STRATA_CATALOG_FILES'] ?? 360);
const LEASE_SECONDS = 3;

const unreachable = await scratchPostgres('strata_catalog_probe').unreachable();
const required = process.env['STRATA_REQUIRE_PG'] === '1';
if (unreachable !== null && required) throw new Error(`STRATA_REQUIRE_PG=1 but PostgreSQL is unreachable: ${unreachable}`);
const skip = unreachable === null ? false : `PostgreSQL is unreachable (${unreachable})`;
const skipS3 = skip || (await skipWithoutS3());

interface Process {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** A watching process has said that it watches (its signal handlers are in place); others at once. */
  readonly ready: Promise<void>;
}

function strata(args: readonly string[]): Process {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: process.env });
  let stderr = '';
  let onReady = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  if (!args.includes('--watch')) onReady();
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
    if (stderr.includes('Watching ')) onReady();
  });
  // 'close', not 'exit': by then all the child said is read, which is what a failure must show.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stderr })));
  void exited.then(() => onReady());
  return { child, exited, ready };
}

/**
 * The scenario, on a lake at `lakeRoot` (a folder, as a shared mount is, or an S3 location): its stage root is
 * `<lakeRoot>/stage`; `storage` reads what the stagers wrote there.
 */
async function manyStagers(catalogUrl: string, lakeRoot: string, storage: LakeStorage): Promise<void> {
  const root = tempDir();
  const source = path.join(root, 'arriving');
  await generateLabCorpus({ root: source, files: FILES, seed: 4242, badFiles: false });
  const files = readdirSync(source, { recursive: true }).map(String).filter((f) => f.endsWith('.csv')).sort();
  const raw = path.join(root, 'raw');
  const stage = `${lakeRoot}/stage`;
  mkdirSync(raw);
  const common = ['--raw-root', raw, '--stage-root', stage, '--catalog', catalogUrl, '--settle', '0.2', '--poll-ms', '200'];
  // Not --quiet: a watching process says when it watches, and only then is a SIGTERM a request to finish.
  const stagerArgs = ['stage', '--watch', ...common, '--status-seconds', '3600', '--role', 'stage', '--lease', String(LEASE_SECONDS), '--batch', '16', '--workers', '1'];
  const discoverer = strata(['stage', '--watch', ...common, '--status-seconds', '3600', '--role', 'discover']);
  const stagers = [strata(stagerArgs), strata(stagerArgs), strata(stagerArgs)];
  const random = seededRandom(99);

  // Files arrive in waves while one stager is killed twice (and replaced) and another stalls past its lease.
  const waves = 6;
  for (let wave = 0; wave < waves; wave++) {
    for (const f of files.slice((wave * files.length) / waves, ((wave + 1) * files.length) / waves)) {
      mkdirSync(path.dirname(path.join(raw, f)), { recursive: true });
      cpSync(path.join(source, f), path.join(raw, f));
    }
    if (wave === 1 || wave === 3) {
      await sleep(200 + random.next() * 800);
      stagers[0]!.child.kill('SIGKILL');
      assert.equal((await stagers[0]!.exited).signal, 'SIGKILL');
      stagers[0] = strata(stagerArgs);
    }
    if (wave === 2) {
      stagers[1]!.child.kill('SIGSTOP');
      await sleep(LEASE_SECONDS * 1000 * 2);
      stagers[1]!.child.kill('SIGCONT');
    }
    await sleep(300);
  }
  const runs = async () => Number((await query<{ n: string }>(catalogUrl, 'SELECT count(*) n FROM strata.runs'))[0]!.n);
  const deadline = Date.now() + 1_800_000;
  while ((await runs()) < files.length && Date.now() < deadline) await sleep(500);
  await Promise.all([discoverer, ...stagers].map((p) => p.ready));
  for (const p of [discoverer, ...stagers]) p.child.kill('SIGTERM');
  for (const p of [discoverer, ...stagers]) {
    const { code, signal, stderr } = await p.exited;
    assert.equal(code, 0, `${signal === null ? '' : `ended by ${signal}: `}${stderr}`);
  }
  // Past every lease: a last one-shot run snapshots the manifest and sweeps what no run names.
  await sleep(LEASE_SECONDS * 2000 + 500);
  const last = strata(['stage', ...common, '--quiet', '--lease', String(LEASE_SECONDS)]);
  const lastRun = await last.exited;
  assert.equal(lastRun.code, 0, lastRun.stderr);

  const rows = await query<{ source_file: string; run_id: string; path: string }>(catalogUrl, 'SELECT source_file, run_id, path FROM strata.runs');
  assert.deepEqual(rows.map((r) => r.source_file).sort(), files, 'one run per source file, every one of them');
  assert.equal(new Set(rows.map((r) => r.run_id)).size, rows.length, 'no run id twice');
  const versions = await query<{ state: string; n: string }>(catalogUrl, 'SELECT state, count(*) n FROM strata.source_files GROUP BY state');
  assert.deepEqual(versions.map((v) => [v.state, Number(v.n)]), [['done', files.length]], 'every version done, once');
  const stored: string[] = [];
  for await (const object of storage.list('stage/proc=')) stored.push(object.path.slice('stage/'.length));
  assert.deepEqual(stored.filter((p) => p.endsWith('.parquet')).sort(), rows.map((r) => r.path).sort(), 'exactly the live data files, no orphan');
  const manifestBytes = await storage.get('_manifest/manifest.parquet');
  assert.ok(manifestBytes, 'manifest.parquet is written beside the stage root');
  const manifest = path.join(root, 'manifest.parquet');
  writeFileSync(manifest, manifestBytes);
  const engine = await Engine.open();
  try {
    const conn = await engine.connect();
    const [snapshot] = await conn.all<{ n: number; ids: number }>(`SELECT count(*)::INT n, count(DISTINCT run_id)::INT ids FROM read_parquet(${sqlLiteral(manifest)})`);
    assert.deepEqual(snapshot, { n: files.length, ids: files.length }, 'manifest.parquet is the catalog, as a snapshot');
  } finally {
    engine.close();
  }
  const validated = strata(['validate-manifest', '--catalog', catalogUrl, '--stage-root', stage]);
  const checked = await validated.exited;
  assert.equal(checked.code, 0, `validate-manifest --catalog: ${checked.stderr}`);
}

describe('stagers on many machines sharing one lake through the catalog', () => {
  describe('on a shared folder', { skip }, () => {
    const catalog = scratchPostgres('strata_catalog_folder');
    before(() => catalog.create());
    after(() => catalog.drop());

    it('stages every file exactly once while stagers die and stall, and leaves one live data file per run', async () => {
      const lake = tempDir();
      await manyStagers(catalog.url, lake, await openLakeStorage(lake));
      const validated = strata(['validate-manifest', '--manifest', path.join(lake, '_manifest', 'manifest.parquet'), '--stage-root', path.join(lake, 'stage')]);
      const checked = await validated.exited;
      assert.equal(checked.code, 0, checked.stderr);
    });
  });

  describe('on S3', { skip: skipS3 }, () => {
    const catalog = scratchPostgres('strata_catalog_s3');
    const bucket = scratchBucket();
    before(() => catalog.create());
    after(() => catalog.drop());

    it('stages every file exactly once while stagers die and stall, and leaves one live object per run', async () => {
      const lake = bucket.freshLocation('lake');
      await manyStagers(catalog.url, lake, await openLakeStorage(lake, { s3: bucket.settings }));
    });
  });
});
