import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parquetReadObjects } from 'hyparquet';
import { tempDir } from '../../test/support/temp-dir.js';
import { citizensRulesYaml, writeCsv } from '../../test/load/load-fixtures.js';
import { parseDatasetRules } from './dataset-rules.js';
import type { LandedLog, ValidationLogEntry } from './landed-log.js';
import { validateFiles } from './validate-file.js';

async function validateOne(dir: string, lines: readonly string[] | Buffer, extraRules: Record<string, unknown> = {}) {
  const yaml = citizensRulesYaml('people') as { datasets: { people: Record<string, unknown> } };
  const rules = parseDatasetRules({ datasets: { people: { ...yaml.datasets.people, ...extraRules } } }, path.join(dir, 'datasets.yml'));
  const file = path.join(dir, 'landed', 'people_2024-01.csv');
  mkdirSync(path.dirname(file), { recursive: true });
  if (Buffer.isBuffer(lines)) writeFileSync(file, lines);
  else writeCsv(file, lines);
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

  const HEADER = 'citizen_id,first_name,birth_date,income';
  const cleaned = (dir: string) => path.join(dir, 'stage', 'cleaned', 'people', '2024-01.parquet');

  /** A good file of the period first, so a refusal can be seen to leave it exactly as it was. */
  async function withGoodPeriod(dir: string): Promise<Buffer> {
    const good = await validateOne(dir, [HEADER, '1,Ana,2000-02-29,1.5', '2,Bo,2001-03-01,2']);
    assert.equal(good.status, 'ok');
    return readFileSync(cleaned(dir));
  }

  for (const [title, lines, reason] of [
    ['a header and no rows', [HEADER], /people_2024-01\.csv: the file has a header but no rows; nothing was published and stage\/cleaned\/people\/2024-01\.parquet was left as it was/],
    ['every row rejected', [HEADER, '1,Ana,not a date,1', '2,Bo,2001-03-01,lots'], /every one of its 2 rows was rejected \(row 2, birth_date: expected a calendar date as YYYY-MM-DD\); nothing was published/],
  ] as const) {
    it(`refuses a file with ${title}, and leaves the previous cleaned Parquet and rejects as they were`, async () => {
      const dir = tempDir();
      const before = await withGoodPeriod(dir);
      const outcome = await validateOne(dir, lines);
      assert.equal(outcome.status, 'refused');
      assert.match(outcome.reason ?? '', reason);
      assert.equal(outcome.parquet, null);
      assert.deepEqual(readFileSync(cleaned(dir)), before, 'the good Parquet of the period is untouched');
      assert.deepEqual(listing(path.join(dir, 'stage', 'cleaned', 'people')), ['2024-01.parquet'], 'no temp file left behind');
      assert.deepEqual(listing(path.join(dir, 'stage', 'rejects', 'people')), [], 'no rejects of an unpublished file');
    });
  }

  it("refuses a file losing more rows than the dataset's max_rejected_share, and publishes one within it", async () => {
    const dir = tempDir();
    const before = await withGoodPeriod(dir);
    const lines = [HEADER, '1,Ana,2000-02-29,1.5', '2,Bo,2001-03-01,2', '3,Cy,2001-03-01,3', '4,Di,bad,4'];
    const refused = await validateOne(dir, lines, { max_rejected_share: 0.2 });
    assert.match(refused.reason ?? '', /1 of its 4 rows \(25\.0%\) were rejected, more than the 20% dataset 'people' allows \(max_rejected_share\) \(row 5, birth_date/);
    assert.deepEqual(readFileSync(cleaned(dir)), before);
    const published = await validateOne(dir, lines, { max_rejected_share: 0.25 });
    assert.deepEqual([published.status, published.rowsOk, published.rowsRejected], ['ok', 3, 1]);
  });

  // 4,000 good rows first: the bad line lies past the part csv-parse reads to find the header.
  const GOOD_ROWS = Array.from({ length: 4000 }, (_, i) => `${i + 10},Name${i},2001-03-01,${i}`).join('\n');
  for (const [title, text, reason] of [
    ['a quote inside an unquoted cell', `${HEADER}\n${GOOD_ROWS}\n2,B"o,2001-03-01,2\n`, /people_2024-01\.csv: line 4002: a quote \(\"\) inside cell 2 that does not start with one; quote the whole cell and double the quotes inside it/],
    ['text after a closing quote', `${HEADER}\n${GOOD_ROWS}\n1,"Ana"x,2000-02-29,1.5\n`, /people_2024-01\.csv: line 4002: the quoted cell 2 is followed by "x", not by a comma or the end of the line/],
    ['a quote that is never closed', `${HEADER}\n${GOOD_ROWS}\n2,"Bo,2001-03-01,2\n3,Cy,2001-03-01,3\n`, /people_2024-01\.csv: the quoted cell that starts on line 4002 is never closed/],
    ['mixed line endings', `${HEADER}\r\n1,Ana,2000-02-29,1.5\r\n2,Bo,2001-03-01,2\n`, /people_2024-01\.csv: line 3 ends with LF \(\\n\) where the lines before end with CRLF \(\\r\\n\); save the file with one kind of line ending/],
  ] as const) {
    it(`refuses a CSV with ${title} in a sentence naming the line, and leaves the period's Parquet as it was`, async () => {
      const dir = tempDir();
      const before = await withGoodPeriod(dir);
      const outcome = await validateOne(dir, Buffer.from(text));
      assert.equal(outcome.status, 'refused');
      assert.match(outcome.reason ?? '', reason);
      assert.deepEqual(readFileSync(cleaned(dir)), before);
    });
  }

  it('reads a line longer than DuckDB reads by default (2,000,000 bytes), as a file of short lines', async () => {
    const dir = tempDir();
    const name = 'x'.repeat(3_000_000);
    const outcome = await validateOne(dir, [HEADER, '1,Ana,2000-02-29,1.5', `2,${name},2001-03-01,2`, '3,Cy,bad,3']);
    assert.deepEqual([outcome.status, outcome.rowsOk, outcome.rowsRejected, outcome.reason], ['ok', 2, 1, null]);
  });

  for (const [title, odd] of [
    ['bad rows', (id: number) => `${id}000000,bad,not a date,0`],
    ['repeated keys', (id: number) => `${id - 500},again,2000-01-01,0`],
    ['rows with more cells than the header', (id: number) => `${id}000000,long,2000-01-01,0,extra`],
  ] as const) {
    it(`keeps the file order of a large file in the cleaned Parquet, with ${title} left out`, async () => {
      const dir = tempDir();
      // Enough rows for DuckDB to work on them in parallel, with the odd ones scattered through them.
      const lines = [HEADER];
      for (let id = 1; id <= 300_000; id++) {
        lines.push(`${id},N${id},2000-01-01,${id}`);
        if (id % 997 === 0) lines.push(odd(id));
      }
      const outcome = await validateOne(dir, lines);
      assert.deepEqual([outcome.status, outcome.rowsOk, outcome.rowsRejected], ['ok', 300_000, 300]);
      const rows = await parquetReadObjects({ file: new Uint8Array(readFileSync(cleaned(dir))).buffer, columns: ['citizen_id'] });
      const ids = rows.map((r) => Number(r['citizen_id']));
      const wrong = ids.findIndex((id, i) => id !== i + 1);
      assert.equal(wrong, -1, `row ${wrong} of the cleaned Parquet is citizen ${ids[wrong]}, not ${wrong + 1}`);
    });
  }

  it('refuses a CSV with Latin-1 bytes, naming the line and the byte offset, instead of storing U+FFFD', async () => {
    const dir = tempDir();
    const before = await withGoodPeriod(dir);
    const bytes = Buffer.concat([Buffer.from(`${HEADER}\n1,Ana,2000-02-29,1.5\n2,F`), Buffer.from([0xe9]), Buffer.from('lix,2001-03-01,2\n')]);
    const outcome = await validateOne(dir, bytes);
    assert.equal(outcome.status, 'refused');
    assert.match(outcome.reason ?? '', /people_2024-01\.csv.*line 3, byte offset 64: byte 0xE9 is not UTF-8/);
    assert.deepEqual(readFileSync(cleaned(dir)), before);
  });
});
