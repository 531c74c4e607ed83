// The catalog's tables: made by versioned migrations, in a schema of their own, by any number of processes at once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CORE_COLUMNS } from '../../src/lake/manifest-columns.js';
import { catalogLayout } from '../../src/catalog/catalog-layout.js';
import { CATALOG_MIGRATIONS, LATEST_CATALOG_VERSION, migrateCatalog } from '../../src/catalog/catalog-migrations.js';
import { openPostgresSession } from '../../src/catalog/postgres/postgres-session.js';
import { describeRunsTable, manifestColumnsOf, POSTGRES_TYPE_OF } from '../../src/catalog/run-columns-table.js';
import { StrataError } from '../../src/errors.js';
import { scratchCatalogSuite, childOutput, scratchCatalogDatabase, skipWithoutPostgres, spawnCatalogChild } from './catalog-fixtures.js';

const scratch = scratchCatalogDatabase();
const skip = await skipWithoutPostgres(scratch);

describe('the catalog migrations', { skip }, () => {
  const opened = scratchCatalogSuite(scratch);

  it('are applied once when four processes open a new catalog at the same moment', async () => {
    const children = Array.from({ length: 4 }, () => spawnCatalogChild({ cmd: 'migrate', url: scratch.url, schema: 'raced' }));
    const outputs = await Promise.all(children.map(childOutput));
    const applied = outputs.map((o) => (o.lines[0] as { applied: number[] }).applied);
    assert.deepEqual(applied.filter((a) => a.length > 0), [[1, 2]], 'exactly one process applied the migrations');
    const session = await openPostgresSession(scratch.url);
    try {
      const rows = await session.query<{ version: number }>(`SELECT version FROM ${catalogLayout('raced').migrations}`);
      assert.deepEqual(rows.map((r) => r.version).sort(), [1, 2]);
    } finally {
      await session.close();
    }
  });

  it('do nothing, in one round trip, on a catalog that is up to date', async () => {
    const session = await openPostgresSession(scratch.url);
    try {
      const layout = catalogLayout('again');
      assert.deepEqual((await migrateCatalog(session, layout)).applied, [1, 2]);
      const before = session.roundTrips();
      assert.deepEqual((await migrateCatalog(session, layout)).applied, []);
      assert.equal(session.roundTrips() - before, 1);
    } finally {
      await session.close();
    }
  });

  it('make the runs table with the manifest core columns, in order, typed and required as the manifest has them', async () => {
    const catalog = await opened.open();
    const session = await openPostgresSession(scratch.url);
    try {
      const table = await describeRunsTable(session, catalog.layout);
      assert.deepEqual(manifestColumnsOf(table), CORE_COLUMNS);
      assert.deepEqual(
        table.filter((c) => c.name.startsWith('_')).map((c) => c.name),
        ['_source_version', '_committed_at'],
      );
      assert.ok(CORE_COLUMNS.every((c) => table.find((t) => t.name === c.name)?.type === POSTGRES_TYPE_OF[c.sqlType]));
    } finally {
      await session.close();
    }
  });

  it('keep each schema to itself: two catalogs in one database share nothing', async () => {
    const one = await opened.open({ schema: 'lab_one' });
    const two = await opened.open({ schema: 'lab_two' });
    await one.enqueue([{ sourceFile: 'a.csv', size: 1, mtimeMs: 1 }]);
    assert.equal((await one.status()).queued, 1);
    assert.equal((await two.status()).queued, 0);
  });

  it('refuse a schema name that is not a plain identifier before any SQL is sent', async () => {
    await assert.rejects(opened.open({ schema: 'x"; DROP SCHEMA public; --' }), (e: unknown) => e instanceof StrataError && /not allowed/.test(e.message));
  });

  it('bring a catalog an older strata made up to date, keeping what it holds', async () => {
    const session = await openPostgresSession(scratch.url);
    try {
      const layout = catalogLayout('older');
      // What strata made before the sweeps table: migration 1 alone, with a queued file.
      await session.query(`CREATE SCHEMA ${layout.schemaSql}; CREATE TABLE ${layout.migrations} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT clock_timestamp());`);
      await session.query(CATALOG_MIGRATIONS[0]!.sql(layout));
      await session.query(`INSERT INTO ${layout.migrations} (version) VALUES (1)`);
      await session.query(`INSERT INTO ${layout.sourceFiles} (source_file, source_size, source_mtime_ms) VALUES ('a.csv', 1, 1)`);
      assert.deepEqual((await migrateCatalog(session, layout)).applied, [2]);
      assert.deepEqual(await session.query(`SELECT source_file FROM ${layout.sourceFiles}`), [{ source_file: 'a.csv' }]);
      assert.equal((await session.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${layout.sweeps}`))[0]!.n, 1);
    } finally {
      await session.close();
    }
  });

  it('refuse a catalog a newer strata migrated further, leaving it as it is', async () => {
    const session = await openPostgresSession(scratch.url);
    try {
      const layout = catalogLayout('future');
      await migrateCatalog(session, layout);
      await session.query(`INSERT INTO ${layout.migrations} (version) VALUES ($1)`, [LATEST_CATALOG_VERSION + 1]);
      await assert.rejects(migrateCatalog(session, layout), new RegExp(`migrated to version ${LATEST_CATALOG_VERSION + 1} by a newer strata`));
      const rows = await session.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${layout.migrations}`);
      assert.equal(rows[0]!.n, LATEST_CATALOG_VERSION + 1);
    } finally {
      await session.close();
    }
  });
});
