import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withConn } from '../../test/support/with-duckdb.js';

describe('values read back from DuckDB', () => {
  it('are numbers for whole numbers that fit one exactly, and bigints only past 2^53', () =>
    withConn(async (conn) => {
      const [row] = await conn.all(
        `SELECT count(*) AS n, sum(range) AS total, 9007199254740991::BIGINT AS largest, -9007199254740991::BIGINT AS smallest,
                9007199254740992::BIGINT AS past, 3::UBIGINT AS unsigned, 40::HUGEINT AS huge FROM range(5)`,
      );
      assert.deepEqual(row, { n: 5, total: 10, largest: 9007199254740991, smallest: -9007199254740991, past: 9007199254740992n, unsigned: 3, huge: 40 });
    }));

  it('keep text as text, dates as Date, and convert inside lists and structs too', () =>
    withConn(async (conn) => {
      const { rows, columns } = await conn.allWithColumns(
        `SELECT '00ff00ff00ff00ff' AS run_id, TIMESTAMPTZ '2025-10-22 12:00:00+00' AS at, [1::BIGINT, 2] AS list, {'rows': 7::BIGINT} AS s`,
      );
      assert.deepEqual(columns, ['run_id', 'at', 'list', 's']);
      assert.deepEqual(rows, [{ run_id: '00ff00ff00ff00ff', at: new Date('2025-10-22T12:00:00Z'), list: [1, 2], s: { rows: 7 } }]);
    }));
});
