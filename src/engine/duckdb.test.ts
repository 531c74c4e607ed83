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

describe('a streamed result', () => {
  const failing = `SELECT CASE WHEN range < 300000 THEN range ELSE error('boom') END AS i FROM range(400000)`;

  it('fails, rather than ending as if complete, when DuckDB stops it with an error part-way', () =>
    withConn(async (conn) => {
      const prepared = await (await conn.extractStatements(failing)).prepare(0);
      assert.equal(prepared.kind, 'SELECT');
      const stream = await prepared.stream();
      let rows = 0;
      await assert.rejects(
        (async () => {
          for await (const chunk of stream.chunks()) rows += chunk.rows;
        })(),
        /DuckDB stopped with an error after \d+ rows/,
      );
      assert.ok(rows < 400000);
      prepared.close();
    }));

  it('fails the same way for raw chunks (what the PostgreSQL loader streams)', () =>
    withConn(async (conn) => {
      await assert.rejects(
        (async () => {
          for await (const _chunk of conn.rawChunks(`SELECT CAST(i AS BIGINT) AS i FROM (${failing})`)) void _chunk;
        })(),
        /DuckDB stopped with an error/,
      );
    }));

  it('gives every row of a complete result, column by column, by the same value policy as all()', () =>
    withConn(async (conn) => {
      const sql = `SELECT range AS n, range * 0.5 AS x, 'r' || range AS s, range % 2 = 0 AS even, DATE '2025-01-01' + CAST(range % 3 AS INTEGER) AS d,
                   CASE WHEN range = 3 THEN NULL ELSE range END AS maybe, 9007199254740993::BIGINT AS big FROM range(5000)`;
      const stream = await (await (await conn.extractStatements(sql)).prepare(0)).stream();
      const rows: Record<string, unknown>[] = [];
      for await (const chunk of stream.chunks()) {
        for (let r = 0; r < chunk.rows; r++) rows.push(Object.fromEntries(stream.columns.map((c, i) => [c, chunk.columns[i]![r]])));
      }
      assert.deepEqual(rows, await conn.all(sql));
      assert.deepEqual(rows[3], { n: 3, x: 1.5, s: 'r3', even: false, d: new Date('2025-01-01T00:00:00Z'), maybe: null, big: 9007199254740993n });
    }));
});
