import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
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

  it('match a file name in linear time, whatever the pattern: a catastrophic pattern and a crafted name never hang ingest', () => {
    // In a child process with a time limit: JavaScript's backtracking engine would take hours on this name.
    const script = `
      import { parseDatasetRules, matchLandedFile } from ${JSON.stringify(fileURLToPath(new URL('./dataset-rules.ts', import.meta.url)))};
      const rules = parseDatasetRules({ datasets: { evil: { file_pattern: '^(a+)+(?<period>\\\\d{4})\\\\.csv$', table: 't', required_headers: ['a'], columns: { a: 'int' } } } }, '/r/datasets.yml');
      const crafted = matchLandedFile(rules, 'a'.repeat(5000) + '!.csv');
      const good = matchLandedFile(rules, 'aaa2024.csv');
      process.stdout.write(JSON.stringify([crafted.ok, good.ok && good.period]));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(child.signal, null, `matching took over 20 s (killed): ${child.stderr}`);
    assert.equal(child.stdout, '[false,"2024"]', child.stderr);
  });

  it('keep named captures in both spellings, and refuse in a sentence what RE2 cannot match in linear time', () => {
    for (const file_pattern of ['^citizens_(?<period>\\d{4}-\\d{2})\\.csv$', '^citizens_(?P<period>\\d{4}-\\d{2})\\.csv$']) {
      const match = matchLandedFile(parse({ citizens: { ...citizens, file_pattern } }), '/d/landed/citizens_2024-03.csv');
      assert.equal(match.ok && match.period, '2024-03', file_pattern);
    }
    assert.throws(
      () => parse({ citizens: { ...citizens, file_pattern: '^citizens_(?=\\d)(?<period>\\d{4})\\.csv$' } }),
      /dataset 'citizens', key file_pattern: not a regular expression strata can match in linear time \(RE2 syntax: no lookaround, no backreferences\): /,
    );
    assert.throws(() => parse({ citizens: { ...citizens, file_pattern: '^(?<period>\\d{4})_\\1\\.csv$' } }), /key file_pattern: not a regular expression .*invalid escape sequence/);
    assert.throws(() => parse({ citizens: { ...citizens, file_pattern: `(?<period>\\d+)${'x?'.repeat(600)}` } }), /key file_pattern: is 1214 characters long; at most 1000/);
  });

  it("refuse a dataset name that could not be a folder name, by the one rule for names that become part of a path", () => {
    for (const name of ['_private', 'a  b', '../x', 'x'.repeat(101)]) {
      assert.throws(() => parse({ [name]: citizens }), /dataset ".*": a dataset name must be letters, digits, '_', '\.', '\+', '-' or single spaces between them \(1 to 100 characters, starting with a letter or digit\), because it becomes part of a folder or file name/, name);
    }
    assert.equal(parse({ 'Citizens-2024': citizens }).datasets[0]?.name, 'Citizens-2024');
  });

  it('accept only real calendar dates as periods', () => {
    assert.equal(periodProblem('2024'), null);
    assert.equal(periodProblem('2024-02-29'), null);
    assert.match(periodProblem('2023-02-29') ?? '', /not a real calendar date/);
    assert.match(periodProblem('2024-13') ?? '', /not a real calendar date/);
    assert.match(periodProblem("2024'; DROP") ?? '', /not a date/);
  });
});
