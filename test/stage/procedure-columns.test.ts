// One file must not be able to make a lake unable to stage again: a limit on data columns, and a rejected file
// that changes no procedure's schema. (procedure-rewrite.slow.test.ts: the rewrite of older files, killed and in
// bounded memory.)
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { lakeLayout } from '../../src/lake/lake-layout.js';
import { readRejectRecords } from '../../src/lake/reject-records.js';
import { tempDir } from '../support/temp-dir.js';
import { lakeConfig, stageInto } from '../support/stage-lake.js';
import { dataFileColumns, IT_COLUMNS, recordedColumns, writeItFile } from './support/it-files.js';

describe("a procedure's columns", () => {
  it('refuses a file with more data columns than the limit, quickly, and leaves the schema and the older files as they were', { timeout: 120_000 }, async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    const lakeRoot = path.join(root, 'lake');
    for (let i = 0; i < 3; i++) writeItFile(raw, `It_${i}.csv`, 1_760_000_000 + i);
    const first = await stageInto(raw, lakeRoot);
    const schemasBefore = readFileSync(lakeLayout(first.config).schemas, 'utf8');
    const filesBefore = await dataFileColumns(first.config.stageRoot);
    writeItFile(raw, 'It_wide.csv', 1_760_000_100, Array.from({ length: 100_002 - IT_COLUMNS.length }, (_, k) => `C${k}`), 2);
    const started = performance.now();
    const second = await stageInto(raw, lakeRoot);
    const seconds = (performance.now() - started) / 1000;
    assert.equal(second.summary.rejected, 1);
    assert.equal(second.summary.conformed, 0);
    const record = readRejectRecords(second.config.rejectsDir).get('It_wide.csv');
    assert.equal(record?.error_type, 'too-many-columns');
    assert.match(record?.error ?? '', /^It_wide\.csv: its data table has 100,002 columns, more than the 1,000 a file may have; .*--max-columns/);
    assert.equal(readFileSync(lakeLayout(second.config).schemas, 'utf8'), schemasBefore);
    assert.deepEqual(await dataFileColumns(second.config.stageRoot), filesBefore);
    assert.ok(seconds < 30, `the refusal took ${seconds.toFixed(1)} s`);
    // --max-columns raises the limit (a config key and STRATA_MAX_COLUMNS read the same option).
    const raised = lakeConfig(raw, lakeRoot, { maxColumns: '200000' });
    assert.equal(raised.maxColumns, 200_000);
  });

  it('takes no column from a file that is refused after its worker staged it, in the schema or in any data file', { timeout: 120_000 }, async () => {
    const root = tempDir();
    const raw = path.join(root, 'raw');
    writeItFile(raw, 'It_00.csv', 1_760_000_000);
    writeItFile(raw, 'It_01.csv', 1_760_000_001, ['Extra A', 'Extra B']);
    // Two more new columns would give It 10 data columns: refused by the run, after a worker has written it.
    writeItFile(raw, 'It_02.csv', 1_760_000_002, ['Other A', 'Other B']);
    for (let i = 3; i < 40; i++) writeItFile(raw, `It_${String(i).padStart(2, '0')}.csv`, 1_760_000_000 + i);
    const lake = await stageInto(raw, path.join(root, 'lake'), { maxColumns: '8' });
    assert.equal(readRejectRecords(lake.config.rejectsDir).get('It_02.csv')?.error_type, 'too-many-columns');
    assert.equal(lake.summary.ok, 39);
    const recorded = recordedColumns(lakeLayout(lake.config).schemas);
    assert.ok(recorded.includes('extra_a'));
    assert.ok(!recorded.some((c) => c.startsWith('other')), recorded.join(','));
    const schemas = await dataFileColumns(lake.config.stageRoot);
    assert.equal(schemas.size, 39);
    for (const [file, columns] of schemas) assert.equal(columns, `${recorded.join(',')},`, file);
  });

});
