import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/support/temp-dir.js';
import { loadDatasetRules, matchLandedFile, parseDatasetRules, periodProblem } from './dataset-rules.js';

const citizens = {
  file_pattern: '^citizens_(?<period>\\d{4}-\\d{2})\\.(csv|xlsx)$',
  table: 'citizens',
  required_headers: ['citizen_id', 'income'],
  columns: { citizen_id: 'int', income: 'float' },
};
const parse = (datasets: Record<string, unknown>) => parseDatasetRules({ datasets }, '/rules/datasets.yml');

describe('dataset rules', () => {
  it('are read into typed rules, SQL file names resolved beside the rules file', () => {
    const rules = parse({ citizens: { ...citizens, transform: 'sql/t.sql' } });
    assert.deepEqual(rules.datasets[0]?.columns, [{ name: 'citizen_id', type: 'int' }, { name: 'income', type: 'float' }]);
    assert.equal(rules.datasets[0]?.transformSql, '/rules/sql/t.sql');
  });

  it('name the dataset and the key of every mistake', () => {
    assert.throws(() => parse({ citizens: { ...citizens, columns: { citizen_id: 'integer' } } }), /dataset 'citizens', key columns\.citizen_id: Invalid option/);
    assert.throws(() => parse({ citizens: { ...citizens, table: 'Citizens; DROP' } }), /dataset 'citizens', key table: must be lower-case/);
    assert.throws(() => parse({ citizens: { ...citizens, file_pattern: '^citizens_(\\d{4})\\.csv$' } }), /dataset 'citizens', key file_pattern: needs a named capture \(\?<period>/);
    assert.throws(() => parse({ citizens: { ...citizens, required_headers: ['name'] } }), /dataset 'citizens', key required_headers: 'name' is not one of the columns/);
    assert.throws(() => parse({ citizens: { ...citizens, colums: {} } }), /dataset 'citizens', key colums: Unrecognized key/);
    assert.throws(() => parse({ citizens: { ...citizens, max_rejected_share: 5 } }), /dataset 'citizens', key max_rejected_share: Too big/);
    assert.equal(parse({ citizens: { ...citizens, max_rejected_share: 0.1 } }).datasets[0]?.maxRejectedShare, 0.1);
  });

  it('are read from a file as the other YAML files are: one line naming the file, and the line of a syntax error', async () => {
    const dir = tempDir();
    const bad = path.join(dir, 'datasets.yml');
    writeFileSync(bad, 'datasets:\n  citizens: [unclosed\n');
    await assert.rejects(loadDatasetRules(bad), (error: Error) => /the dataset rules .*datasets\.yml is not valid YAML at line \d+, column \d+/.test(error.message) && !error.message.includes('\n'));
    await assert.rejects(loadDatasetRules(path.join(dir, 'absent.yml')), /cannot read the dataset rules .*absent\.yml: ENOENT/);
    writeFileSync(bad, `datasets:\n  citizens: ${JSON.stringify({ ...citizens, colums: {} })}\n`);
    await assert.rejects(loadDatasetRules(bad), /datasets\.yml: dataset 'citizens', key colums: Unrecognized key/);
  });

  it('match a landed file by its base name and take the period from the named capture', () => {
    const rules = parse({ citizens });
    const match = matchLandedFile(rules, '/data/landed/citizens_2024-02.xlsx');
    assert.equal(match.ok && `${match.dataset.name} ${match.period}`, 'citizens 2024-02');
    const bad = matchLandedFile(rules, '/data/landed/citizens_2024-02.xlsx.bak');
    assert.match(bad.ok ? '' : bad.reason, /citizens_2024-02\.xlsx\.bak matches no dataset's file_pattern/);
  });

  it('accept only real calendar dates as periods', () => {
    assert.equal(periodProblem('2024'), null);
    assert.equal(periodProblem('2024-02-29'), null);
    assert.match(periodProblem('2023-02-29') ?? '', /not a real calendar date/);
    assert.match(periodProblem('2024-13') ?? '', /not a real calendar date/);
    assert.match(periodProblem("2024'; DROP") ?? '', /not a date/);
  });
});
