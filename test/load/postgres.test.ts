// The loader suite on PostgreSQL: a fresh database per run (STRATA_PG_URL names the server), dropped at the end.
import { setTimeout as sleep } from 'node:timers/promises';
import { openStageDatabase } from '../../src/load/open-stage-database.js';
import { PostgresStageDatabase } from '../../src/load/postgres/postgres-stage-database.js';
import { scratchPostgres } from '../support/scratch-postgres.js';
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
