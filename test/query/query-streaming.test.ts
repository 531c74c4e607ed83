// `strata query` prints a table's first rows and names every column; what it streams in constant memory (CSV and
// JSON of millions of rows, a reader that goes away, a failure mid-stream) is query-streaming.slow.test.ts.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { query, smallLake, type SmallLake } from './small-lake.js';

describe('strata query output', () => {
  let lake: SmallLake;
  before(async () => {
    lake = await smallLake({ files: 12, days: 1 });
  });

  it('shows the first 1,000 rows as a table and says there are more', async () => {
    const run = await query(lake, 'SELECT range AS i FROM range(5000)');
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trim().split('\n');
    assert.equal(lines.length, 2 + 1000 + 1);
    assert.equal(lines[2]!.trim(), '0');
    assert.equal(lines[1001]!.trim(), '999');
    assert.match(lines[1002]!, /^\(the first 1,000 rows; the query has more, not read: use --format csv or json with --out FILE for all of them, or LIMIT\)$/);
    const small = await query(lake, 'SELECT range AS i FROM range(3)');
    assert.match(small.stdout, /\(3 rows\)\n$/);
  });

  it('gives each column its own name in CSV and JSON, a repeated name included', async () => {
    const csv = await query(lake, `SELECT 1 AS a, 2 AS a, '=cmd' AS f, [1, 2] AS l`, '--format', 'csv');
    assert.equal(csv.stdout, `a,a:1,f,l\n1,2,'=cmd,"[1,2]"\n`);
    const json = await query(lake, `SELECT 1 AS a, 2 AS a`, '--json');
    assert.deepEqual(JSON.parse(json.stdout), { columns: ['a', 'a:1'], notes: [], data: [{ a: 1, 'a:1': 2 }], rows: 1 });
  });
});
