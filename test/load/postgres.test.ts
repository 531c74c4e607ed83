// The loader suite on PostgreSQL: a fresh database per run (STRATA_PG_URL names the server), dropped at the end; then what only PostgreSQL does.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStageDatabase } from '../../src/load/open-stage-database.js';
import { PostgresStageDatabase } from '../../src/load/postgres/postgres-stage-database.js';
import { scratchPostgres } from '../support/scratch-postgres.js';
import { tempDir } from '../support/temp-dir.js';
import { citizensTable, writeCitizensParquet } from './load-fixtures.js';
import { registerStageDatabaseSuite } from './stage-database.case.js';

const required = process.env['STRATA_REQUIRE_PG'] === '1';
const scratch = scratchPostgres('strata_test');
const testUrl = scratch.url;

async function unreachableReason(): Promise<string | null> {
  const problem = await scratch.unreachable();
  return problem === null ? null : `PostgreSQL is unreachable (${problem}); set STRATA_PG_URL, or STRATA_REQUIRE_PG=1 to fail instead of skipping`;
}

/** Terminates the backend running the load's COPY as soon as it shows in pg_stat_activity. */
async function killLoadConnection(load: Promise<unknown>): Promise<void> {
  let settled = false;
  load.then(
    () => (settled = true),
    () => (settled = true),
  );
  const killer = await PostgresStageDatabase.open(testUrl);
  try {
    while (!settled) {
      const killed = await killer.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE 'COPY %'`,
      );
      if (killed.length > 0) return;
      await sleep(1);
    }
    throw new Error('the load finished before its COPY could be killed');
  } finally {
    await killer.close();
  }
}

const reason = required ? null : await unreachableReason();
registerStageDatabaseSuite(
  'the PostgreSQL stage database',
  {
    setup: () => scratch.create(),
    teardown: () => scratch.drop(),
    open: () => openStageDatabase({ kind: 'postgres', url: testUrl }),
    dbUrl: () => testUrl,
    killLoadConnection,
  },
  { skip: reason ?? false },
);

const own = scratchPostgres('strata_test');
describe('the PostgreSQL stage database, on its own', { skip: reason ?? false }, () => {
  before(() => own.create());
  after(() => own.drop());

  it('keeps each period in its own partition, with a BRIN index on _data_period in each', async () => {
    const parquetFile = await writeCitizensParquet(path.join(tempDir(), 'jan.parquet'), { period: '2024-01', rows: 50, seed: 1 });
    const db = await openStageDatabase({ kind: 'postgres', url: own.url });
    try {
      await db.replacePeriod({ table: citizensTable('people'), period: '2024-01', parquetFile });
      const indexes = await db.query("SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = 'stage' AND tablename IN ('people', 'people__p2024_01') ORDER BY tablename");
      assert.deepEqual(
        indexes.map((r) => [r['tablename'], /USING brin \("?_data_period"?\)/.test(String(r['indexdef']))]),
        [['people', true], ['people__p2024_01', true]],
        JSON.stringify(indexes),
      );
      const partitions = await db.query("SELECT inhrelid::regclass::text AS p FROM pg_inherits WHERE inhparent = 'stage.people'::regclass");
      assert.deepEqual(partitions.map((r) => r['p']), ['stage.people__p2024_01']);
    } finally {
      await db.close();
    }
  });

  it('refuses a table name too long for its partition names instead of letting PostgreSQL cut it', async () => {
    const parquetFile = await writeCitizensParquet(path.join(tempDir(), 'jan.parquet'), { period: '2024-01', rows: 5, seed: 1 });
    const db = await openStageDatabase({ kind: 'postgres', url: own.url });
    try {
      const long = 'p'.repeat(50);
      await assert.rejects(db.replacePeriod({ table: citizensTable(long), period: '2024-01', parquetFile }), /too long to name its period partitions/);
    } finally {
      await db.close();
    }
  });

  it('a second load of a dataset held by another session waits, says so, and gives up at its timeout with a sentence', async () => {
    const parquetFile = await writeCitizensParquet(path.join(tempDir(), 'jan.parquet'), { period: '2024-01', rows: 10, seed: 2 });
    const holder = await openStageDatabase({ kind: 'postgres', url: own.url });
    const heard: string[] = [];
    const patient = await openStageDatabase({ kind: 'postgres', url: own.url }, { lockTimeoutMs: 20_000, onWait: (m) => heard.push(m) });
    const hasty = await openStageDatabase({ kind: 'postgres', url: own.url }, { lockTimeoutMs: 300 });
    try {
      const held = holder.runScript('waiters', 'SELECT pg_sleep(1.5)');
      await sleep(300);
      await assert.rejects(
        hasty.replacePeriod({ table: citizensTable('waiters'), period: '2024-01', parquetFile }),
        /another load of dataset 'waiters' on .* still held its lock after 0\.3 s; try again when it is done \(or raise --lock-timeout\)/,
      );
      assert.deepEqual(await patient.replacePeriod({ table: citizensTable('waiters'), period: '2024-01', parquetFile }), { rowsDeleted: 0, rowsInserted: 10 });
      await held;
      assert.equal(heard.length, 1);
      assert.match(heard[0]!, /^waiting for another load of dataset 'waiters' on 127\.0\.0\.1:5432\/strata_test_\w+ \(up to 20 s\)$/);
    } finally {
      await Promise.all([holder.close(), patient.close(), hasty.close()]);
    }
  });
});
