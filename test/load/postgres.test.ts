// The loader suite on PostgreSQL: a fresh database per run (STRATA_PG_URL names the server), dropped at the end.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { messageOf } from '../../src/errors.js';
import { openStageDatabase } from '../../src/load/open-stage-database.js';
import { PostgresStageDatabase } from '../../src/load/postgres/postgres-stage-database.js';
import { registerStageDatabaseSuite } from './stage-database.case.js';

const adminUrl = process.env['STRATA_PG_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const required = process.env['STRATA_REQUIRE_PG'] === '1';
const database = `strata_test_${randomBytes(6).toString('hex')}`;
const testUrl = (() => {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
})();

async function unreachableReason(): Promise<string | null> {
  try {
    await (await PostgresStageDatabase.open(adminUrl)).close();
    return null;
  } catch (error) {
    return `PostgreSQL is unreachable (${messageOf(error)}); set STRATA_PG_URL, or STRATA_REQUIRE_PG=1 to fail instead of skipping`;
  }
}

async function asAdmin(sql: string): Promise<void> {
  const admin = await PostgresStageDatabase.open(adminUrl);
  try {
    await admin.query(sql);
  } finally {
    await admin.close();
  }
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
    setup: () => asAdmin(`CREATE DATABASE "${database}"`),
    teardown: () => asAdmin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`),
    open: () => openStageDatabase({ kind: 'postgres', url: testUrl }),
    dbUrl: () => testUrl,
    killLoadConnection,
  },
  { skip: reason ?? false },
);
