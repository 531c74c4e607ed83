// Delivery at least once, effect exactly once: stager processes killed (SIGKILL) at seeded moments and one stalled
// past its lease (SIGSTOP) while files arrive; at the end every source file is one run of its latest version,
// naming one data file, and after the sweep no other data file is left.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openPostgresSession } from '../../src/catalog/postgres/postgres-session.js';
import { tempDir } from '../support/temp-dir.js';
import { scratchCatalogSuite, childOutput, scratchCatalogDatabase, skipWithoutPostgres, sourceFiles, spawnCatalogChild } from './catalog-fixtures.js';

const scratch = scratchCatalogDatabase();
const skip = await skipWithoutPostgres(scratch);

/** Every file under `root`, as the sweeper's listing gives them. */
function listDataFiles(root: string): { path: string; modified: Date }[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => {
      const file = path.join(e.parentPath, e.name);
      return { path: path.relative(root, file).split(path.sep).join('/'), modified: statSync(file).mtime };
    });
}

describe('staging through the catalog with stagers that die and stall', { skip }, () => {
  const opened = scratchCatalogSuite(scratch);

  it('ends with exactly one run per source file, of its latest version, and one live data file each', async () => {
    const catalog = await opened.open();
    const dir = tempDir('strata-catalog-lake-');
    const waves = 5;
    const perWave = 48;
    let seed = 7;
    const kills: string[] = [];
    const running = new Set<ChildProcess>();
    const finished: Promise<unknown>[] = [];
    let arriving = true;
    const spawnStager = () => {
      const child = spawnCatalogChild({ cmd: 'stage-loop', url: scratch.url, dir, batch: 8, lease: 1, seed: seed++, dieOneIn: 6 });
      running.add(child);
      finished.push(
        childOutput(child).then(({ signal }) => {
          running.delete(child);
          if (signal === 'SIGKILL') kills.push(`stager ${child.pid}`);
        }),
      );
    };
    for (let i = 0; i < 3; i++) spawnStager();
    // Files arrive in waves; each wave also brings a new version of files from the wave before.
    const arrivals = (async () => {
      for (let wave = 0; wave < waves; wave++) {
        await catalog.enqueue(sourceFiles(perWave, `wave${wave}`));
        if (wave > 0) await catalog.enqueue(sourceFiles(perWave / 3, `wave${wave - 1}`, 1.8e12));
        await sleep(400);
      }
      arriving = false;
    })();
    // One stager is stalled past its lease once, then resumed: its late commits must be refused.
    const stall = (async () => {
      await sleep(3_000);
      const victim = [...running][0];
      if (victim === undefined) return false;
      victim.kill('SIGSTOP');
      await sleep(2_000);
      victim.kill('SIGCONT');
      return true;
    })();
    // Stagers that died (or ran out of work while files still arrive) are replaced until all is done.
    for (;;) {
      await sleep(200);
      const status = await catalog.status();
      const waiting = status.queued + status.claimed + status.expired;
      if (!arriving && waiting === 0 && running.size === 0) break;
      while (running.size < 3 && (arriving || waiting > 0)) spawnStager();
    }
    await arrivals;
    assert.equal(await stall, true, 'a stager was stalled');
    await Promise.all(finished);
    assert.ok(kills.length >= 2, `stagers were killed at least twice (${kills.length})`);

    const versions = waves * perWave + (waves - 1) * (perWave / 3);
    const status = await catalog.status();
    assert.deepEqual([status.done, status.rejected, status.queued, status.claimed], [versions, 0, 0, 0], 'every version finished');

    const runs = await catalog.runs();
    assert.equal(runs.length, waves * perWave, 'one run per source file');
    assert.equal(new Set(runs.map((r) => r.run_id)).size, runs.length, 'no run id twice');
    const changed = runs.filter((r) => r.source_mtime_ms === 1.8e12).map((r) => r.source_file);
    assert.equal(changed.length, (waves - 1) * (perWave / 3), 'the changed files’ runs are of their latest version');
    const session = await openPostgresSession(scratch.url);
    try {
      const [latest] = await session.query<{ stale: number }>(
        `SELECT count(*)::int AS stale FROM strata.runs r
          WHERE r._source_version <> (SELECT max(id) FROM strata.source_files s WHERE s.source_file = r.source_file)`,
      );
      assert.equal(latest!.stale, 0, 'each run comes from its source’s latest version');
    } finally {
      await session.close();
    }

    const live = new Set(runs.map((r) => r.path));
    const before = listDataFiles(dir);
    assert.ok([...live].every((p) => before.some((f) => f.path === p)), 'every run’s data file is there');
    assert.ok(before.length > live.size, 'dead attempts left data files behind');
    for await (const orphan of catalog.orphanDataFiles(listDataFiles(dir), { minAgeMs: 0, clockSkewMs: 0 })) {
      rmSync(path.join(dir, ...orphan.split('/')));
    }
    assert.deepEqual(listDataFiles(dir).map((f) => f.path).sort(), [...live].sort(), 'after the sweep, exactly the live files');
  });
});
