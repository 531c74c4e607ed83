// The sweeper's question: which listed data files no run names, and none ever will.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Catalog } from '../../src/catalog/open-catalog.js';
import { commitAttempts, type AttemptOutcome } from '../../src/catalog/commit-attempts.js';
import { openPostgresSession } from '../../src/catalog/postgres/postgres-session.js';
import type { DataFileEntry } from '../../src/catalog/data-file-sweep.js';
import type { ClaimedVersion } from '../../src/catalog/source-claims.js';
import { scratchCatalogSuite, scratchCatalogDatabase, skipWithoutPostgres, sourceFiles, stagedRow, TEST_PARAMETERS } from './catalog-fixtures.js';

const scratch = scratchCatalogDatabase();
const skip = await skipWithoutPostgres(scratch);

const staged = (versions: readonly ClaimedVersion[]): AttemptOutcome[] => versions.map((v) => ({ kind: 'staged', attempt: v, row: stagedRow(v) }));
const ago = (ms: number) => new Date(Date.now() - ms);

async function orphans(catalog: Catalog, listing: Iterable<DataFileEntry> | AsyncIterable<DataFileEntry>, minAgeMs: number, clockSkewMs = 0): Promise<string[]> {
  const found: string[] = [];
  for await (const p of catalog.orphanDataFiles(listing, { minAgeMs, clockSkewMs, batch: 5 })) found.push(p);
  return found.sort();
}

describe('the sweeper’s query', { skip }, () => {
  const opened = scratchCatalogSuite(scratch);
  let n = 0;
  const fresh = () => opened.open({ schema: `sweep_${++n}` });

  it('names the files no run names once they are older than the given age, never a live one', async () => {
    const catalog = await fresh();
    await catalog.enqueue(sourceFiles(3));
    const claim = await catalog.claim({ stager: 't', batch: 3, leaseSeconds: 60 });
    await catalog.commit(staged(claim.versions), TEST_PARAMETERS);
    const live = claim.versions.map((v) => ({ path: stagedRow(v).path, modified: ago(3_600_000) }));
    const listing = [
      ...live,
      { path: 'proc=It/date=2025-09-04/run_id=x/part-old-attempt.parquet', modified: ago(3_600_000) },
      { path: 'proc=It/date=2025-09-04/run_id=x/part-young-attempt.parquet', modified: ago(1_000) },
    ];
    assert.deepEqual(await orphans(catalog, listing, 60_000), ['proc=It/date=2025-09-04/run_id=x/part-old-attempt.parquet']);
  });

  it('keeps a file written since a claim still held began, and lets it go once that claim is done', async () => {
    const catalog = await fresh();
    await catalog.enqueue(sourceFiles(2));
    const held = await catalog.claim({ stager: 'busy', batch: 1, leaseSeconds: 60 });
    const claimedAt = new Date(held.expiresAt.getTime() - 60_000);
    const during = { path: 'proc=It/date=2025-09-04/run_id=y/part-during.parquet', modified: new Date(claimedAt.getTime() + 5) };
    const before = { path: 'proc=It/date=2025-09-04/run_id=y/part-before.parquet', modified: new Date(claimedAt.getTime() - 1_000) };
    await sleep(50);
    assert.deepEqual(await orphans(catalog, [during, before], 0), [before.path]);
    await catalog.commit(staged(held.versions), TEST_PARAMETERS);
    assert.deepEqual(await orphans(catalog, [during, before], 0), [before.path, during.path].sort());
  });

  it('hands claims whose lease ran out back to the queue, and then lets their files go', async () => {
    const catalog = await fresh();
    await catalog.enqueue(sourceFiles(1));
    const dead = await catalog.claim({ stager: 'dead', batch: 1, leaseSeconds: 0.1 });
    const written = { path: stagedRow(dead.versions[0]!).path, modified: new Date() };
    await sleep(300);
    assert.deepEqual(await orphans(catalog, [written], 0), [written.path]);
    const status = await catalog.status();
    assert.deepEqual([status.queued, status.claimed, status.expired], [1, 0, 0]);
    assert.deepEqual((await catalog.commit(staged(dead.versions), TEST_PARAMETERS)).map((r) => r.kind), ['refused'], 'its token is gone for good');
  });

  it('waits for a commit in flight on an expired claim, and keeps the file that commit makes live', async () => {
    const catalog = await fresh();
    await catalog.enqueue(sourceFiles(1));
    const claim = await catalog.claim({ stager: 'slow-commit', batch: 1, leaseSeconds: 0.5 });
    const file = { path: stagedRow(claim.versions[0]!).path, modified: new Date() };
    await catalog.commit([], TEST_PARAMETERS);
    const columns = new Set(Object.keys(stagedRow(claim.versions[0]!)));
    const session = await openPostgresSession(scratch.url);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let fenced!: () => void;
    const inside = new Promise<void>((resolve) => (fenced = resolve));
    // The commit passes its fence inside the lease, then its transaction stays open past the lease.
    const commit = session.transaction(async (tx) => {
      const results = await commitAttempts(tx, catalog.layout, staged(claim.versions), columns);
      fenced();
      await gate;
      return results;
    });
    try {
      await inside;
      await sleep(700);
      let answered = false;
      const sweep = orphans(catalog, [file], 0).then((found) => ((answered = true), found));
      await sleep(300);
      assert.equal(answered, false, 'the sweep waits for the commit holding the claim');
      release();
      assert.deepEqual((await commit).map((r) => r.kind), ['committed']);
      assert.deepEqual(await sweep, [], 'the file the commit made live is no orphan');
    } finally {
      release();
      await commit.catch(() => {});
      await session.close();
    }
  });

  it('reads the listing as it comes (an async iterable), asking in batches', async () => {
    const catalog = await fresh();
    async function* listing(): AsyncGenerator<DataFileEntry> {
      for (let i = 0; i < 12; i++) yield { path: `proc=It/date=2025-09-04/run_id=z/part-${i}.parquet`, modified: ago(10_000) };
    }
    const before = catalog.roundTrips();
    assert.equal((await orphans(catalog, listing(), 1_000)).length, 12);
    assert.equal(catalog.roundTrips() - before, 4, 'one to hand lapsed claims back, then one per batch of 5');
  });

  it('gives the turn to sweep to one stager at a time, and only once nobody has swept for the time asked', async () => {
    const catalog = await fresh();
    assert.equal(await catalog.takeSweepTurn(60_000), false, 'a catalog made a moment ago holds nothing old enough to sweep');
    // A turn asked while another stager's update holds the row is decided once that one commits: on a loaded
    // machine that wait can be longer than a short time asked, so the time asked here is a second.
    await sleep(1_100);
    const asked = await Promise.all([catalog.takeSweepTurn(1_000), catalog.takeSweepTurn(1_000), catalog.takeSweepTurn(1_000)]);
    assert.deepEqual(asked.filter(Boolean).length, 1, 'of three asking at once, one sweeps');
    assert.equal(await catalog.takeSweepTurn(1_000), false, 'the sweep just taken counts');
    await sleep(1_100);
    assert.equal(await catalog.takeSweepTurn(1_000), true, 'the next turn comes once the time asked has passed');
  });
});
