// Claims: SKIP LOCKED batches under a lease and a token; a stager that dies or stalls past its lease loses them,
// and its late commit is refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AttemptOutcome } from '../../src/catalog/commit-attempts.js';
import type { ClaimedVersion } from '../../src/catalog/source-claims.js';
import {
  scratchCatalogSuite,
  childOutput,
  nextLine,
  scratchCatalogDatabase,
  skipWithoutPostgres,
  sourceFiles,
  spawnCatalogChild,
  stagedRow,
  TEST_PARAMETERS,
} from './catalog-fixtures.js';

const scratch = scratchCatalogDatabase();
const skip = await skipWithoutPostgres(scratch);
const staged = (versions: readonly ClaimedVersion[]): AttemptOutcome[] => versions.map((v) => ({ kind: 'staged', attempt: v, row: stagedRow(v) }));

describe('claims on the queue', { skip }, () => {
  const opened = scratchCatalogSuite(scratch);

  it('never give one version to two of four stager processes claiming at once', async () => {
    const catalog = await opened.open();
    await catalog.enqueue(sourceFiles(3_000, 'race'));
    const children = Array.from({ length: 4 }, () => spawnCatalogChild({ cmd: 'claim-all', url: scratch.url, batch: 25, lease: 120 }));
    const outputs = children.map(childOutput);
    // A start barrier: every child is connected before any claims, or the first one up could take the whole queue.
    await Promise.all(children.map(nextLine));
    for (const child of children) child.stdin!.end('go\n');
    const claimed = (await Promise.all(outputs)).map((o) => (o.lines[1] as { versions: number[] }).versions);
    const all = claimed.flat();
    assert.equal(new Set(all).size, all.length, 'no version claimed twice');
    assert.equal(all.length, 3_000, `every version claimed once (by each: ${claimed.map((c) => c.length).join(', ')})`);
    assert.ok(claimed.filter((c) => c.length > 0).length >= 2, 'the claims were shared out');
  });

  it('take a batch in one round trip, with a fresh token, the attempt count and the source run to compare with', async () => {
    const catalog = await opened.open({ schema: 'one_trip' });
    const [file] = sourceFiles(1);
    await catalog.enqueue([file!]);
    const before = catalog.roundTrips();
    const first = await catalog.claim({ stager: 'a', batch: 10, leaseSeconds: 30 });
    assert.equal(catalog.roundTrips() - before, 1);
    assert.equal(first.versions.length, 1);
    const [version] = first.versions;
    assert.equal(version!.attempts, 1);
    assert.equal(version!.previous, undefined);
    assert.match(version!.attemptId, new RegExp(`^${version!.version}-[0-9a-f]{32}$`));
    const [result] = await catalog.commit(staged(first.versions), TEST_PARAMETERS);
    assert.equal(result!.kind, 'committed');
    await catalog.enqueue([{ ...file!, mtimeMs: file!.mtimeMs + 1000 }]);
    const second = await catalog.claim({ stager: 'a', batch: 10, leaseSeconds: 30 });
    assert.notEqual(second.token, first.token);
    const run = stagedRow(version!);
    assert.deepEqual(second.versions[0]!.previous, { runId: run.run_id, path: run.path, size: run.source_size, mtimeMs: run.source_mtime_ms, sha1: run.source_sha1, dataSchema: null });
  });

  it('give a stalled stager’s versions to the next claim once its lease runs out, and refuse its late commit, which leaves nothing', async () => {
    const strata = await opened.open({ schema: 'stall' });
    await strata.enqueue(sourceFiles(5, 'stalled'));
    // The stager to stall lives in its own process: SIGSTOP freezes it as a stuck machine would.
    const child = spawnCatalogChild({ cmd: 'stall', url: scratch.url, schema: 'stall', batch: 5, lease: 1 });
    const done = childOutput(child);
    const held = (await nextLine(child)) as { versions: ClaimedVersion[] };
    assert.equal(held.versions.length, 5);
    child.kill('SIGSTOP');
    await sleep(1_300);
    const retry = await strata.claim({ stager: 'retry', batch: 5, leaseSeconds: 30 });
    assert.deepEqual(retry.versions.map((v) => v.version), held.versions.map((v) => v.version), 'the same versions, claimed again');
    assert.ok(retry.versions.every((v) => v.attempts === 2));
    // The stalled stager wakes and commits while the retry still works on the same versions: refused.
    child.kill('SIGCONT');
    child.stdin!.end('go\n');
    const { lines } = await done;
    const late = (lines[1] as { results: { kind: string }[] }).results;
    assert.deepEqual(late.map((r) => r.kind), ['refused', 'refused', 'refused', 'refused', 'refused']);
    assert.deepEqual(await strata.runs(), [], 'the refused commit left nothing');
    const mine = await strata.commit(staged(retry.versions), TEST_PARAMETERS);
    assert.ok(mine.every((r) => r.kind === 'committed'));
    const runs = await strata.runs();
    const ours = runs.filter((r) => r.source_file.startsWith('stalled/'));
    assert.equal(ours.length, 5, 'one run per source file');
    assert.deepEqual(ours.map((r) => r.path).sort(), retry.versions.map((v) => stagedRow(v).path).sort(), 'the runs name the second attempt’s files');
  });

  it('refuse a commit after the lease ran out even when nobody claimed the versions again, and queue them again', async () => {
    const catalog = await opened.open({ schema: 'lapsed' });
    await catalog.enqueue(sourceFiles(3));
    const claim = await catalog.claim({ stager: 'slow', batch: 3, leaseSeconds: 0.2 });
    await sleep(400);
    const results = await catalog.commit(staged(claim.versions), TEST_PARAMETERS);
    assert.deepEqual(results.map((r) => r.kind), ['refused', 'refused', 'refused']);
    assert.deepEqual(await catalog.runs(), []);
    const again = await catalog.claim({ stager: 'next', batch: 3, leaseSeconds: 30 });
    assert.equal(again.versions.length, 3);
  });

  it('keep a renewed claim past its first lease, and say which versions a lapsed one lost', async () => {
    const catalog = await opened.open({ schema: 'renew' });
    await catalog.enqueue(sourceFiles(4));
    // Renewed ten times within a lease, so that a busy machine's late timer still renews in time.
    const lease = 2;
    const kept = await catalog.claim({ stager: 'busy', batch: 2, leaseSeconds: lease });
    const lapsed = await catalog.claim({ stager: 'stuck', batch: 2, leaseSeconds: lease });
    const versions = kept.versions.map((v) => v.version);
    const started = Date.now();
    while (Date.now() - started < lease * 1000 + 300) {
      await sleep((lease * 1000) / 10);
      const renewal = await catalog.renew(kept.token, versions, lease);
      assert.deepEqual([...renewal.held].sort(), [...versions].sort());
    }
    const lost = await catalog.renew(lapsed.token, lapsed.versions.map((v) => v.version), lease);
    assert.deepEqual(lost.held, []);
    assert.deepEqual(lost.lost, lapsed.versions.map((v) => v.version));
    const results = await catalog.commit(staged(kept.versions), TEST_PARAMETERS);
    assert.deepEqual(results.map((r) => r.kind), ['committed', 'committed']);
  });

  it('hand released versions back at once without counting the attempt', async () => {
    const catalog = await opened.open({ schema: 'release' });
    await catalog.enqueue(sourceFiles(2));
    const claim = await catalog.claim({ stager: 'leaving', batch: 2, leaseSeconds: 60 });
    assert.deepEqual([...(await catalog.release(claim.token, claim.versions.map((v) => v.version)))].sort(), claim.versions.map((v) => v.version).sort());
    const next = await catalog.claim({ stager: 'next', batch: 2, leaseSeconds: 60 });
    assert.deepEqual(next.versions.map((v) => v.attempts), [1, 1]);
    assert.deepEqual((await catalog.commit(staged(claim.versions), TEST_PARAMETERS)).map((r) => r.kind), ['refused', 'refused']);
  });

  it('reject a version every stager died on, after the allowed attempts, instead of claiming it for ever', async () => {
    const catalog = await opened.open({ schema: 'poison' });
    await catalog.enqueue(sourceFiles(1, 'poison'));
    for (let attempt = 1; attempt <= 3; attempt++) {
      const claim = await catalog.claim({ stager: `dies-${attempt}`, batch: 1, leaseSeconds: 0.05, maxAttempts: 3 });
      assert.equal(claim.versions[0]?.attempts, attempt);
      await sleep(100);
    }
    const last = await catalog.claim({ stager: 'next', batch: 1, leaseSeconds: 30, maxAttempts: 3 });
    assert.deepEqual(last.versions, []);
    assert.equal(last.exhausted, 1);
    const reject = (await catalog.rejects()).get('poison/It00000.csv');
    assert.equal(reject?.error_type, 'internal');
    assert.match(reject!.error, /stagers took it 3 times/);
    const status = await catalog.status();
    assert.deepEqual([status.queued, status.claimed, status.expired, status.rejected], [0, 0, 0, 1]);
  });
});
