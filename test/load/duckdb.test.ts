// The loader suite on the embedded default: a DuckDB file in a fresh folder.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStageDatabase } from '../../src/load/open-stage-database.js';
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
