// The fenced commit: one run row per source file (its latest version's), rejects kept per source, unchanged files
// only re-stamped, everything under the attempt's own claim, a batch in one round trip.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Catalog } from '../../src/catalog/open-catalog.js';
import type { AttemptOutcome } from '../../src/catalog/commit-attempts.js';
import { openPostgresSession } from '../../src/catalog/postgres/postgres-session.js';
import type { ClaimedVersion } from '../../src/catalog/source-claims.js';
import type { SourceFileVersion } from '../../src/catalog/source-queue.js';
import { StrataError } from '../../src/errors.js';
import { scratchCatalogSuite, scratchCatalogDatabase, sha1Of, skipWithoutPostgres, sourceFiles, stagedRow, TEST_PARAMETERS } from './catalog-fixtures.js';

const scratch = scratchCatalogDatabase();
const skip = await skipWithoutPostgres(scratch);

/** Queues `files` and claims them all (in queue order). */
async function claimAll(catalog: Catalog, files: readonly SourceFileVersion[]): Promise<ClaimedVersion[]> {
  await catalog.enqueue(files);
  const claim = await catalog.claim({ stager: 'test', batch: 1_000, leaseSeconds: 60 });
  return [...claim.versions];
}

const staged = (v: ClaimedVersion, options?: Parameters<typeof stagedRow>[1]): AttemptOutcome => ({ kind: 'staged', attempt: v, row: stagedRow(v, options) });

describe('committing attempts', { skip }, () => {
  const opened = scratchCatalogSuite(scratch);
  let n = 0;
  const fresh = () => opened.open({ schema: `commit_${++n}` });

  it('records a staged run and finishes its version, in one round trip for the whole batch', async () => {
    const catalog = await fresh();
    const versions = await claimAll(catalog, sourceFiles(200));
    await catalog.commit([], TEST_PARAMETERS); // learns the table's columns (and adds the parameter ones) first
    const before = catalog.roundTrips();
    const results = await catalog.commit(versions.map((v) => staged(v)), TEST_PARAMETERS);
    assert.equal(catalog.roundTrips() - before, 1);
    assert.ok(results.every((r) => r.kind === 'committed'));
    const runs = await catalog.runs();
    assert.equal(runs.length, 200);
    const status = await catalog.status();
    assert.deepEqual([status.done, status.claimed], [200, 0]);
  });

  it('replaces a source’s run with its new version’s, whether the run id stays or changes', async () => {
    const catalog = await fresh();
    const [file] = sourceFiles(1);
    const [v1] = await claimAll(catalog, [file!]);
    await catalog.commit([staged(v1!)], TEST_PARAMETERS);
    const [v2] = await claimAll(catalog, [{ ...file!, mtimeMs: file!.mtimeMs + 1 }]);
    assert.equal((await catalog.commit([staged(v2!, { sha1: sha1Of('v2') })], TEST_PARAMETERS))[0]!.kind, 'committed');
    let runs = await catalog.runs();
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.run_id, stagedRow(v1!).run_id, 'same start time: same run id');
    assert.equal(runs[0]!.path, stagedRow(v2!).path);
    const [v3] = await claimAll(catalog, [{ ...file!, mtimeMs: file!.mtimeMs + 2 }]);
    await catalog.commit([staged(v3!, { start: '2025-09-04T16:00:00Z' })], TEST_PARAMETERS);
    runs = await catalog.runs();
    assert.equal(runs.length, 1);
    assert.notEqual(runs[0]!.run_id, stagedRow(v1!).run_id, 'a new start time: a new run id');
    assert.equal(runs[0]!.path, stagedRow(v3!, { start: '2025-09-04T16:00:00Z' }).path);
  });

  it('never lets an older version’s late run replace a newer one’s', async () => {
    const catalog = await fresh();
    const [file] = sourceFiles(1);
    const [older, newer] = await claimAll(catalog, [file!, { ...file!, size: file!.size + 5 }]);
    assert.equal((await catalog.commit([staged(newer!)], TEST_PARAMETERS))[0]!.kind, 'committed');
    assert.equal((await catalog.commit([staged(older!)], TEST_PARAMETERS))[0]!.kind, 'superseded');
    const runs = await catalog.runs();
    assert.deepEqual(runs.map((r) => r.path), [stagedRow(newer!).path]);
  });

  it('commits two versions of one source given in one batch in order: the later one is the run', async () => {
    const catalog = await fresh();
    const [file] = sourceFiles(1);
    const [a, b] = await claimAll(catalog, [file!, { ...file!, mtimeMs: 1 }]);
    await catalog.commit([], TEST_PARAMETERS);
    const before = catalog.roundTrips();
    const results = await catalog.commit([staged(a!), staged(b!)], TEST_PARAMETERS);
    assert.deepEqual(results.map((r) => r.kind), ['committed', 'committed']);
    assert.equal(catalog.roundTrips() - before, 2, 'one statement each, so no row is written twice in one');
    assert.deepEqual((await catalog.runs()).map((r) => r.path), [stagedRow(b!).path]);
  });

  it('keeps a reject per source, cleared when a later version stages, kept when an earlier one does', async () => {
    const catalog = await fresh();
    const [file] = sourceFiles(1);
    // Queued one after the other: versions in that order.
    for (const mtimeMs of [1, 2, 3]) await catalog.enqueue([{ ...file!, mtimeMs }]);
    const [v1, v2, v3] = await claimAll(catalog, []);
    const reject = (v: ClaimedVersion): AttemptOutcome => ({ kind: 'rejected', attempt: v, errorType: 'bad-data', error: `${v.sourceFile}: line 9: expected 3 fields`, at: new Date('2025-10-01T00:00:00Z') });
    assert.equal((await catalog.commit([reject(v2!)], TEST_PARAMETERS))[0]!.kind, 'committed');
    assert.deepEqual(await catalog.rejects(), new Map([[file!.sourceFile, { source_file: file!.sourceFile, error: `${file!.sourceFile}: line 9: expected 3 fields`, error_type: 'bad-data', ts: '2025-10-01T00:00:00.000Z', source_size: file!.size, source_mtime_ms: 2 }]]));
    assert.equal((await catalog.commit([staged(v1!)], TEST_PARAMETERS))[0]!.kind, 'committed');
    assert.equal((await catalog.rejects()).size, 1, 'the earlier version’s run leaves the later version’s reject');
    await catalog.commit([staged(v3!)], TEST_PARAMETERS);
    assert.equal((await catalog.rejects()).size, 0, 'the later version’s run clears it');
    assert.equal((await catalog.status()).rejected, 1);
  });

  it('records no reject for an older version once a newer one has its run', async () => {
    const catalog = await fresh();
    const [file] = sourceFiles(1);
    const [older, newer] = await claimAll(catalog, [file!, { ...file!, size: file!.size + 1 }]);
    await catalog.commit([staged(newer!)], TEST_PARAMETERS);
    const [result] = await catalog.commit([{ kind: 'rejected', attempt: older!, errorType: 'bad-data', error: 'late' }], TEST_PARAMETERS);
    assert.equal(result!.kind, 'superseded');
    assert.equal((await catalog.rejects()).size, 0);
  });

  it('only re-stamps the run of a file whose bytes did not change, and asks for a restage when the run’s bytes moved on', async () => {
    const catalog = await fresh();
    const [file] = sourceFiles(1);
    const [v1] = await claimAll(catalog, [file!]);
    const run = stagedRow(v1!);
    await catalog.commit([staged(v1!)], TEST_PARAMETERS);
    const [touched] = await claimAll(catalog, [{ ...file!, mtimeMs: 5e12 }]);
    assert.equal((await catalog.commit([{ kind: 'unchanged', attempt: touched!, sha1: run.source_sha1 }], TEST_PARAMETERS))[0]!.kind, 'committed');
    const [after] = await catalog.runs();
    assert.equal(after!.source_mtime_ms, 5e12);
    assert.equal(after!.path, run.path);
    const [again] = await claimAll(catalog, [{ ...file!, mtimeMs: 6e12 }]);
    const result = await catalog.commit([{ kind: 'unchanged', attempt: again!, sha1: sha1Of('other bytes') }], TEST_PARAMETERS);
    assert.equal(result[0]!.kind, 'restage');
    assert.equal((await catalog.status()).claimed, 1, 'still claimed, for its stager to stage');
  });

  it('finishes a stale version (the file changed since) without touching the run', async () => {
    const catalog = await fresh();
    const [v1] = await claimAll(catalog, sourceFiles(1));
    assert.equal((await catalog.commit([{ kind: 'stale', attempt: v1! }], TEST_PARAMETERS))[0]!.kind, 'committed');
    assert.deepEqual(await catalog.runs(), []);
    assert.equal((await catalog.status()).done, 1);
  });

  it('refuses a run whose id another source’s run has, leaving the version claimed to be rejected', async () => {
    const catalog = await fresh();
    const [upper, lower] = await claimAll(catalog, [
      { sourceFile: 'Day/IT1.csv', size: 1, mtimeMs: 1 },
      { sourceFile: 'day/it1.csv', size: 1, mtimeMs: 1 },
    ]);
    assert.equal(stagedRow(upper!).run_id, stagedRow(lower!).run_id, 'paths that differ by case only share a run id');
    assert.equal((await catalog.commit([staged(upper!)], TEST_PARAMETERS))[0]!.kind, 'committed');
    const [taken] = await catalog.commit([staged(lower!)], TEST_PARAMETERS);
    assert.deepEqual(taken, { kind: 'run-id-taken', version: lower!.version, runId: stagedRow(lower!).run_id, owner: 'Day/IT1.csv' });
    const [rejected] = await catalog.commit([{ kind: 'rejected', attempt: lower!, errorType: 'duplicate-run', error: 'day/it1.csv: another file has its run id' }], TEST_PARAMETERS);
    assert.equal(rejected!.kind, 'committed');
    assert.deepEqual((await catalog.runs()).map((r) => r.source_file), ['Day/IT1.csv']);
  });

  it('puts two sources with one run id in one batch into two statements, so the second is told, not failed', async () => {
    const catalog = await fresh();
    const versions = await claimAll(catalog, [
      { sourceFile: 'x/A.csv', size: 1, mtimeMs: 1 },
      { sourceFile: 'x/a.csv', size: 1, mtimeMs: 1 },
    ]);
    const results = await catalog.commit(versions.map((v) => staged(v)), TEST_PARAMETERS);
    assert.deepEqual(results.map((r) => r.kind), ['committed', 'run-id-taken']);
  });

  it('adds a new parameter column to the runs table when a run brings one, and refuses one whose type changed', async () => {
    const catalog = await fresh();
    const other = await opened.open({ schema: catalog.layout.schema });
    const [a, b] = await claimAll(catalog, sourceFiles(2));
    const withPower = [...TEST_PARAMETERS, { name: 'laser_power_w', type: 'float' as const }];
    const results = await Promise.all([
      catalog.commit([staged(a!, { extra: { laser_power_w: 0.5 } })], withPower),
      other.commit([staged(b!, { extra: { laser_power_w: 0.25 } })], withPower),
    ]);
    assert.deepEqual(results.flat().map((r) => r.kind), ['committed', 'committed']);
    assert.deepEqual((await catalog.parameterColumns()).map((c) => c.name), withPower.map((c) => c.name));
    assert.deepEqual((await catalog.runs()).map((r) => r['laser_power_w']).sort(), [0.25, 0.5]);
    const [c] = await claimAll(catalog, sourceFiles(1, 'typed'));
    await assert.rejects(
      catalog.commit([staged(c!)], [...TEST_PARAMETERS, { name: 'laser_power_w', type: 'str' }]),
      (e: unknown) => e instanceof StrataError && /laser_power_w is double precision/.test(e.message),
    );
  });

  it('refuses, before sending, a row with a field no parameter column declares, or the row of another source', async () => {
    const catalog = await fresh();
    const [a, b] = await claimAll(catalog, sourceFiles(2));
    await catalog.commit([], TEST_PARAMETERS);
    const before = catalog.roundTrips();
    await assert.rejects(catalog.commit([staged(a!, { extra: { colour: 'red' } })], TEST_PARAMETERS), /lacks \(colour\)/);
    await assert.rejects(catalog.commit([{ kind: 'staged', attempt: a!, row: stagedRow(b!) }], TEST_PARAMETERS), /committed under the claim of/);
    assert.equal(catalog.roundTrips() - before, 0);
    assert.equal((await catalog.status()).claimed, 2);
  });

  it('keeps the whole batch out when one row breaks a rule of the table (a required value missing)', async () => {
    const catalog = await fresh();
    const [a, b] = await claimAll(catalog, sourceFiles(2));
    const broken = { ...stagedRow(b!), summary: null } as unknown as ReturnType<typeof stagedRow>;
    await assert.rejects(catalog.commit([staged(a!), { kind: 'staged', attempt: b!, row: broken }], TEST_PARAMETERS), /summary/);
    assert.deepEqual(await catalog.runs(), []);
    const session = await openPostgresSession(scratch.url);
    try {
      const rows = await session.query<{ state: string }>(`SELECT state FROM ${catalog.layout.sourceFiles} ORDER BY id`);
      assert.deepEqual(rows.map((r) => r.state), ['claimed', 'claimed']);
    } finally {
      await session.close();
    }
  });
});
