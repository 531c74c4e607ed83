// The loader suite on the embedded default: a DuckDB file in a fresh folder, then what only DuckDB does.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
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
});
