import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { lakeConfig } from '../../test/support/stage-lake.js';
import { openCatalogLakeFiles } from './catalog-lake-files.js';

describe('a catalog lake in a folder', () => {
  it('lists for the sweeper its data files and the temp files a dead stager left, and nothing else', async () => {
    const root = tempDir();
    mkdirSync(path.join(root, 'raw'));
    const config = lakeConfig(path.join(root, 'raw'), path.join(root, 'lake'));
    const run = path.join(config.stageRoot, 'proc=It', 'date=2025-10-13', 'run_id=0123456789abcdef');
    mkdirSync(run, { recursive: true });
    for (const name of ['part-000.parquet', 'part-a1b2c3.parquet', '.part-000.parquet.strata-tmp-123-89abcdef', 'notes.txt', 'part-000.csv']) {
      writeFileSync(path.join(run, name), 'x');
    }
    writeFileSync(path.join(config.stageRoot, '.strata-stage.lock'), '');
    const lake = await openCatalogLakeFiles(config, new Date(), 'test', undefined);
    try {
      const listed: string[] = [];
      for await (const entry of lake.listDataFiles()) listed.push(entry.path);
      const folder = 'proc=It/date=2025-10-13/run_id=0123456789abcdef';
      assert.deepEqual(listed.sort(), [`${folder}/.part-000.parquet.strata-tmp-123-89abcdef`, `${folder}/part-000.parquet`, `${folder}/part-a1b2c3.parquet`]);
    } finally {
      await lake.events.close();
    }
  });
});
