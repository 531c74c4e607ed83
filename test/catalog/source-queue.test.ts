// The work queue's front: discoverers offering source file versions, any number at once, and stagers woken by NOTIFY.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openPostgresSession } from '../../src/catalog/postgres/postgres-session.js';
import type { WakeReason } from '../../src/catalog/postgres/work-listener.js';
import { StrataError } from '../../src/errors.js';
import { scratchCatalogSuite, childOutput, scratchCatalogDatabase, skipWithoutPostgres, sourceFiles, spawnCatalogChild } from './catalog-fixtures.js';

const scratch = scratchCatalogDatabase();
const skip = await skipWithoutPostgres(scratch);

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

describe('the source queue', { skip }, () => {
  const opened = scratchCatalogSuite(scratch);

  it('queues each version once, however often it is offered', async () => {
    const catalog = await opened.open({ schema: 'once' });
    const files = sourceFiles(100);
    assert.deepEqual(await catalog.enqueue(files), { offered: 100, queued: 100 });
    assert.deepEqual(await catalog.enqueue([...files, ...files]), { offered: 200, queued: 0 });
    assert.equal((await catalog.status()).queued, 100);
  });

  it('queues a file whose size or mtime changed as a new version', async () => {
    const catalog = await opened.open({ schema: 'changed' });
    const [file] = sourceFiles(1);
    await catalog.enqueue([file!]);
    const result = await catalog.enqueue([{ ...file!, mtimeMs: file!.mtimeMs + 0.5 }, { ...file!, size: file!.size + 1 }, file!]);
    assert.equal(result.queued, 2);
    assert.equal((await catalog.status()).queued, 3);
  });

  it('costs one round trip per batch of paths, not one per file', async () => {
    const catalog = await opened.open({ schema: 'trips' });
    const before = catalog.roundTrips();
    const result = await catalog.enqueue(sourceFiles(12_000), 5_000);
    assert.equal(result.queued, 12_000);
    assert.equal(catalog.roundTrips() - before, 3);
  });

  it('takes two discoverers offering overlapping files at the same moment, each version queued once', async () => {
    await opened.open({ schema: 'strata' });
    // Files 0-3999 and, backwards, 2000-5999 of the same folder.
    const outputs = await Promise.all([
      childOutput(spawnCatalogChild({ cmd: 'enqueue', url: scratch.url, folder: 'both', from: 0, to: 4_000, batch: 500 })),
      childOutput(spawnCatalogChild({ cmd: 'enqueue', url: scratch.url, folder: 'both', from: 2_000, to: 6_000, reverse: true, batch: 500 })),
    ]);
    const queued = outputs.map((o) => (o.lines[0] as { queued: number }).queued);
    assert.equal(queued[0]! + queued[1]!, 6_000, `queued by each: ${queued.join(', ')}`);
    const session = await openPostgresSession(scratch.url);
    try {
      const [row] = await session.query<{ n: number; distinct: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT source_file)::int AS distinct FROM strata.source_files WHERE source_file LIKE 'both/%'`,
      );
      assert.deepEqual(row, { n: 6_000, distinct: 6_000 });
    } finally {
      await session.close();
    }
  });

  it('refuses a source key that would climb out of the raw root, before sending anything', async () => {
    const catalog = await opened.open({ schema: 'keys' });
    for (const sourceFile of ['../etc/passwd.csv', '/abs/file.csv', 'a/../../b.csv', 'a\\b.csv', '', 'a//b.csv']) {
      await assert.rejects(catalog.enqueue([{ sourceFile, size: 1, mtimeMs: 1 }]), (e: unknown) => e instanceof StrataError && /relative to the raw root/.test(e.message), sourceFile);
    }
    await assert.rejects(catalog.enqueue([{ sourceFile: 'ok.csv', size: -1, mtimeMs: 1 }]), /whole size/);
    await assert.rejects(catalog.enqueue([{ sourceFile: 'ok.csv', size: 1, mtimeMs: 1, sha1: 'XYZ' }]), /SHA-1/);
    assert.equal((await catalog.status()).queued, 0);
  });

  it('wakes a listening stager when versions are queued, and not when nothing new was offered', async () => {
    const catalog = await opened.open({ schema: 'wake' });
    const wakes: WakeReason[] = [];
    const listener = catalog.listen({ onWake: (reason) => wakes.push(reason) });
    try {
      await until(() => wakes.includes('listening'), 'LISTEN');
      const files = sourceFiles(3);
      await catalog.enqueue(files);
      await until(() => wakes.includes('notified'), 'the notification');
      await catalog.enqueue(files);
      await sleep(300);
      assert.deepEqual(wakes, ['listening', 'notified']);
    } finally {
      await listener.close();
    }
  });

  it('listens again after its connection is killed, and wakes the stager when it does', async () => {
    const catalog = await opened.open({ schema: 'relisten' });
    const wakes: WakeReason[] = [];
    const troubles: string[] = [];
    const listener = catalog.listen({ onWake: (reason) => wakes.push(reason), onTrouble: (message) => troubles.push(message), retryMs: 20 });
    const session = await openPostgresSession(scratch.url);
    try {
      await until(() => listener.listening(), 'LISTEN');
      const killed = await session.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'strata-catalog-listener' AND datname = current_database()`,
      );
      assert.equal(killed.length, 1);
      await until(() => wakes.filter((w) => w === 'listening').length === 2, 'the second LISTEN');
      assert.ok(troubles.length >= 1, 'the lost connection was told');
      await catalog.enqueue(sourceFiles(1, 'after'));
      await until(() => wakes.includes('notified'), 'a notification after the reconnect');
    } finally {
      await listener.close();
      await session.close();
    }
  });
});
