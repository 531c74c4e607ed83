import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { citizensRulesYaml, writeCsv } from '../../test/load/load-fixtures.js';
import { parseDatasetRules } from './dataset-rules.js';
import type { LandedLog, ValidationLogEntry } from './landed-log.js';
import { validateFiles } from './validate-file.js';

async function validateOne(dir: string, lines: readonly string[]) {
  const rules = parseDatasetRules(citizensRulesYaml('people'), path.join(dir, 'datasets.yml'));
  const file = writeCsv(path.join(dir, 'landed', 'people_2024-01.csv'), lines);
  const logged: ValidationLogEntry[] = [];
  const log: LandedLog = { logIngestion: async () => {}, logValidation: async (entry) => void logged.push(entry) };
  const [outcome] = await validateFiles([file], { rules, dataRoot: dir, log });
  assert.deepEqual(logged, [outcome], 'the outcome returned is the one logged');
  return outcome!;
}

const listing = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);

describe('validating a landed file', () => {
  it('writes the cleaned Parquet and the rejects under their own names, with no temp file left beside them', async () => {
    const dir = tempDir();
    const outcome = await validateOne(dir, ['citizen_id,first_name,birth_date,income', '1,Ana,2000-02-29,1.5', '2,Bo,2001-02-30,2']);
    assert.deepEqual([outcome.status, outcome.rowsOk, outcome.rowsRejected], ['ok', 1, 1]);
    assert.deepEqual(listing(path.join(dir, 'stage', 'cleaned', 'people')), ['2024-01.parquet']);
    assert.deepEqual(listing(path.join(dir, 'stage', 'rejects', 'people')), ['2024-01.csv']);
    assert.match(readFileSync(path.join(dir, 'stage', 'rejects', 'people', '2024-01.csv'), 'utf8'), /^3,birth_date,2001-02-30,/m);
  });

  it('refuses the file and puts no Parquet live when its rejects cannot be written', async () => {
    const dir = tempDir();
    // A folder where the rejects file should go: the rename onto it fails.
    mkdirSync(path.join(dir, 'stage', 'rejects', 'people', '2024-01.csv'), { recursive: true });
    const outcome = await validateOne(dir, ['citizen_id,first_name,birth_date,income', '1,Ana,2000-02-29,1.5', '2,Bo,not a date,2']);
    assert.equal(outcome.status, 'refused');
    assert.equal(outcome.parquet, null);
    assert.deepEqual(listing(path.join(dir, 'stage', 'cleaned', 'people')), [], 'no Parquet of a refused file');
    assert.deepEqual(listing(path.join(dir, 'stage', 'rejects', 'people')), ['2024-01.csv'], 'no temp file left behind');
  });
});
