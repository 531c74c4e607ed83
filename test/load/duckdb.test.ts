// The loader suite on the embedded default: a DuckDB file in a fresh folder, then what only DuckDB does.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { Engine, sqlLiteral } from '../../src/engine/duckdb.js';
import { openStageDatabase } from '../../src/load/open-stage-database.js';
import { tempDir } from '../support/temp-dir.js';
import { citizensTable, writeCitizensParquet } from './load-fixtures.js';
import { registerStageDatabaseSuite } from './stage-database.case.js';

let dir = '';
const file = () => path.join(dir, 'strata.duckdb');

registerStageDatabaseSuite('the DuckDB stage database', {
  async setup() {
    dir = mkdtempSync(path.join(tmpdir(), 'strata-duckdb-'));
  },
  async teardown() {
    rmSync(dir, { recursive: true, force: true });
  },
  open: () => openStageDatabase({ kind: 'duckdb', file: file() }),
  dbUrl: () => `duckdb:${file()}`,
});

describe('the DuckDB stage database, on its own', () => {
  it("finds a period with its own min-max index: the period filter is pushed into the scan, which skips other periods' row groups", async () => {
    const here = tempDir();
    const parquetFile = await writeCitizensParquet(path.join(here, 'jan.parquet'), { period: '2024-01', rows: 50, seed: 1 });
    const db = await openStageDatabase({ kind: 'duckdb', file: path.join(here, 'lab.duckdb') });
    try {
      await db.replacePeriod({ table: citizensTable('people'), period: '2024-01', parquetFile });
      const plan = await db.query(`EXPLAIN SELECT * FROM stage."people" WHERE "_data_period" = '2024-01'`);
      assert.match(plan.map((r) => String(r['explain_value'])).join('\n'), /SCAN[\s\S]*Filters:[\s\S]*_data_period\s*=\s*'2024-01'/);
    } finally {
      await db.close();
    }
  });

  it('writes a period of several Parquet row groups into whole row groups of the table, in file order, so that closing rewrites none', async () => {
    const here = tempDir();
    const rows = 300_000; // 2.4 of DuckDB's row groups (122,880 rows)
    const written = await writeCitizensParquet(path.join(here, 'written.parquet'), { period: '2024-01', rows, seed: 1 });
    // Parquet row groups a little larger than DuckDB's, as a parallel COPY writes them.
    const parquetFile = path.join(here, 'jan.parquet');
    const engine = await Engine.open();
    const conn = await engine.connect();
    await conn.run(`COPY (FROM read_parquet(${sqlLiteral(written)})) TO ${sqlLiteral(parquetFile)} (FORMAT parquet, ROW_GROUP_SIZE 130000)`);
    conn.close();
    engine.close();
    const db = await openStageDatabase({ kind: 'duckdb', file: path.join(here, 'lab.duckdb') });
    try {
      const threads = await db.query(`SELECT current_setting('threads') AS n`);
      await db.replacePeriod({ table: citizensTable('people'), period: '2024-01', parquetFile });
      const groups = await db.query(`SELECT row_group_id, max(start + count) - min(start) AS n FROM pragma_storage_info('stage.people') WHERE column_id = 0 GROUP BY ALL ORDER BY 1`);
      assert.deepEqual(groups.map((g) => g['n']), [122_880, 122_880, rows - 2 * 122_880]);
      const [order] = await db.query(`SELECT bool_and(citizen_id = rowid + 1) AS ordered FROM stage."people"`);
      assert.equal(order?.['ordered'], true);
      assert.deepEqual(await db.query(`SELECT current_setting('threads') AS n`), threads, "the database's thread count is put back");
    } finally {
      await db.close();
    }
  });
});
